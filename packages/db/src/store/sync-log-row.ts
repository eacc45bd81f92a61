import type { ErrorDetails, PayloadSummary, SyncLog } from '@meander/domain';
import type { Table } from 'drizzle-orm';
import { accountingSyncLogs } from '../schema/sqlite/tables.js';
import type { Decoder } from './driver.js';
import type { SealedSyncLog } from './port.js';
import { tableRowOf } from './rows.js';

/** The columns of a Drizzle table, by property name. */
type ColumnsOf<T extends Table> = T['_']['columns'];

/**
 * A row as a driver returns it (`SELECT *`): the schema's SQL column names, each typed as the schema
 * types it, so a renamed or retyped column breaks every mapper at compile time.
 */
export type DriverRow<T extends Table> = {
  [K in keyof ColumnsOf<T> & keyof T['$inferSelect'] as ColumnsOf<T>[K]['_']['name']]: T['$inferSelect'][K];
};

/** Datetime columns: canonical text on SQLite, `Date` from the PostgreSQL driver. */
type DatetimeColumn =
  | 'period_start'
  | 'period_end'
  | 'started_at'
  | 'completed_at'
  | 'created_at'
  | 'heartbeat_at'
  | 'lease_expires_at';

/**
 * A sync log row as either driver returns it, inferred from the schema (the two dialects' schemas
 * are held equal by the schema-parity test). One mapper normalizes both.
 */
export type SyncLogRow = {
  [K in keyof DriverRow<typeof accountingSyncLogs>]: K extends DatetimeColumn
    ? DriverRow<typeof accountingSyncLogs>[K] | Date
    : DriverRow<typeof accountingSyncLogs>[K];
};

/** Checks a `SELECT *` (or `RETURNING *`) row of accounting_sync_logs. */
export const syncLogRow: Decoder<SyncLogRow> = tableRowOf(accountingSyncLogs);

const CANONICAL_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Normalize a driver datetime to the domain's canonical ISO string. */
export function toIso(value: string | Date): string {
  if (typeof value !== 'string') return value.toISOString();
  // The store writes canonical strings, so SQLite reads are usually final already: a parse and
  // re-format per datetime was most of the cost of mapping a page of history.
  return CANONICAL_ISO.test(value) ? value : new Date(value).toISOString();
}

/** Normalize a nullable driver datetime. */
export function toIsoOrNull(value: string | Date | null | undefined): string | null {
  return value === null || value === undefined ? null : toIso(value);
}

function parseJson<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** Row → domain entity (the spec's fields only). */
export function syncLogFromRow(row: SyncLogRow): SyncLog {
  return {
    id: row.id,
    organizationId: row.organization_id,
    accountingSystem: row.accounting_system as SyncLog['accountingSystem'],
    syncType: row.sync_type as SyncLog['syncType'],
    status: row.status as SyncLog['status'],
    triggeredBy: row.triggered_by,
    periodStart: toIso(row.period_start),
    periodEnd: toIso(row.period_end),
    recordsTotal: Number(row.records_total),
    recordsSynced: Number(row.records_synced),
    recordsFailed: Number(row.records_failed),
    payloadSummary: parseJson<PayloadSummary>(row.payload_summary),
    errorDetails: parseJson<ErrorDetails>(row.error_details),
    externalReferenceId: row.external_reference_id,
    startedAt: toIso(row.started_at),
    completedAt: toIsoOrNull(row.completed_at),
    createdAt: toIso(row.created_at),
  };
}

/** Row → sealed entity (spec fields plus its chain position); the row must be sealed. */
export function sealedFromRow(row: SyncLogRow): SealedSyncLog {
  return {
    ...syncLogFromRow(row),
    chainSeq: Number(row.chain_seq),
    prevHash: row.prev_hash ?? '',
    chainHash: row.chain_hash ?? '',
    chainRecipe: Number(row.chain_recipe),
  };
}

/**
 * What a sync was — its organization, system, type, status, period, counts and reference — in the
 * order a tombstone and a webhook payload both list them after the sync's id. Neither carries more
 * of the row than this without saying so (no person, no free text).
 */
export function syncLogOutline(log: SyncLog) {
  return {
    organizationId: log.organizationId,
    accountingSystem: log.accountingSystem,
    syncType: log.syncType,
    status: log.status,
    periodStart: log.periodStart,
    periodEnd: log.periodEnd,
    recordsTotal: log.recordsTotal,
    recordsSynced: log.recordsSynced,
    recordsFailed: log.recordsFailed,
    externalReferenceId: log.externalReferenceId,
  };
}

/** The request fields an idempotency key is bound to: a replay must match them exactly. */
export function idempotencyFingerprint(
  log: Pick<
    SyncLog,
    'accountingSystem' | 'syncType' | 'periodStart' | 'periodEnd' | 'recordsTotal' | 'triggeredBy'
  >,
): string {
  return JSON.stringify([
    log.accountingSystem,
    log.syncType,
    log.periodStart,
    log.periodEnd,
    log.recordsTotal,
    log.triggeredBy,
  ]);
}
