import type { ValidationIssue } from '../errors.js';

type Counts = { recordsSynced: number; recordsFailed: number };

/**
 * `records_progress_bounded` (a product rule; the spec is silent): progress of a running sync only
 * moves forward, and never claims more records than were selected. A count that goes down would
 * hide records already pushed; a sum above `recordsTotal` cannot be progress on this selection.
 * The final counts of `complete` are judged by `records_count_consistency` instead.
 */
export function checkRecordsProgressBounded(
  current: Counts & { recordsTotal: number },
  next: Counts,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const field of ['recordsSynced', 'recordsFailed'] as const) {
    if (next[field] < current[field]) {
      issues.push({
        rule: 'records_progress_bounded',
        severity: 'error',
        path: [field],
        message: `${field} cannot go down while a sync runs (was ${current[field]}, got ${next[field]})`,
      });
    }
  }
  if (next.recordsSynced + next.recordsFailed > current.recordsTotal) {
    issues.push({
      rule: 'records_progress_bounded',
      severity: 'error',
      path: [next.recordsSynced > current.recordsTotal ? 'recordsSynced' : 'recordsFailed'],
      message: `recordsSynced (${next.recordsSynced}) + recordsFailed (${next.recordsFailed}) exceeds recordsTotal (${current.recordsTotal})`,
    });
  }
  return issues;
}
