import {
  ACCOUNTING_SYSTEMS,
  type AccountingSystem,
  SYNC_STATUSES,
  SYNC_TYPES,
  type SyncStatus,
  type SyncType,
} from '@meander/domain';

/** The history page's filters as they live in the URL (`/history?status=partial&periodFrom=2026-10-01`). */
export interface HistorySearch {
  organizationId?: string;
  status?: SyncStatus;
  accountingSystem?: AccountingSystem;
  syncType?: SyncType;
  triggeredBy?: string;
  /** Dates (YYYY-MM-DD) in the URL; whole UTC days when sent to the API. */
  periodFrom?: string;
  periodTo?: string;
  startedAfter?: string;
  startedBefore?: string;
}

const FILTER_KEYS = [
  'organizationId',
  'status',
  'accountingSystem',
  'syncType',
  'triggeredBy',
  'periodFrom',
  'periodTo',
  'startedAfter',
  'startedBefore',
] as const satisfies readonly (keyof HistorySearch)[];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function oneOf<T extends string>(values: readonly T[], value: unknown): T | undefined {
  return typeof value === 'string' && (values as readonly string[]).includes(value)
    ? (value as T)
    : undefined;
}

function date(value: unknown): string | undefined {
  return typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value))
    ? value
    : undefined;
}

function uuid(value: unknown): string | undefined {
  return typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : undefined;
}

/**
 * Read the filters from a URL's search object, dropping anything malformed (a hand-edited or old
 * link still opens, showing what it could understand).
 */
export function parseHistorySearch(raw: Record<string, unknown>): HistorySearch {
  const search: HistorySearch = {
    organizationId: uuid(raw.organizationId),
    status: oneOf(SYNC_STATUSES, raw.status),
    accountingSystem: oneOf(ACCOUNTING_SYSTEMS, raw.accountingSystem),
    syncType: oneOf(SYNC_TYPES, raw.syncType),
    triggeredBy: uuid(raw.triggeredBy),
    periodFrom: date(raw.periodFrom),
    periodTo: date(raw.periodTo),
    startedAfter: date(raw.startedAfter),
    startedBefore: date(raw.startedBefore),
  };
  return compact(search);
}

/** The same filters without empty values (so the URL only shows what is set). */
export function compact(search: HistorySearch): HistorySearch {
  const out: HistorySearch = {};
  for (const key of FILTER_KEYS) {
    const value = search[key];
    if (value !== undefined && value !== '') (out as Record<string, string>)[key] = value;
  }
  return out;
}

/** The `syncLogs.list` input for these filters: dates become whole UTC days, inclusive at both ends. */
export function toListInput(search: HistorySearch, limit = 50) {
  const startOf = (d: string | undefined) => (d ? `${d}T00:00:00.000Z` : undefined);
  const endOf = (d: string | undefined) => (d ? `${d}T23:59:59.999Z` : undefined);
  return {
    ...(search.organizationId ? { organizationId: search.organizationId } : {}),
    ...(search.status ? { status: search.status } : {}),
    ...(search.accountingSystem ? { accountingSystem: search.accountingSystem } : {}),
    ...(search.syncType ? { syncType: search.syncType } : {}),
    ...(search.triggeredBy ? { triggeredBy: search.triggeredBy } : {}),
    ...(search.periodFrom ? { periodFrom: startOf(search.periodFrom) } : {}),
    ...(search.periodTo ? { periodTo: endOf(search.periodTo) } : {}),
    ...(search.startedAfter ? { startedAfter: startOf(search.startedAfter) } : {}),
    ...(search.startedBefore ? { startedBefore: endOf(search.startedBefore) } : {}),
    limit,
  };
}

/** How many filters are set (for "3 filters" and the empty-state wording). */
export function activeFilterCount(search: HistorySearch): number {
  return FILTER_KEYS.filter((key) => search[key] !== undefined).length;
}
