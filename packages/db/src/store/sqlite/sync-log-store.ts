import { sql } from 'drizzle-orm';
import { CLAIM_LOCK } from '../claim-lock.js';
import type { SyncLogStore } from '../port.js';
import { sqlSyncLogStore } from '../sql-sync-log-store.js';
import type { SyncLogLocks } from '../sync-log-queries.js';
import type { SqliteDriver } from './driver.js';

/**
 * SQLite's sync-log locks: none in the SQL. A write transaction is BEGIN IMMEDIATE (see
 * ./driver.ts), so it holds the database's single write lock from its first read: no other writer
 * can claim the same row or seal into the same chain meanwhile.
 */
export const SQLITE_SYNC_LOG_LOCKS: SyncLogLocks = {
  rowLock: sql``,
  claimLock: CLAIM_LOCK.sqlite,
  chainLock: null,
};

/** The sync-log store on SQLite: the shared store over SQLite's driver and locks. */
export function sqliteSyncLogStore(driver: SqliteDriver): SyncLogStore {
  return sqlSyncLogStore(driver, SQLITE_SYNC_LOG_LOCKS);
}
