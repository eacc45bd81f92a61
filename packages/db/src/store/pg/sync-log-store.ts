import { sql } from 'drizzle-orm';
import { organizations } from '../../schema/pg/tables.js';
import { CLAIM_LOCK } from '../claim-lock.js';
import type { SyncLogStore } from '../port.js';
import { sqlSyncLogStore } from '../sql-sync-log-store.js';
import { p } from '../statement.js';
import type { SyncLogLocks } from '../sync-log-queries.js';
import type { PgDriver } from './driver.js';

/**
 * PostgreSQL's sync-log locks. Transactions run concurrently here, so:
 * - a row about to be sealed or deleted is locked (`FOR UPDATE`) when it is read;
 * - concurrent claimers each take a different pending row (`SKIP LOCKED`) instead of queueing on one;
 * - sealing locks the organization's row first, so completions of one organization append to its
 *   hash chain one at a time and the chain stays linear and gap-free.
 */
export const PG_SYNC_LOG_LOCKS: SyncLogLocks = {
  rowLock: sql` FOR UPDATE`,
  claimLock: CLAIM_LOCK.postgres,
  chainLock: sql`SELECT ${organizations.id} FROM ${organizations} WHERE ${organizations.id} = ${p('organizationId')} FOR UPDATE`,
};

/** The sync-log store on PostgreSQL: the shared store over PostgreSQL's driver and locks. */
export function pgSyncLogStore(driver: PgDriver): SyncLogStore {
  return sqlSyncLogStore(driver, PG_SYNC_LOG_LOCKS);
}
