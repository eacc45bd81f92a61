import { z } from 'zod';
import type { IsoDateTime } from './datetime.js';

/**
 * Every organization keeps its books in one IANA time zone: its periods (a scheduled month, the
 * CLI's calendar days) are computed there, and times are shown there with its abbreviation. The
 * wire stays ISO UTC. Everything here uses the runtime's `Intl` time-zone database, no I/O.
 */

/** The zone of an organization that has not chosen one (and of every organization before 0009). */
export const DEFAULT_TIME_ZONE = 'UTC';

/** True when the runtime's time-zone database knows `name` (an IANA name such as `Europe/Oslo`). */
export function isKnownTimeZone(name: string): boolean {
  if (name.length === 0 || name.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * An IANA time zone the runtime knows, normalized to its canonical spelling (`europe/oslo` →
 * `Europe/Oslo`). An unknown name is refused with rule `time_zone_known`.
 */
export const timeZoneSchema = z
  .string()
  .trim()
  .refine(isKnownTimeZone, {
    message: 'Time zone must be an IANA name such as Europe/Oslo',
    params: { rule: 'time_zone_known' },
  })
  .transform((name) => new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone);

/** Minutes `timeZone` is ahead of UTC at `instant` (negative west of Greenwich). */
function zoneOffsetMinutes(timeZone: string, instant: Date): number {
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
  const asUtc = utcTime(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/**
 * `Date.UTC` without its legacy rule that maps years 0–99 to 1900–1999 (`0099-01-01` must stay
 * year 99, not become 1999).
 */
function utcTime(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0): number {
  const at = new Date(0);
  at.setUTCFullYear(year, monthIndex, day);
  at.setUTCHours(hour, minute, second, 0);
  return at.getTime();
}

/** The UTC instant of local midnight on `year-month-day` in `timeZone` (DST-safe: the offset is re-read once). */
function localMidnight(timeZone: string, year: number, monthIndex: number, day: number): Date {
  const guess = utcTime(year, monthIndex, day);
  const first = guess - zoneOffsetMinutes(timeZone, new Date(guess)) * 60_000;
  const second = guess - zoneOffsetMinutes(timeZone, new Date(first)) * 60_000;
  // Where summer time starts at midnight (America/Santiago, America/Havana) midnight never happens
  // and the day starts at the jump: the earlier reading that already falls on the day.
  const day0 = new Date(guess).toISOString().slice(0, 10);
  const onDay = [Math.min(first, second), Math.max(first, second)].find(
    (t) => localDate(new Date(t), timeZone) === day0,
  );
  return new Date(onDay ?? second);
}

/** The calendar date (`YYYY-MM-DD`) `instant` falls on in `timeZone`. */
export function localDate(instant: Date | IsoDateTime, timeZone: string): string {
  const at = typeof instant === 'string' ? new Date(instant) : instant;
  return new Date(at.getTime() + zoneOffsetMinutes(timeZone, at) * 60_000).toISOString().slice(0, 10);
}

/** A period as UTC instants, both ends inclusive (the end is the last millisecond). */
export interface UtcPeriod {
  periodStart: IsoDateTime;
  periodEnd: IsoDateTime;
}

/**
 * The calendar days `from`…`to` (`YYYY-MM-DD`, both inclusive) of `timeZone` as UTC instants:
 * `from`'s local midnight to the millisecond before the local midnight after `to`.
 * Throws a RangeError for a date that is not on the calendar.
 */
export function calendarDaysPeriod(from: string, to: string, timeZone: string): UtcPeriod {
  const [fy, fm, fd] = calendarDate(from);
  const [ty, tm, td] = calendarDate(to);
  return {
    periodStart: localMidnight(timeZone, fy, fm, fd).toISOString(),
    periodEnd: new Date(localMidnight(timeZone, ty, tm, td + 1).getTime() - 1).toISOString(),
  };
}

function calendarDate(value: string): [number, number, number] {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const day = new Date(`${value}T00:00:00.000Z`);
  if (!match || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== value) {
    throw new RangeError(`"${value}" is not a calendar date (YYYY-MM-DD)`);
  }
  return [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
}

/**
 * The calendar month `offset` months from the one `now` falls in, in `timeZone` (0: this month,
 * -1: last month), as UTC instants with an inclusive end — what a scheduled export and
 * `--period this-month|last-month` cover.
 */
export function calendarMonthPeriod(now: Date, timeZone: string, offset: number): UtcPeriod {
  const local = new Date(now.getTime() + zoneOffsetMinutes(timeZone, now) * 60_000);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth() + offset;
  const start = localMidnight(timeZone, year, month, 1);
  const end = localMidnight(timeZone, year, month + 1, 1);
  return { periodStart: start.toISOString(), periodEnd: new Date(end.getTime() - 1).toISOString() };
}

/**
 * How a period reads to the people who keep the books, in their zone: a whole calendar month is
 * "November 2026", anything else its first and last local days ("2026-11-01 – 2026-11-24", or one
 * day alone). The end may be inclusive (last millisecond) or the next midnight.
 */
export function periodLabel(
  periodStart: IsoDateTime,
  periodEnd: IsoDateTime,
  timeZone: string,
  locale = 'en-GB',
): string {
  const start = new Date(periodStart);
  const endMs = new Date(periodEnd).getTime();
  const month = calendarMonthPeriod(start, timeZone, 0);
  const endsAtMonthEnd = endMs === Date.parse(month.periodEnd) || endMs === Date.parse(month.periodEnd) + 1;
  if (start.getTime() === Date.parse(month.periodStart) && endsAtMonthEnd) {
    return new Intl.DateTimeFormat(locale, { timeZone, month: 'long', year: 'numeric' }).format(start);
  }
  const first = localDate(start, timeZone);
  // A next-midnight end belongs to the day before it.
  const last = localDate(new Date(isLocalMidnight(endMs, timeZone) ? endMs - 1 : endMs), timeZone);
  return first === last ? first : `${first} – ${last}`;
}

function isLocalMidnight(ms: number, timeZone: string): boolean {
  const [y, m, d] = calendarDate(localDate(new Date(ms), timeZone));
  return localMidnight(timeZone, y, m, d).getTime() === ms;
}

/**
 * `instant` as a local date and time in `timeZone` with the zone's abbreviation
 * (`2026-12-05 02:00 CET`; `UTC` for UTC; a `GMT+x` offset where the runtime has no abbreviation).
 */
export function formatZonedDateTime(instant: Date | IsoDateTime, timeZone: string): string {
  const at = typeof instant === 'string' ? new Date(instant) : instant;
  const local = new Date(at.getTime() + zoneOffsetMinutes(timeZone, at) * 60_000).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 16)} ${zoneAbbreviation(at, timeZone)}`;
}

/** The short name of `timeZone` at `instant` (`CET`, `CEST`, `UTC`, `GMT+9`). */
function zoneAbbreviation(instant: Date, timeZone: string): string {
  const part = new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'short' })
    .formatToParts(instant)
    .find((p) => p.type === 'timeZoneName')?.value;
  // en-GB names Europe's zones (CET/CEST, BST); en-US the Americas'. Prefer a letter abbreviation.
  if (part && !/^GMT|^UTC[+-]/.test(part)) return part;
  const us = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' })
    .formatToParts(instant)
    .find((p) => p.type === 'timeZoneName')?.value;
  if (us && !/^GMT[+-]/.test(us)) return us;
  return timeZone === 'UTC' || timeZone === 'Etc/UTC' ? 'UTC' : (part ?? us ?? timeZone);
}
