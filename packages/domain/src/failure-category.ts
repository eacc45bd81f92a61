import type { ErrorDetails, RecordFailure } from './error-details.js';
import { type RejectionCategory, rejectionCategoryOf } from './rejection-category.js';

/**
 * The one category a person reads for a failed or partial sync, from the one list
 * ({@link REJECTION_CATEGORIES}: `master_data`, `mapping`, `period_locked`, …). `errorDetails.category`
 * stays the contract's transport class (`validation`, `auth`, `rate_limit`, …), which cannot say
 * "fix the account in the ledger"; this reads the catalogue's category where the sync has one, else
 * the one every rejected record shares, else the transport class mapped onto the list.
 */
export function failureCategory(details: {
  category: ErrorDetails['category'];
  catalogCategory?: ErrorDetails['catalogCategory'];
  recordFailures?: readonly RecordFailure[];
}): RejectionCategory {
  if (details.catalogCategory) return details.catalogCategory;
  const shared = new Set(
    (details.recordFailures ?? []).map(
      (f) => f.catalogCategory ?? (f.category ? rejectionCategoryOf(f.category) : undefined),
    ),
  );
  const [only] = shared;
  if (shared.size === 1 && only !== undefined) return only;
  return rejectionCategoryOf(details.category);
}
