import { UsageError } from './exit-codes.js';

/**
 * `--from`/`--to` accept a calendar date (YYYY-MM-DD, taken as a UTC day: `--from` its first
 * millisecond, `--to` its last, both inclusive) or a full ISO-8601 datetime.
 */
export function parsePeriodBound(value: string, bound: 'start' | 'end', option: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const day = new Date(`${value}T00:00:00.000Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== value) {
      throw new UsageError(`${option} "${value}" is not a calendar date (YYYY-MM-DD)`);
    }
    return bound === 'start' ? day.toISOString() : new Date(day.getTime() + 86_400_000 - 1).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)))
    return new Date(value).toISOString();
  throw new UsageError(`${option} "${value}" is not a date (YYYY-MM-DD) or an ISO-8601 datetime`);
}

/** Both bounds of a period; `--from` after `--to` is a usage error (exit 2) on every command. */
export function parsePeriod(from: string, to: string): { from: string; to: string } {
  const start = parsePeriodBound(from, 'start', '--from');
  const end = parsePeriodBound(to, 'end', '--to');
  if (start > end) throw new UsageError(`--from ${from} is after --to ${to}`);
  return { from: start, to: end };
}
