import type { ACCOUNTING_SYSTEM_DESCRIPTIONS, AccountingSystem } from '@meander/domain';

/** The zone a time is shown in when the organization names none. */
const DEFAULT_TIME_ZONE = 'UTC';

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
function dateTimeFormat(timeZone: string): Intl.DateTimeFormat {
  let format = dateTimeFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    dateTimeFormats.set(timeZone, format);
  }
  return format;
}

/** A zone the browser knows, else UTC (an unknown name must not blank the page). */
export function usableTimeZone(timeZone: string | null | undefined): string {
  if (!timeZone) return DEFAULT_TIME_ZONE;
  try {
    dateTimeFormat(timeZone);
    return timeZone;
  } catch {
    return DEFAULT_TIME_ZONE;
  }
}

/**
 * "2026-12-05 02:00 CET": the instant in the organization's time zone with its abbreviation
 * (UTC when the organization names no zone). The wire keeps ISO UTC; this is for people.
 */
export function formatDateTime(iso: string | null | undefined, timeZone?: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = Object.fromEntries(
    dateTimeFormat(usableTimeZone(timeZone))
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}

function formatDate(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : '—';
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  midnight: boolean;
}

function localParts(iso: string, timeZone: string): LocalParts | null {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  const parts = Object.fromEntries(
    dateTimeFormat(timeZone)
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    midnight: parts.hour === '00' && parts.minute === '00' && d.getUTCSeconds() === 0,
  };
}

const pad = (n: number) => String(n).padStart(2, '0');
const isoDay = (p: { year: number; month: number; day: number }) => `${p.year}-${pad(p.month)}-${pad(p.day)}`;

/**
 * A period as the organization's calendar reads it: "November 2026" for a whole month in its zone,
 * else "2026-11-03 – 2026-11-09" (an end at local midnight is exclusive, so the day before is shown).
 */
export function formatPeriod(start: string, end: string, timeZone?: string | null): string {
  const zone = usableTimeZone(timeZone);
  const from = localParts(start, zone);
  const to = localParts(end, zone);
  if (!from || !to) return `${formatDate(start)} – ${formatDate(end)}`;
  const nextMonth = from.month === 12 ? { y: from.year + 1, m: 1 } : { y: from.year, m: from.month + 1 };
  if (
    from.midnight &&
    from.day === 1 &&
    to.midnight &&
    to.day === 1 &&
    to.year === nextMonth.y &&
    to.month === nextMonth.m
  ) {
    const label = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
    return label.format(Date.UTC(from.year, from.month - 1, 1));
  }
  const last = to.midnight ? new Date(Date.UTC(to.year, to.month - 1, to.day - 1)) : null;
  const endDay = last
    ? isoDay({ year: last.getUTCFullYear(), month: last.getUTCMonth() + 1, day: last.getUTCDate() })
    : isoDay(to);
  const startDay = isoDay(from);
  return startDay === endDay ? startDay : `${startDay} – ${endDay}`;
}

/**
 * Integer minor units (a decimal string, a bigint or a safe integer) in the currency's normal
 * units with grouping, in `locale` (the browser's when omitted): 27542040 NOK → "275 420,40 kr"
 * in nb-NO. The amount is placed as a decimal string, so it never passes through a float.
 */
export function formatMoney(
  minor: string | number | bigint,
  currency: string,
  locale?: string | readonly string[],
): string {
  const format = new Intl.NumberFormat(locale as string | string[] | undefined, {
    style: 'currency',
    currency,
  });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  const value = BigInt(minor);
  const sign = value < 0n ? '-' : '';
  const text = (value < 0n ? -value : value).toString().padStart(digits + 1, '0');
  const decimal = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  // Intl.NumberFormat formats a decimal string exactly (ECMA-402 "Intl.NumberFormat v3").
  return format.format(`${sign}${decimal}` as unknown as number);
}

/** Sum of minor-unit amounts per currency (bigint: no float, no overflow). */
export function totalsByCurrency(
  amounts: Iterable<{ amountMinor: string | null; currency: string | null }>,
): { currency: string; totalMinor: bigint; count: number }[] {
  const totals = new Map<string, { currency: string; totalMinor: bigint; count: number }>();
  for (const a of amounts) {
    if (a.amountMinor === null || a.currency === null) continue;
    const seen = totals.get(a.currency) ?? { currency: a.currency, totalMinor: 0n, count: 0 };
    seen.totalMinor += BigInt(a.amountMinor);
    seen.count += 1;
    totals.set(a.currency, seen);
  }
  return [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

/** "850 ms", "12.4 s", "3 min 5 s", "2 h 4 min" between two instants; "" when either is missing. */
export function formatDuration(from: string | null | undefined, to: string | null | undefined): string {
  if (!from || !to) return '';
  const ms = Date.parse(to) - Date.parse(from);
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(Math.round(ms / 100) / 10).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

/** The first 8 characters of an id, for people (the full id goes into a title). */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

export function formatPercent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${Math.round(rate * 100)} %`;
}

/** "3 min ago", "in 5 h", for people; the exact time goes into a title attribute. */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const abs = Math.abs(seconds);
  const [value, unit] =
    abs < 60
      ? [abs, 's']
      : abs < 3600
        ? [Math.round(abs / 60), 'min']
        : abs < 86_400
          ? [Math.round(abs / 3600), 'h']
          : [Math.round(abs / 86_400), 'd'];
  return seconds < 0 ? `${value} ${unit} ago` : `in ${value} ${unit}`;
}

export const STATUS_LABELS: Record<string, string> = {
  pending: 'Pending',
  in_progress: 'In progress',
  success: 'Success',
  partial: 'Partial',
  failed: 'Failed',
};

type DomainSystemLabels = {
  readonly [S in AccountingSystem]: (typeof ACCOUNTING_SYSTEM_DESCRIPTIONS)[S]['label'];
};

/**
 * The domain's display name of every accounting system. The console takes only types from
 * `@meander/domain` (vite would bundle the package's build, not its sources), so the names are
 * written again here and the compiler holds them to the domain's: a system added or renamed there
 * does not compile until this matches.
 */
const ACCOUNTING_SYSTEM_LABELS = {
  xledger: 'Xledger',
  dynamics: 'Business Central',
} as const satisfies DomainSystemLabels;

export const SYSTEM_LABELS: Readonly<Record<string, string>> = ACCOUNTING_SYSTEM_LABELS;

export const SYNC_TYPE_LABELS: Record<string, string> = {
  scheduled: 'Scheduled',
  manual: 'Manual',
  api: 'API',
};

/** The zone's offset from UTC at `instantMs`, in ms (positive east of Greenwich). */
function zoneOffsetMs(instantMs: number, timeZone: string): number {
  const parts = Object.fromEntries(
    dateTimeFormat(timeZone)
      .formatToParts(new Date(instantMs))
      .map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
  );
  return asUtc - Math.floor(instantMs / 60_000) * 60_000;
}

/**
 * The instant a calendar day ("2026-11-01") begins in `timeZone`, as ISO UTC: the organization's
 * days, whatever zone the browser is in. Two passes settle a day that starts next to a DST change.
 */
export function startOfZonedDay(day: string, timeZone: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  let instant = wall - zoneOffsetMs(wall, timeZone);
  instant = wall - zoneOffsetMs(instant, timeZone);
  return new Date(instant).toISOString();
}

/** Today's date in `timeZone` ("2026-12-05"). */
export function zonedToday(timeZone: string, now = new Date()): string {
  const p = localParts(now.toISOString(), usableTimeZone(timeZone));
  return p ? isoDay(p) : now.toISOString().slice(0, 10);
}

/** The day after a calendar day ("2026-12-31" → "2027-01-01"). */
export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}
