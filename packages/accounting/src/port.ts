import type { AccountingSystem, ErrorCategory, ExportRecord } from '@meander/domain';
import type { RequestCount } from './http/http-request.js';

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
  /**
   * A write for this record went through but no read-back found it (a batch that renumbers
   * documents, job-queue posting that outlasted the wait, a ledger that rewrote the key). It may
   * be in the ledger: it is never sent again until a read-back finds it or an operator confirms
   * it is not there (see `resync.start`'s `confirmUnposted`).
   */
  unverified?: boolean;
  /**
   * The read-back found the record's earlier write in the ledger, refused (Xledger: its import
   * items still staged with errors): its fate is known, so an open unverified posting for it is
   * settled (found) although the record is rejected. It is still never sent while that write exists.
   */
  foundInLedger?: boolean;
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
  /**
   * Fencing: awaited immediately before every ledger write (line creation, post, delete, import).
   * It throws when this runner no longer holds the sync's lease; the adapter then sends nothing
   * more and lets that error propagate unchanged.
   */
  beforeWrite?: () => Promise<void>;
  /**
   * Records an earlier attempt wrote but could not find afterwards. The adapter reads them back
   * and never sends them: found, they are accepted as already posted; not found, they come back
   * rejected with `unverified: true` again.
   */
  neverSend?: ReadonlySet<string>;
}

/** The result of a connection check. */
export type ConnectionCheck = { ok: true } | { ok: false; error: AccountingError };

/** One read-only check of a connection (credentials, company/journal or entity, an account). */
export interface ConnectionCheckItem {
  /** Stable name of the check, e.g. `credentials`, `journal`, `balancing_account`. */
  name: string;
  ok: boolean;
  /** What was found, or what is missing and where to set it. Never a secret. */
  message: string;
}

/** Every read-only check the adapter ran against the ledger; `ok` when all passed. */
export interface ConnectionReport {
  ok: boolean;
  checks: ConnectionCheckItem[];
}

/** Codes of the rejections a pre-flight finds before anything is posted. */
export const PREFLIGHT_CODES = {
  /** The posting date falls in a closed or locked period, or outside the allowed posting range. */
  periodLocked: 'PREFLIGHT_PERIOD_LOCKED',
  /** The record's account is not in the ledger's chart of accounts (or is blocked). */
  unknownAccount: 'PREFLIGHT_UNKNOWN_ACCOUNT',
  /** The record's currency is not the company's local currency and no mapping says how to book it. */
  foreignCurrency: 'PREFLIGHT_FOREIGN_CURRENCY',
} as const;

/** One line of a document as it would be posted; amounts are decimal strings, never floats. */
export interface PlannedLine {
  account: string;
  /** Signed decimal string in the ledger's currency, e.g. `"101.00"` or `"-101.00"`. */
  amount: string;
  currency: string;
  /** The expense record this line books; absent on a contra (balancing) line. */
  recordId?: string;
  /**
   * What kind of account `account` is: a G/L account (default), or the employee the company owes
   * (Business Central account type Employee; Xledger the employee sub-ledger) on the credit line.
   */
  accountType?: 'gl_account' | 'employee' | 'balancing_account';
  /** Meander's VAT category of the line, and the ledger's code it maps to (organization settings). */
  vatCategory?: string;
  vatCode?: string;
  /** The VAT included in `amount`, as a signed decimal string; absent when the line carries no VAT. */
  vatAmount?: string;
  /** The line's dimension values by the ledger's dimension code (organization settings map Meander's keys). */
  dimensions?: Readonly<Record<string, string>>;
}

/** A document (voucher / journal document) the adapter would post; its lines balance to zero. */
export interface PlannedDocument {
  /** The key the ledger keeps after posting and the adapter reads back by. */
  documentNumber: string;
  postingDate: string;
  recordIds: string[];
  lines: PlannedLine[];
  /** The posting reverses the record's earlier posting (amounts negated, the reversal key). */
  reversal?: boolean;
  /** The receipt attached to the posting, when the record has one. */
  receiptUrl?: string;
}

/** What a push of these records would do, found with read-only calls only. */
export interface PreflightResult {
  documents: PlannedDocument[];
  /** Records the ledger would refuse (codes from {@link PREFLIGHT_CODES}); never sent. */
  rejected: RejectedRecord[];
}

/** What the adapter knows when planning (read-only). */
export interface PreflightContext {
  organizationId: string;
  signal?: AbortSignal;
  /**
   * The sync these records belong to. When set, what the ledger answers about its set-up (chart
   * of accounts, accounting periods) is read once for the sync and reused for its later batches:
   * the pre-flight only predicts, and a change within the run is still refused at post time, as
   * a per-record rejection. Without it (a preview) every call reads afresh.
   */
  syncLogId?: string;
}

/**
 * The port every accounting system implements. `pushBatch` must be safe to call again with the
 * same records: records the ledger already holds (same external document key) come back as
 * accepted with `alreadyPosted: true`, never posted twice.
 */
export interface AccountingAdapter {
  readonly system: AccountingSystem;
  /** Requests this adapter has sent to its ledger so far (one adapter serves one sync in the worker). */
  readonly requests: Readonly<RequestCount>;
  pushBatch(records: readonly ExportRecord[], context: BatchContext): Promise<BatchResult>;
  checkConnection(signal?: AbortSignal): Promise<ConnectionCheck>;
  /**
   * Read-only: the documents a push of these records would post and the records the ledger would
   * refuse (locked period, unknown account, foreign currency). Used by `syncs.preview`,
   * `export --dry-run`, and the worker before every batch.
   */
  preflight(records: readonly ExportRecord[], context: PreflightContext): Promise<PreflightResult>;
  /** Read-only checks of credentials, company/journal (or entity) and every configured account. */
  inspectConnection(signal?: AbortSignal): Promise<ConnectionReport>;
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
      /**
       * Records a post went out for that no read-back settled before the batch failed: they may be
       * in the ledger. The caller remembers them as unverified (`POSTED_NOT_FOUND`) and passes them
       * as `BatchContext.neverSend` until a read-back finds them or an operator confirms.
       */
      unverifiedRecordIds?: readonly string[];
      /** How long the provider asked the caller to wait before trying again (Retry-After, rate limits). */
      retryAfterMs?: number;
    },
  ) {
    super(message);
  }
}
