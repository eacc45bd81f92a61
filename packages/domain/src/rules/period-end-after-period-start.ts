import { compareDateTimes } from '../datetime.js';
import type { ValidationIssue } from '../errors.js';

/**
 * `period_end_after_period_start`: the period's end must come strictly after its start. Both ends
 * are inclusive, so a one-day period is `00:00:00.000` to `23:59:59.999`.
 */
export function checkPeriodEndAfterPeriodStart(period: {
  periodStart: string;
  periodEnd: string;
}): ValidationIssue[] {
  if (compareDateTimes(period.periodEnd, period.periodStart) > 0) return [];
  return [
    {
      rule: 'period_end_after_period_start',
      severity: 'error',
      path: ['periodEnd'],
      message: `periodEnd (${period.periodEnd}) must be after periodStart (${period.periodStart})`,
    },
  ];
}
