import type {
  AcceptedRecord,
  AccountingAdapter,
  BatchContext,
  BatchResult,
  RejectedRecord,
} from '@meander/accounting';
import type { ExportRecord } from '@meander/domain';

/**
 * A ledger the test controls, and an adapter that honours the port's exactly-once contract
 * (`neverSend`, `unverified`) the way the real adapters do: a record it sends is one write, every
 * read-back is one read. `hidden` postings are in the ledger but no read-back finds them (a batch
 * that renumbers documents); the test moves records between the states as an accountant would.
 */
export class FakeLedger {
  /** Postings per record id: the judge of "posted once". */
  readonly postings = new Map<string, number>();
  /** In the ledger, but invisible to the read-back. */
  readonly hidden = new Set<string>();
  /** Records whose next post the ledger accepts but never books (job-queue posting that failed). */
  readonly dropped = new Set<string>();
  /** Every `neverSend` set the adapter was given, per batch. */
  readonly neverSendSeen: string[][] = [];
  /** Make the next push throw after counting its requests. */
  failNextPush: Error | null = null;

  adapter(): AccountingAdapter & { requests: { reads: number; writes: number } } {
    const ledger = this;
    const requests = { reads: 0, writes: 0 };
    const readBack = (id: string) => {
      requests.reads += 1;
      return (ledger.postings.get(id) ?? 0) > 0 && !ledger.hidden.has(id);
    };
    return {
      system: 'dynamics',
      requests,
      async pushBatch(records: readonly ExportRecord[], context: BatchContext): Promise<BatchResult> {
        ledger.neverSendSeen.push([...(context.neverSend ?? [])].sort());
        const accepted: AcceptedRecord[] = [];
        const rejected: RejectedRecord[] = [];
        const notFound = (recordId: string): RejectedRecord => ({
          recordId,
          code: 'POSTED_NOT_FOUND',
          category: 'configuration',
          retryable: false,
          reason: 'Posted, but no G/L entry carries its key',
          unverified: true,
        });
        for (const record of records) {
          if (context.neverSend?.has(record.id)) {
            if (readBack(record.id))
              accepted.push({ recordId: record.id, externalId: `GL-${record.id}`, alreadyPosted: true });
            else rejected.push(notFound(record.id));
            continue;
          }
          // A retry after an unfinished attempt reads back first, as the real adapters do.
          if (context.readBackFirst && readBack(record.id)) {
            accepted.push({ recordId: record.id, externalId: `GL-${record.id}`, alreadyPosted: true });
            continue;
          }
          requests.writes += 1;
          if (ledger.failNextPush) {
            const error = ledger.failNextPush;
            ledger.failNextPush = null;
            throw error;
          }
          if (ledger.dropped.has(record.id)) ledger.dropped.delete(record.id);
          else ledger.postings.set(record.id, (ledger.postings.get(record.id) ?? 0) + 1);
          if (readBack(record.id)) accepted.push({ recordId: record.id, externalId: `GL-${record.id}` });
          else rejected.push(notFound(record.id));
        }
        return { accepted, rejected, externalReferenceId: null };
      },
      async checkConnection() {
        return { ok: true };
      },
      async preflight() {
        return { documents: [], rejected: [] };
      },
      async inspectConnection() {
        return { ok: true, checks: [] };
      },
    };
  }
}
