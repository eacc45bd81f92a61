import { describe, expect, it } from 'vitest';
import {
  formatDateTime,
  formatDuration,
  formatMoney,
  formatPeriod,
  nextDay,
  startOfZonedDay,
  totalsByCurrency,
  usableTimeZone,
  zonedToday,
} from '../src/lib/format';

// Intl separates groups and currency with no-break spaces; tests read them as plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('formatMoney', () => {
  it('shows integer minor units in normal units with the locale grouping', () => {
    expect(plain(formatMoney('27542040', 'NOK', 'nb-NO'))).toBe('275 420,40 kr');
    expect(plain(formatMoney('27542040', 'NOK', 'en-GB'))).toBe('NOK 275,420.40');
    expect(formatMoney(-5, 'EUR', 'en-GB')).toBe('-€0.05');
    expect(plain(formatMoney(0, 'NOK', 'en-GB'))).toBe('NOK 0.00');
  });

  it('keeps every digit of amounts beyond a float’s precision', () => {
    expect(plain(formatMoney(12345678901234567891n, 'NOK', 'en-GB'))).toBe('NOK 123,456,789,012,345,678.91');
    expect(formatMoney('9007199254740993', 'USD', 'en-US')).toBe('$90,071,992,547,409.93');
  });

  it('follows the currency’s decimals (JPY has none)', () => {
    expect(formatMoney('1234', 'JPY', 'en-GB')).toBe('JP¥1,234');
  });

  it('refuses what is not an integer', () => {
    expect(() => formatMoney('12.5', 'NOK', 'en-GB')).toThrow();
  });

  it('totals per currency without floats', () => {
    expect(
      totalsByCurrency([
        { amountMinor: '9007199254740993', currency: 'NOK' },
        { amountMinor: '7', currency: 'NOK' },
        { amountMinor: '100', currency: 'EUR' },
        { amountMinor: null, currency: null },
      ]),
    ).toEqual([
      { currency: 'EUR', totalMinor: 100n, count: 1 },
      { currency: 'NOK', totalMinor: 9007199254741000n, count: 2 },
    ]);
  });
});

describe('formatDateTime', () => {
  it('shows the instant in the organization’s zone with its abbreviation', () => {
    expect(formatDateTime('2026-12-05T01:00:00.000Z', 'Europe/Oslo')).toBe('2026-12-05 02:00 CET');
    expect(formatDateTime('2026-07-01T12:30:00.000Z', 'Europe/Oslo')).toBe('2026-07-01 14:30 CEST');
  });

  it('falls back to UTC without a zone or with one the browser does not know', () => {
    expect(formatDateTime('2026-12-05T01:00:00.000Z')).toBe('2026-12-05 01:00 UTC');
    expect(formatDateTime('2026-12-05T01:00:00.000Z', 'Mars/Olympus')).toBe('2026-12-05 01:00 UTC');
    expect(usableTimeZone('Mars/Olympus')).toBe('UTC');
    expect(formatDateTime(null)).toBe('—');
  });
});

describe('formatPeriod', () => {
  it('names a whole month of the organization’s calendar', () => {
    expect(formatPeriod('2026-10-31T23:00:00.000Z', '2026-11-30T23:00:00.000Z', 'Europe/Oslo')).toBe(
      'November 2026',
    );
    expect(formatPeriod('2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z')).toBe('November 2026');
  });

  it('shows other periods as local days, an end at midnight being exclusive', () => {
    expect(formatPeriod('2026-10-31T23:00:00.000Z', '2026-11-30T23:00:00.000Z', 'UTC')).toBe(
      '2026-10-31 – 2026-11-30',
    );
    expect(formatPeriod('2026-11-03T00:00:00.000Z', '2026-11-10T00:00:00.000Z')).toBe(
      '2026-11-03 – 2026-11-09',
    );
    expect(formatPeriod('2026-11-01T00:00:00.000Z', '2026-11-05T23:59:59.999Z')).toBe(
      '2026-11-01 – 2026-11-05',
    );
  });
});

describe('formatDuration', () => {
  it('reads like a person would say it', () => {
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
    expect(formatDuration(at(0), at(850))).toBe('850 ms');
    expect(formatDuration(at(0), at(12_449))).toBe('12.4 s');
    expect(formatDuration(at(0), at(185_000))).toBe('3 min 5 s');
    expect(formatDuration(at(0), at(7_440_000))).toBe('2 h 4 min');
    expect(formatDuration(at(0), null)).toBe('');
  });
});

describe('the organization’s calendar days', () => {
  it('starts a day at the zone’s midnight, across DST changes', () => {
    expect(startOfZonedDay('2026-11-01', 'Europe/Oslo')).toBe('2026-10-31T23:00:00.000Z');
    expect(startOfZonedDay('2026-07-01', 'Europe/Oslo')).toBe('2026-06-30T22:00:00.000Z');
    // The day of the autumn change starts in summer time, the next in winter time.
    expect(startOfZonedDay('2026-10-25', 'Europe/Oslo')).toBe('2026-10-24T22:00:00.000Z');
    expect(startOfZonedDay('2026-10-26', 'Europe/Oslo')).toBe('2026-10-25T23:00:00.000Z');
    expect(startOfZonedDay('2026-03-29', 'America/New_York')).toBe('2026-03-29T04:00:00.000Z');
    expect(startOfZonedDay('2026-11-01', 'UTC')).toBe('2026-11-01T00:00:00.000Z');
  });

  it('knows today and the next day in the zone', () => {
    const lateEvening = new Date('2026-11-30T23:30:00.000Z');
    expect(zonedToday('Europe/Oslo', lateEvening)).toBe('2026-12-01');
    expect(zonedToday('UTC', lateEvening)).toBe('2026-11-30');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
  });

  it('reads a month exported by those days as the month', () => {
    const from = startOfZonedDay('2026-11-01', 'Europe/Oslo');
    const to = startOfZonedDay(nextDay('2026-11-30'), 'Europe/Oslo');
    expect(formatPeriod(from, to, 'Europe/Oslo')).toBe('November 2026');
  });
});
