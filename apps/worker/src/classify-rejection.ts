import { classifyRejection } from '@meander/accounting';
import type { AccountingSystem, ErrorDetails, RecordFailure } from '@meander/domain';

/**
 * The rejection catalogue applied where rejections are recorded: `code` and `reason` stay the
 * ledger's own; the catalogue's code and category are added beside them. Message and fix are
 * looked up from the code when shown, so the audit row stays small.
 */
export function classifyRecordFailure(system: AccountingSystem, failure: RecordFailure): RecordFailure {
  const c = classifyRejection(system, { code: failure.code, message: failure.reason });
  return { ...failure, catalogCode: c.code, catalogCategory: c.category };
}

/** The same for a sync-level error: its provider code wins over the adapter's own when both exist. */
export function classifyErrorDetails(system: AccountingSystem, details: ErrorDetails): ErrorDetails {
  const byProvider = details.providerCode
    ? classifyRejection(system, { code: details.providerCode, message: details.message })
    : null;
  const c =
    byProvider && byProvider.category !== 'unclassified'
      ? byProvider
      : classifyRejection(system, { code: details.code, message: details.message });
  return { ...details, catalogCode: c.code, catalogCategory: c.category };
}
