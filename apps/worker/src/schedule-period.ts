import { Cron } from 'croner';

/** Minutes a time zone is ahead of UTC at `instant` (negative west of Greenwich). */
export function zoneOffsetMinutes(timeZone: string, instant: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/** The UTC instant of local midnight on `year-month-day` in `timeZone` (DST-safe: offset re-read once). */
export function localMidnight(timeZone: string, year: number, monthIndex: number, day: number): Date {
  const guess = Date.UTC(year, monthIndex, day);
  const first = guess - zoneOffsetMinutes(timeZone, new Date(guess)) * 60_000;
  return new Date(guess - zoneOffsetMinutes(timeZone, new Date(first)) * 60_000);
}

/**
 * The period a scheduled export covers: the previous calendar month in the organization's time
 * zone, as UTC instants, both ends inclusive (`…T22:59:59.999Z` for a month ending in Oslo winter).
 */
export function previousMonthPeriod(now: Date, timeZone: string): { periodStart: string; periodEnd: string } {
  const local = new Date(now.getTime() + zoneOffsetMinutes(timeZone, now) * 60_000);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth();
  const start = localMidnight(timeZone, year, month - 1, 1);
  const end = localMidnight(timeZone, year, month, 1);
  return { periodStart: start.toISOString(), periodEnd: new Date(end.getTime() - 1).toISOString() };
}

/** True when `cron` (in `timeZone`) fired in `(since, now]`: the dispatcher's "is it due" question. */
export function firedBetween(cron: string, timeZone: string, since: Date, now: Date): boolean {
  return lastFiredBetween(cron, timeZone, since, now) !== null;
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
