import { type AccountingAdapter, AccountingError, type BatchResult } from '@meander/accounting';
import type { Database } from '@meander/db';
import {
  type ExportRecord,
  type LedgerRequests,
  type PayloadSummary,
  planUnverifiedBatch,
  type SyncLog,
  settleUnverifiedBatch,
} from '@meander/domain';

/**
 * One sync's part in remembering unverified postings (posted, accepted, not found by a read-back):
 * before each batch, the records still open are handed to the adapter as `neverSend` (read back,
 * never sent) — unless this is a re-sync carrying the operator's confirmation, which settles them
 * `confirmed_unposted` (who: the re-sync's `triggeredBy`; which sync: this one) and lets them be
 * sent. After each batch, new unverified rejections are recorded and read-back-only records the
 * ledger now holds are settled `found`. So no sync ever posts them until found or confirmed.
 */
export class SyncUnverifiedPostings {
  /** Only a re-sync an operator started with the confirmation, and only with the operator named. */
  readonly confirmedBy: string | null;

  constructor(
    private readonly db: Database,
    private readonly sync: SyncLog,
  ) {
    const summary = sync.payloadSummary;
    const confirmed = summary?.parentSyncId !== undefined && summary.confirmedUnposted === true;
    this.confirmedBy = confirmed ? sync.triggeredBy : null;
  }

  /**
   * Whether the organization had any open before this sync: asked once, so a sync of an
   * organization without any (the usual case) costs no lookup per batch. This sync's own new ones
   * need none either: each record comes once per sync.
   */
  private anyOpen: Promise<boolean> | null = null;

  /** The batch's records that must be read back only (`BatchContext.neverSend`). */
  async beforeBatch(records: readonly ExportRecord[]): Promise<ReadonlySet<string>> {
    if (records.length === 0) return new Set();
    this.anyOpen ??= this.db.unverifiedPostings
      .summarizeOpen(this.sync.organizationId)
      .then((open) => open.length > 0);
    if (!(await this.anyOpen)) return new Set();
    const open = await this.db.unverifiedPostings.listOpen(
      this.sync.organizationId,
      records.map((r) => r.id),
    );
    if (open.length === 0) return new Set();
    const plan = planUnverifiedBatch({
      openRecordIds: open.map((o) => o.recordId),
      confirmedUnposted: this.confirmedBy !== null,
    });
    if (this.confirmedBy !== null && plan.confirm.length > 0) {
      // Settled before anything is sent, so the audit trail shows the confirmation preceding the post.
      await this.db.unverifiedPostings.resolveConfirmed({
        organizationId: this.sync.organizationId,
        recordIds: plan.confirm,
        confirmedBy: this.confirmedBy,
        syncLogId: this.sync.id,
      });
    }
    return plan.neverSend;
  }

  /** Record what the batch could not verify; settle what a read-back found. */
  async afterBatch(result: BatchResult, neverSend: ReadonlySet<string>): Promise<void> {
    const settled = settleUnverifiedBatch(result, neverSend);
    if (settled.unverified.length > 0) {
      const unverified = new Set(settled.unverified);
      await this.db.unverifiedPostings.record({
        organizationId: this.sync.organizationId,
        accountingSystem: this.sync.accountingSystem,
        syncLogId: this.sync.id,
        postings: result.rejected
          .filter((r) => unverified.has(r.recordId))
          .map((r) => ({
            recordId: r.recordId,
            code: r.code.slice(0, 120),
            reason: r.reason.slice(0, 1_000),
          })),
      });
    }
    if (settled.found.length > 0) {
      await this.db.unverifiedPostings.resolveFound({
        organizationId: this.sync.organizationId,
        recordIds: settled.found,
        syncLogId: this.sync.id,
      });
    }
  }

  /**
   * Push a batch; when it fails after a write may have gone out, the records that write may have
   * booked are recorded unverified before the failure propagates, so a later sync reads them back
   * and never sends them unless a read-back finds nothing and an operator confirms. The adapter
   * names them when it knows (`AccountingError.details.unverifiedRecordIds`: a post went out and no
   * read-back settled it — a job queue may book it later); a failure whose outcome is unknown
   * without that list (a write's answer lost, the retry budget spent) leaves every record of the
   * batch that could have been sent.
   */
  async guardUnsettled(
    records: readonly ExportRecord[],
    neverSend: ReadonlySet<string>,
    push: () => Promise<BatchResult>,
  ): Promise<BatchResult> {
    try {
      return await push();
    } catch (error) {
      if (!(error instanceof AccountingError)) throw error;
      const named = error.details.unverifiedRecordIds;
      const mayBeWritten =
        named && named.length > 0
          ? named
          : error.details.outcomeUnknown === true
            ? records.filter((r) => !neverSend.has(r.id)).map((r) => r.id)
            : [];
      if (mayBeWritten.length > 0) {
        const reason = `A write for this record went out and the batch failed before a read-back could settle it (${error.message}); it may be in the ledger`;
        await this.db.unverifiedPostings.record({
          organizationId: this.sync.organizationId,
          accountingSystem: this.sync.accountingSystem,
          syncLogId: this.sync.id,
          postings: mayBeWritten.map((recordId) => ({
            recordId,
            code: 'POSTED_NOT_FOUND',
            reason: reason.slice(0, 1_000),
          })),
        });
      }
      throw error;
    }
  }

  /** What the final payload summary keeps of the confirmation (the builder knows nothing of it). */
  summaryFields(): Pick<PayloadSummary, 'confirmedUnposted'> {
    return this.sync.payloadSummary?.confirmedUnposted ? { confirmedUnposted: true } : {};
  }
}

/** The requests an adapter sent so far, as the payload summary records them (a copy, not the live counter). */
export function ledgerRequestsOf(adapter: AccountingAdapter | undefined): LedgerRequests | undefined {
  const count = adapter?.requests;
  return count ? { reads: count.reads, writes: count.writes } : undefined;
}

/**
 * The summary a failed sync ends with: the one it was created with (a re-sync's parent, record ids
 * and confirmation stay), plus what it cost against the ledger.
 */
export function failedSummary(sync: SyncLog, adapter: AccountingAdapter | undefined): PayloadSummary | null {
  const ledgerRequests = ledgerRequestsOf(adapter);
  if (!ledgerRequests) return sync.payloadSummary;
  return { ...(sync.payloadSummary ?? { formatVersion: '1' }), ledgerRequests };
}
