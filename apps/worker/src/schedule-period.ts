import { calendarMonthPeriod, type UtcPeriod } from '@meander/domain';
import { Cron } from 'croner';

/**
 * The period a scheduled export covers: the previous calendar month in the organization's time
 * zone, as UTC instants, both ends inclusive (`…T22:59:59.999Z` for a month ending in Oslo winter).
 */
export function previousMonthPeriod(now: Date, timeZone: string): UtcPeriod {
  return calendarMonthPeriod(now, timeZone, -1);
}

/**
 * The latest instant `cron` (in `timeZone`) fired in `(since, now]`, or null. Every node computes
 * the same slot for the same firing, which is what lets the dispatcher create its sync once.
 */
export function lastFiredBetween(cron: string, timeZone: string, since: Date, now: Date): Date | null {
  const job = new Cron(cron, { timezone: timeZone, paused: true });
  try {
    // previousRuns looks strictly before its reference (within a second it counts runs earlier in
    // that second), so one millisecond past `now` makes a run at exactly `now` count.
    const [last] = job.previousRuns(1, new Date(now.getTime() + 1));
    return last && last.getTime() > since.getTime() ? last : null;
  } finally {
    job.stop();
  }
}
