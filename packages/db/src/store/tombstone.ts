import type { SyncLog } from '@meander/domain';
import { accountingSyncLogDeletions } from '../schema/sqlite/tables.js';
import type { Decoder } from './driver.js';
import type { SyncLogDeletion } from './port.js';
import { tableRowOf } from './rows.js';
import { type DriverRow, syncLogOutline, toIso } from './sync-log-row.js';

/** An accounting_sync_log_deletions row as either driver returns it, inferred from the schema. */
export type TombstoneRow = {
  [K in keyof DriverRow<typeof accountingSyncLogDeletions>]: K extends 'deleted_at'
    ? DriverRow<typeof accountingSyncLogDeletions>[K] | Date
    : DriverRow<typeof accountingSyncLogDeletions>[K];
};

/** Checks a row of accounting_sync_log_deletions. */
export const tombstoneRow: Decoder<TombstoneRow> = tableRowOf(accountingSyncLogDeletions);

/**
 * What a tombstone keeps of the deleted row. A deletion exists to remove personal data, so the
 * tombstone drops `triggeredBy` (a person) and the free text of `errorDetails` (reasons, messages,
 * stack), and keeps only what proves the chain and the shape of the attempt: ids, system, type,
 * status, period, counts, reference and times. The chain still verifies through `chain_hash`.
 */
export function redactForTombstone(log: SyncLog): Record<string, unknown> {
  return {
    id: log.id,
    ...syncLogOutline(log),
    errorCode: log.errorDetails?.code ?? null,
    startedAt: log.startedAt,
    completedAt: log.completedAt,
    createdAt: log.createdAt,
  };
}

/** Row → tombstone. */
export function tombstoneFromRow(row: TombstoneRow): SyncLogDeletion {
  return {
    syncLogId: row.sync_log_id,
    organizationId: row.organization_id,
    deletedBy: row.deleted_by,
    deletedVia: row.deleted_via,
    deletedAt: toIso(row.deleted_at),
    reason: row.reason,
    legalBasis: row.legal_basis as SyncLogDeletion['legalBasis'],
    chainSeq: row.chain_seq === null ? null : Number(row.chain_seq),
    chainHash: row.chain_hash,
    signature: row.signature ?? null,
    keyId: row.key_id ?? null,
  };
}
