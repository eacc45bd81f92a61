import { DomainError, type ValidationIssue } from '../errors.js';

/** The longest period an export, a preview or a history filter may span: five years of days. */
export const MAX_PERIOD_DAYS = 5 * 366;

const DAY_MS = 86_400_000;

/**
 * `period_span_bounded` (a product rule): a period spans at most {@link MAX_PERIOD_DAYS} days.
 * An export of 0001–9999 would stream every record the organization ever had and pin a worker;
 * no accounting period is that long. `fromField`/`toField` name the fields as the caller sent them.
 */
export function checkPeriodSpanBounded(
  from: string,
  to: string,
  fields: { from: string; to: string } = { from: 'periodStart', to: 'periodEnd' },
): ValidationIssue[] {
  const span = Date.parse(to) - Date.parse(from);
  if (!Number.isFinite(span) || span <= MAX_PERIOD_DAYS * DAY_MS) return [];
  return [
    {
      rule: 'period_span_bounded',
      severity: 'error',
      path: [fields.to],
      message: `The period from ${fields.from} (${from}) to ${fields.to} (${to}) spans ${Math.ceil(span / DAY_MS)} days; at most ${MAX_PERIOD_DAYS} days (five years) are allowed`,
    },
  ];
}

/** Throw `VALIDATION_FAILED` (rule `period_span_bounded`) when the period is longer than allowed. */
export function assertPeriodSpanBounded(
  from: string,
  to: string,
  fields: { from: string; to: string } = { from: 'periodStart', to: 'periodEnd' },
): void {
  const issues = checkPeriodSpanBounded(from, to, fields);
  if (issues.length > 0) throw new DomainError('VALIDATION_FAILED', issues[0]?.message ?? '', issues);
}
