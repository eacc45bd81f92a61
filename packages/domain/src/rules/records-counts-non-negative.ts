import type { ValidationIssue } from '../errors.js';

type CountField = 'recordsTotal' | 'recordsSynced' | 'recordsFailed';

/** `records_counts_non_negative`: every count present must be an integer ≥ 0. */
export function checkRecordsCountsNonNegative(
  counts: Partial<Record<CountField, number>>,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const field of ['recordsTotal', 'recordsSynced', 'recordsFailed'] as const) {
    const value = counts[field];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 0) {
      issues.push({
        rule: 'records_counts_non_negative',
        severity: 'error',
        path: [field],
        message: `${field} must be a non-negative integer, got ${value}`,
      });
    }
  }
  return issues;
}
