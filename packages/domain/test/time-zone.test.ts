import { describe, expect, it } from 'vitest';
import {
  calendarDaysPeriod,
  calendarMonthPeriod,
  formatZonedDateTime,
  isKnownTimeZone,
  periodLabel,
  timeZoneSchema,
} from '../src/index.js';

describe('time zones: an organization keeps its books in one IANA zone', () => {
  it('accepts IANA names in their canonical spelling and refuses unknown ones with rule time_zone_known', () => {
    expect(timeZoneSchema.parse('Europe/Oslo')).toBe('Europe/Oslo');
    expect(timeZoneSchema.parse('europe/oslo')).toBe('Europe/Oslo');
    expect(timeZoneSchema.parse('UTC')).toBe('UTC');
    const refused = timeZoneSchema.safeParse('Europe/Atlantis');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]).toMatchObject({ params: { rule: 'time_zone_known' } });
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
    expect(isKnownTimeZone('')).toBe(false);
  });

  it('a scheduled month in Oslo is local midnight to local midnight, across the October DST change', () => {
    // 2026-10-25 Oslo leaves summer time: November starts at 23:00Z, October started at 22:00Z.
    expect(calendarMonthPeriod(new Date('2026-12-05T01:00:00Z'), 'Europe/Oslo', -1)).toEqual({
      periodStart: '2026-10-31T23:00:00.000Z',
      periodEnd: '2026-11-30T22:59:59.999Z',
    });
    expect(calendarMonthPeriod(new Date('2026-11-02T00:00:00Z'), 'Europe/Oslo', -1)).toEqual({
      periodStart: '2026-09-30T22:00:00.000Z',
      periodEnd: '2026-10-31T22:59:59.999Z',
    });
    // 23:30Z on 30 November is already December in Oslo.
    expect(calendarMonthPeriod(new Date('2026-11-30T23:30:00Z'), 'Europe/Oslo', 0).periodStart).toBe(
      '2026-11-30T23:00:00.000Z',
    );
  });

  it('periodLabel reads a whole local month as "November 2026", with an inclusive or next-midnight end', () => {
    expect(periodLabel('2026-10-31T23:00:00.000Z', '2026-11-30T22:59:59.999Z', 'Europe/Oslo')).toBe(
      'November 2026',
    );
    expect(periodLabel('2026-10-31T23:00:00.000Z', '2026-11-30T23:00:00.000Z', 'Europe/Oslo')).toBe(
      'November 2026',
    );
    // The month with the DST change is 31 days and one hour long.
    expect(periodLabel('2026-09-30T22:00:00.000Z', '2026-10-31T22:59:59.999Z', 'Europe/Oslo')).toBe(
      'October 2026',
    );
    expect(periodLabel('2026-02-28T23:00:00.000Z', '2026-03-31T21:59:59.999Z', 'Europe/Oslo')).toBe(
      'March 2026',
    );
    // The same instants in UTC are not a month.
    expect(periodLabel('2026-10-31T23:00:00.000Z', '2026-11-30T22:59:59.999Z', 'UTC')).toBe(
      '2026-10-31 – 2026-11-30',
    );
    expect(periodLabel('2026-11-01T00:00:00.000Z', '2026-11-30T23:59:59.999Z', 'UTC')).toBe('November 2026');
    expect(periodLabel('2026-11-01T00:00:00.000Z', '2026-11-24T23:59:59.999Z', 'UTC')).toBe(
      '2026-11-01 – 2026-11-24',
    );
    expect(periodLabel('2026-11-04T23:00:00.000Z', '2026-11-05T23:00:00.000Z', 'Europe/Oslo')).toBe(
      '2026-11-05',
    );
  });

  it("calendar days are the zone's days, both inclusive, DST-aware", () => {
    expect(calendarDaysPeriod('2026-11-01', '2026-11-24', 'Europe/Oslo')).toEqual({
      periodStart: '2026-10-31T23:00:00.000Z',
      periodEnd: '2026-11-24T22:59:59.999Z',
    });
    // 29 March 2026 Oslo enters summer time: the day is 23 hours long.
    expect(calendarDaysPeriod('2026-03-29', '2026-03-29', 'Europe/Oslo')).toEqual({
      periodStart: '2026-03-28T23:00:00.000Z',
      periodEnd: '2026-03-29T21:59:59.999Z',
    });
    expect(() => calendarDaysPeriod('2026-02-30', '2026-03-01', 'UTC')).toThrow(RangeError);
  });

  it('a day whose midnight the clocks skip starts at the jump, not an hour into the day before', () => {
    // Chile and Cuba start summer time at 00:00: 2026-09-06 in Santiago begins at 01:00 -03.
    expect(calendarDaysPeriod('2026-09-06', '2026-09-06', 'America/Santiago')).toEqual({
      periodStart: '2026-09-06T04:00:00.000Z',
      periodEnd: '2026-09-07T02:59:59.999Z',
    });
    expect(calendarDaysPeriod('2026-03-08', '2026-03-08', 'America/Havana').periodStart).toBe(
      '2026-03-08T05:00:00.000Z',
    );
    const day = calendarDaysPeriod('2026-09-06', '2026-09-06', 'America/Santiago');
    expect(periodLabel(day.periodStart, day.periodEnd, 'America/Santiago')).toBe('2026-09-06');
    // Santiago's autumn: 00:00 -03 falls back to 23:00 -04, so 5 April starts at 04:00 UTC.
    expect(calendarDaysPeriod('2026-04-05', '2026-04-05', 'America/Santiago').periodStart).toBe(
      '2026-04-05T04:00:00.000Z',
    );
  });

  it('keeps years 0–99 as written (Date.UTC would turn 0099 into 1999)', () => {
    expect(calendarDaysPeriod('0099-01-01', '0099-12-31', 'UTC')).toEqual({
      periodStart: '0099-01-01T00:00:00.000Z',
      periodEnd: '0099-12-31T23:59:59.999Z',
    });
    expect(calendarDaysPeriod('0050-03-01', '0050-03-31', 'UTC').periodStart).toBe(
      '0050-03-01T00:00:00.000Z',
    );
  });

  it('formats an instant in the zone with its abbreviation', () => {
    expect(formatZonedDateTime('2026-12-05T01:00:00.000Z', 'Europe/Oslo')).toBe('2026-12-05 02:00 CET');
    expect(formatZonedDateTime('2026-07-05T01:00:00.000Z', 'Europe/Oslo')).toBe('2026-07-05 03:00 CEST');
    expect(formatZonedDateTime('2026-07-05T01:00:00.000Z', 'America/New_York')).toBe('2026-07-04 21:00 EDT');
    expect(formatZonedDateTime('2026-07-05T01:00:00.000Z', 'UTC')).toBe('2026-07-05 01:00 UTC');
    expect(formatZonedDateTime('2026-07-05T01:00:00.000Z', 'Asia/Kolkata')).toBe('2026-07-05 06:30 GMT+5:30');
  });
});
