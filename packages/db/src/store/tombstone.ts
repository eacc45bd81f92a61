import type { SyncLog } from '@meander/domain';
import type { SyncLogDeletion } from './port.js';
import { toIso } from './sync-log-row.js';

/** An accounting_sync_log_deletions row as either driver returns it. */
export interface TombstoneRow {
  sync_log_id: string;
  organization_id: string;
  deleted_by: string;
  deleted_via: string;
  deleted_at: string | Date;
  reason: string;
  legal_basis: string;
  chain_seq: number | null;
  chain_hash: string | null;
  prev_hash: string | null;
  redacted_row: unknown;
}

/**
 * What a tombstone keeps of the deleted row. A deletion exists to remove personal data, so the
 * tombstone drops `triggeredBy` (a person) and the free text of `errorDetails` (reasons, messages,
 * stack), and keeps only what proves the chain and the shape of the attempt: ids, system, type,
 * status, period, counts, reference and times. The chain still verifies through `chain_hash`.
 */
export function redactForTombstone(log: SyncLog): Record<string, unknown> {
  return {
    id: log.id,
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
  };
}
