import { compareDateTimes } from '../datetime.js';
import type { ValidationIssue } from '../errors.js';

/**
 * `completed_at_after_started_at`: a sync cannot finish before it began. Equal instants are
 * allowed: a sync refused at once completes within the same millisecond it started.
 */
export function checkCompletedAtAfterStartedAt(times: {
  startedAt: string;
  completedAt: string | null;
}): ValidationIssue[] {
  if (times.completedAt === null || compareDateTimes(times.completedAt, times.startedAt) >= 0) return [];
  return [
    {
      rule: 'completed_at_after_started_at',
      severity: 'error',
      path: ['completedAt'],
      message: `completedAt (${times.completedAt}) must not be before startedAt (${times.startedAt})`,
    },
  ];
}
