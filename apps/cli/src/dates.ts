import { calendarDaysPeriod, calendarMonthPeriod } from '@meander/domain';
import { UsageError } from './exit-codes.js';

/** The relative periods `--period` names, in the organization's zone. */
const RELATIVE_PERIODS = ['this-month', 'last-month'] as const;
type RelativePeriod = (typeof RELATIVE_PERIODS)[number];

/**
 * `--from`/`--to` accept a calendar date (YYYY-MM-DD: a day of the organization's time zone,
 * `--from` its first millisecond, `--to` its last, both inclusive) or a full ISO-8601 datetime.
 */
function parsePeriodBound(value: string, bound: 'start' | 'end', option: string, timeZone = 'UTC'): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    try {
      const day = calendarDaysPeriod(value, value, timeZone);
      return bound === 'start' ? day.periodStart : day.periodEnd;
    } catch {
      throw new UsageError(`${option} "${value}" is not a calendar date (YYYY-MM-DD)`);
    }
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)))
    return new Date(value).toISOString();
  throw new UsageError(`${option} "${value}" is not a date (YYYY-MM-DD) or an ISO-8601 datetime`);
}

/** Both bounds of a period; `--from` after `--to` is a usage error (exit 2) on every command. */
export function parsePeriod(from: string, to: string, timeZone = 'UTC'): { from: string; to: string } {
  const start = parsePeriodBound(from, 'start', '--from', timeZone);
  const end = parsePeriodBound(to, 'end', '--to', timeZone);
  if (start > end) throw new UsageError(`--from ${from} is after --to ${to}`);
  return { from: start, to: end };
}

/** Either `--period this-month|last-month` or both `--from` and `--to`; anything else is exit 2. */
export function resolvePeriod(
  options: { from?: string; to?: string; period?: string },
  timeZone: string,
  now: Date = new Date(),
): { from: string; to: string } {
  if (options.period !== undefined) {
    if (options.from !== undefined || options.to !== undefined)
      throw new UsageError('--period cannot be combined with --from/--to');
    if (!(RELATIVE_PERIODS as readonly string[]).includes(options.period))
      throw new UsageError(`--period must be one of ${RELATIVE_PERIODS.join(', ')}`);
    const month = calendarMonthPeriod(
      now,
      timeZone,
      (options.period as RelativePeriod) === 'this-month' ? 0 : -1,
    );
    return { from: month.periodStart, to: month.periodEnd };
  }
  if (options.from === undefined || options.to === undefined)
    throw new UsageError('give --period this-month|last-month, or both --from and --to');
  return parsePeriod(options.from, options.to, timeZone);
}
