import type { AccountingSystem, ErrorCategory, ExportRecord } from '@meander/domain';

/** A record the accounting system accepted, with the id it gave it. */
export interface AcceptedRecord {
  recordId: string;
  externalId: string;
  /** True when the ledger already held this record (found by its external document key) and nothing was posted. */
  alreadyPosted?: boolean;
}

/** A record the accounting system refused. Validation rejections are never retried. */
export interface RejectedRecord {
  recordId: string;
  /** The provider's raw code (e.g. `INVALID_VALUE`, `Application_FieldValidationException`). */
  code: string;
  category: ErrorCategory;
  retryable: boolean;
  reason: string;
}

/** The outcome of one batch: every record of the batch is in exactly one of the two lists. */
export interface BatchResult {
  accepted: AcceptedRecord[];
  rejected: RejectedRecord[];
  /** The batch's reference in the ledger (Xledger: numeric id; Dynamics: journal GUID); null when nothing was posted. */
  externalReferenceId: string | null;
}

/** What the adapter knows about the sync a batch belongs to. */
export interface BatchContext {
  syncLogId: string;
  organizationId: string;
  /** 1-based position of this batch in the sync. */
  batchNumber: number;
  signal?: AbortSignal;
  /**
   * Ask the ledger which of these records it already holds before sending anything. Set it when
   * the batch may have been pushed before by a sync that did not finish (a re-sync, a reaped
   * sync); without it the adapter reads back only when an outcome is in doubt.
   */
  readBackFirst?: boolean;
}

/** The result of a connection check. */
export type ConnectionCheck = { ok: true } | { ok: false; error: AccountingError };

/**
 * The port every accounting system implements. `pushBatch` must be safe to call again with the
 * same records: records the ledger already holds (same external document key) come back as
 * accepted with `alreadyPosted: true`, never posted twice.
 */
export interface AccountingAdapter {
  readonly system: AccountingSystem;
  pushBatch(records: readonly ExportRecord[], context: BatchContext): Promise<BatchResult>;
  checkConnection(signal?: AbortSignal): Promise<ConnectionCheck>;
}

/**
 * A whole-batch failure (auth, configuration, throttling or outage that outlasted the retry
 * budget, malformed response). Carries the provider's raw code and the normalized category.
 */
export class AccountingError extends Error {
  override readonly name = 'AccountingError';
  constructor(
    message: string,
    readonly details: {
      code: string;
      category: ErrorCategory;
      retryable: boolean;
      providerCode?: string;
      correlationId?: string;
      httpStatus?: number;
      /** Records whose outcome is unknown (a write may or may not have been applied). */
      outcomeUnknown?: boolean;
      /** How long the provider asked the caller to wait before trying again (Retry-After, rate limits). */
      retryAfterMs?: number;
    },
  ) {
    super(message);
  }
}
