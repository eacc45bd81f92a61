import type { ExportRecord } from '@meander/domain';
import { invalidRecordRejection } from './invalid-record.js';
import { type AcceptedRecord, AccountingError, type BatchResult, type RejectedRecord } from './port.js';

/**
 * What an adapter knows, mid-push, about each record of one batch: still to send, accepted
 * (posted now or found already in the ledger) or rejected. The ledger's answers are
 * authoritative for the records they name; anything else stays pending until a read-back says
 * whether the ledger holds it, so a record is never sent twice.
 */
export class BatchState {
  private readonly order: string[];
  private readonly pending = new Map<string, ExportRecord>();
  private readonly accepted = new Map<string, AcceptedRecord>();
  private readonly rejected = new Map<string, RejectedRecord>();
  /** Records the ledger refused as already existing: a read-back must find them. */
  private readonly reportedExisting = new Map<string, string>();
  /** True when an earlier attempt may have written something we were not told about. */
  readBackNeeded: boolean;

  constructor(records: readonly ExportRecord[], readBackFirst: boolean) {
    this.order = records.map((r) => r.id);
    const seen = new Set<string>();
    for (const record of records) {
      if (seen.has(record.id)) {
        throw new AccountingError(`Record ${record.id} appears twice in one batch`, {
          code: 'DUPLICATE_RECORD_ID',
          category: 'validation',
          retryable: false,
        });
      }
      seen.add(record.id);
      const invalid = invalidRecordRejection(record);
      if (invalid) this.reject(invalid);
      else this.pending.set(record.id, record);
    }
    this.readBackNeeded = readBackFirst;
  }

  pendingRecords(): ExportRecord[] {
    return [...this.pending.values()];
  }

  pendingIds(): string[] {
    return [...this.pending.keys()];
  }

  hasPending(): boolean {
    return this.pending.size > 0;
  }

  isPending(recordId: string): boolean {
    return this.pending.has(recordId);
  }

  accept(recordId: string, externalId: string, alreadyPosted = false): void {
    if (!this.pending.delete(recordId)) return;
    this.accepted.set(
      recordId,
      alreadyPosted ? { recordId, externalId, alreadyPosted } : { recordId, externalId },
    );
  }

  reject(rejection: RejectedRecord): void {
    this.pending.delete(rejection.recordId);
    this.rejected.set(rejection.recordId, rejection);
  }

  /** The ledger refused `recordId` because it already holds its key (`providerCode`). */
  markReportedExisting(recordId: string, providerCode: string): void {
    this.reportedExisting.set(recordId, providerCode);
    this.readBackNeeded = true;
  }

  /**
   * Take a read-back's answer: pending records the ledger holds become accepted as already
   * posted. A record the ledger refused as existing but cannot show is rejected rather than
   * sent again forever.
   */
  applyReadBack(queried: readonly string[], held: ReadonlyMap<string, string>): void {
    for (const recordId of queried) {
      const externalId = held.get(recordId);
      if (externalId !== undefined) this.accept(recordId, externalId, true);
    }
    for (const recordId of queried) {
      const providerCode = this.reportedExisting.get(recordId);
      if (providerCode === undefined || !this.pending.has(recordId)) continue;
      this.reject({
        recordId,
        code: providerCode,
        category: 'unknown',
        retryable: true,
        reason: 'The ledger reports this record as already posted, but reading it back did not find it',
      });
    }
    for (const recordId of queried) this.reportedExisting.delete(recordId);
    this.readBackNeeded = this.reportedExisting.size > 0;
  }

  acceptedRecords(): AcceptedRecord[] {
    return this.order.flatMap((id) => this.accepted.get(id) ?? []);
  }

  result(externalReferenceId: string | null): BatchResult {
    return {
      accepted: this.acceptedRecords(),
      rejected: this.order.flatMap((id) => this.rejected.get(id) ?? []),
      externalReferenceId,
    };
  }
}
