import type { ErrorDetails } from '../error-details.js';
import { appendWarning } from '../error-details.js';
import { assertErrorDetailsRetained } from './failed-sync-retains-error-details.js';

/** The outcome the domain decides for a completing sync. */
export interface CompletionDecision {
  status: 'success' | 'partial';
  errorDetails: ErrorDetails | null;
}

/**
 * `records_count_consistency`: decide a completion's terminal status from its counts.
 * - every record accepted and `synced + failed = total` → `success`;
 * - any record rejected → `partial` (its `errorDetails` are required);
 * - `synced + failed ≠ total` → `partial`, with a `records_count_consistency` warning appended to
 *   `errorDetails` (created if the caller sent none, so the mismatch is always explained).
 */
export function decideCompletion(input: {
  recordsTotal: number;
  recordsSynced: number;
  recordsFailed: number;
  errorDetails: ErrorDetails | null | undefined;
}): CompletionDecision {
  const { recordsTotal, recordsSynced, recordsFailed } = input;
  const consistent = recordsSynced + recordsFailed === recordsTotal;

  if (recordsFailed > 0) assertErrorDetailsRetained('partial', input.errorDetails);

  if (consistent) {
    return recordsFailed === 0
      ? { status: 'success', errorDetails: input.errorDetails ?? null }
      : { status: 'partial', errorDetails: input.errorDetails ?? null };
  }

  const warning = {
    rule: 'records_count_consistency',
    message: `recordsSynced (${recordsSynced}) + recordsFailed (${recordsFailed}) does not equal recordsTotal (${recordsTotal})`,
  };
  const base: ErrorDetails = input.errorDetails ?? {
    code: 'RECORDS_COUNT_MISMATCH',
    message: warning.message,
    category: 'validation',
    retryable: true,
  };
  return { status: 'partial', errorDetails: appendWarning(base, warning) };
}
