import {
  type AccountingAdapter,
  AccountingError,
  type BatchResult,
  type RejectedRecord,
} from '@meander/accounting';
import type { Database } from '@meander/db';
import {
  type ExportRecord,
  type LedgerRequests,
  type PayloadSummary,
  planUnverifiedBatch,
  reversalOf,
  type SyncLog,
  settleUnverifiedBatch,
  UNVERIFIED_POSTING,
} from '@meander/domain';

/** What a batch does with its records that have an open unverified posting. */
export interface UnverifiedBatch {
  /** Read back only, never sent (`BatchContext.neverSend`). */
  neverSend: ReadonlySet<string>;
  /**
   * Neither sent nor read back: their open unverified posting is of the other kind (a reversal's
   * met by an export, or an export's met by a reversal). This sync's posting is not the one that is
   * unverified, so a read-back of it must not settle that one, and sending it would stack a new
   * posting on an unknown one; they wait until a sync of the entry's own kind settles it.
   */
  refused: RejectedRecord[];
}

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

  /** Whether each sync that first reported an open unverified posting is a reversal, asked once per sync. */
  private readonly reversalSyncs = new Map<string, Promise<boolean>>();

  private isReversalSync(syncLogId: string): Promise<boolean> {
    let known = this.reversalSyncs.get(syncLogId);
    if (!known) {
      known = this.db.syncLogs.get(syncLogId).then((log) => log !== null && reversalOf(log) !== undefined);
      this.reversalSyncs.set(syncLogId, known);
    }
    return known;
  }

  /**
   * The batch's records with an open unverified posting: read back only (`neverSend`) when the
   * posting is of this sync's kind — a release can move a record's posting round on only after its
   * reversal completed, so an entry of the same kind is of the same round —, refused when it is of
   * the other kind (see {@link UnverifiedBatch.refused}).
   */
  async beforeBatch(records: readonly ExportRecord[]): Promise<UnverifiedBatch> {
    const none: UnverifiedBatch = { neverSend: new Set(), refused: [] };
    if (records.length === 0) return none;
    this.anyOpen ??= this.db.unverifiedPostings
      .summarizeOpen(this.sync.organizationId)
      .then((open) => open.length > 0);
    if (!(await this.anyOpen)) return none;
    const open = await this.db.unverifiedPostings.listOpen(
      this.sync.organizationId,
      records.map((r) => r.id),
    );
    if (open.length === 0) return none;
    const reversing = reversalOf(this.sync) !== undefined;
    const refused: RejectedRecord[] = [];
    const ownKind: string[] = [];
    for (const entry of open) {
      if ((await this.isReversalSync(entry.syncLogId)) === reversing) {
        ownKind.push(entry.recordId);
        continue;
      }
      refused.push({
        recordId: entry.recordId,
        code: UNVERIFIED_POSTING.code,
        category: 'validation',
        retryable: false,
        reason: `The record's ${reversing ? 'posting' : 'reversal'} by sync ${entry.syncLogId} is unverified: settle it first (a re-sync of that sync reads it back, or confirms it not posted); until then this ${reversing ? 'reversal' : 'export'} neither sends nor reads the record back`,
      });
    }
    if (ownKind.length === 0) return { neverSend: new Set(), refused };
    const plan = planUnverifiedBatch({
      openRecordIds: ownKind,
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
    return { neverSend: plan.neverSend, refused };
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
