import type { ValidationIssue } from '../errors.js';
import { RECORD_COUNT_FIELDS, type RecordCountField } from '../sync-log.js';

/** `records_counts_non_negative`: every count present must be an integer ≥ 0. */
export function checkRecordsCountsNonNegative(
  counts: Partial<Record<RecordCountField, number>>,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const field of RECORD_COUNT_FIELDS) {
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
