import { DomainError, type SyncLog, type SyncStatus } from '@meander/domain';
import { one, type Program } from './driver.js';
import { accountingModuleFromRow, moduleRow } from './module-row.js';
import type { AccountingModuleView } from './port.js';
import { rowOf } from './rows.js';
import type { SyncLogStatements } from './sync-log-queries.js';
import { type SyncLogRow, syncLogFromRow, syncLogRow } from './sync-log-row.js';
import { isUuid } from './uuid.js';

/**
 * The programs every part of the sync-log store builds on (see driver.ts for the idiom). Each takes
 * the compiled statements it runs, never a store.
 */

/** A row by id; an id that is not a UUID cannot exist (PostgreSQL would refuse to compare it). */
export function* syncLogRowById(
  q: SyncLogStatements,
  id: string,
  lock = false,
): Program<SyncLogRow | undefined> {
  if (!isUuid(id)) return undefined;
  return yield* one(lock ? q.syncLogByIdLocked : q.syncLogById, { id }, syncLogRow);
}

/** The sync log `id`, or NOT_FOUND. */
export function* requireSyncLog(q: SyncLogStatements, id: string, lock = false): Program<SyncLog> {
  const row = yield* syncLogRowById(q, id, lock);
  if (!row) throw new DomainError('NOT_FOUND', `Sync log ${id} does not exist`);
  return syncLogFromRow(row);
}

/** The sync log an idempotency key created, if any. */
export function* syncLogByKey(
  q: SyncLogStatements,
  organizationId: string,
  idempotencyKey: string,
): Program<SyncLog | null> {
  const row = yield* one(q.syncLogByIdempotencyKey, { organizationId, idempotencyKey }, syncLogRow);
  return row ? syncLogFromRow(row) : null;
}

const organizationRow = rowOf<{ id: string }>('organization', { id: 'text' });

/** What the domain's `planCreate` decides a new sync from, for `organizationId`. */
export function* createContextOf(
  q: SyncLogStatements,
  organizationId: string,
): Program<{
  organization: { id: string } | null;
  accountingModule: AccountingModuleView | null;
  activeSync: { id: string; status: SyncStatus } | null;
}> {
  const organization = yield* one(q.organizationById, { organizationId }, organizationRow);
  const module = yield* one(q.accountingModuleOf, { organizationId }, moduleRow);
  const active = yield* one(q.activeSyncLog, { organizationId }, syncLogRow);
  return {
    organization: organization ?? null,
    accountingModule: module ? accountingModuleFromRow(module) : null,
    activeSync: active ? { id: active.id, status: syncLogFromRow(active).status } : null,
  };
}
