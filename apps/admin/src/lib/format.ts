import type { ACCOUNTING_SYSTEM_DESCRIPTIONS, AccountingSystem } from '@meander/domain';

/** Datetimes shown in UTC, the unit the API and the audit trail use. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatDate(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : '—';
}

/** "2026-10-01 – 2026-10-31" for a period whose end is exclusive or inclusive alike. */
export function formatPeriod(start: string, end: string): string {
  return `${formatDate(start)} – ${formatDate(end)}`;
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
export const ACCOUNTING_SYSTEM_LABELS = {
  xledger: 'Xledger',
  dynamics: 'Business Central',
} as const satisfies DomainSystemLabels;

export const SYSTEM_LABELS: Readonly<Record<string, string>> = ACCOUNTING_SYSTEM_LABELS;

export const SYNC_TYPE_LABELS: Record<string, string> = {
  scheduled: 'Scheduled',
  manual: 'Manual',
  api: 'API',
};
