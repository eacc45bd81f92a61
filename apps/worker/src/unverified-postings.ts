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
   * A batch that failed after a post went out names the records no read-back settled
   * (`AccountingError.details.unverifiedRecordIds`): they may be in the ledger (a job queue books
   * them later), so they are remembered like any unverified posting — a re-sync reads them back
   * only instead of posting them a second time.
   */
  async afterFailedBatch(error: unknown): Promise<void> {
    if (!(error instanceof AccountingError)) return;
    const recordIds = error.details.unverifiedRecordIds ?? [];
    if (recordIds.length === 0) return;
    await this.db.unverifiedPostings.record({
      organizationId: this.sync.organizationId,
      accountingSystem: this.sync.accountingSystem,
      syncLogId: this.sync.id,
      postings: recordIds.map((recordId) => ({
        recordId,
        code: 'POSTED_NOT_FOUND',
        reason:
          `The posting went out, but the batch failed before a read-back could find it: ${error.message}`.slice(
            0,
            1_000,
          ),
      })),
    });
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
