import type { SyncStatus } from '../enums.js';
import type { ErrorDetails } from '../error-details.js';
import { DomainError } from '../errors.js';

/**
 * `failed_sync_retains_error_details`: a `failed` or `partial` outcome without error context is
 * refused (`ERROR_DETAILS_REQUIRED`), so every failure stays debuggable.
 */
export function assertErrorDetailsRetained(
  status: SyncStatus,
  errorDetails: ErrorDetails | null | undefined,
): void {
  if (status !== 'failed' && status !== 'partial') return;
  if (errorDetails) return;
  throw new DomainError('ERROR_DETAILS_REQUIRED', `A ${status} sync must carry errorDetails`, [
    {
      rule: 'failed_sync_retains_error_details',
      severity: 'error',
      path: ['errorDetails'],
      message: `errorDetails is required when a sync ends ${status}`,
    },
  ]);
}
