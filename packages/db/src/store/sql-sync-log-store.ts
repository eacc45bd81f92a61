import { rethrowAsDomainError } from './constraint-errors.js';
import type { Driver, Program } from './driver.js';
import type { SyncLogStore } from './port.js';
import { syncLogChain } from './sync-log-chain.js';
import { syncLogCreation, syncLogLeases, syncLogRuns } from './sync-log-lifecycle.js';
import { compileSyncLogStatements, type SyncLogLocks, type SyncLogStatements } from './sync-log-queries.js';
import { syncLogMonitoring, syncLogQueries } from './sync-log-read-models.js';

/** What each part of the sync-log store runs on. */
export interface SyncLogContext {
  readonly driver: Driver;
  readonly q: SyncLogStatements;
  /**
   * One read-decide-write transaction. Whatever the database refuses (a constraint a race slipped
   * past the domain, a lost connection) leaves as the same typed error on both dialects.
   */
  transaction<T>(program: () => Program<T>): Promise<T>;
}

/**
 * The sync-log store, written once for both dialects and put together from its concepts: the
 * lifecycle and its leases (sync-log-lifecycle.ts), the read models and aggregates (sync-log-read-models.ts) and
 * the hash chain (sync-log-chain.ts). Every statement comes from sync-log-queries.ts /
 * list-query.ts, every row through the decoders and mappers of sync-log-row.ts, every write's
 * errors through constraint-errors.ts. A dialect supplies only its Driver and its SyncLogLocks.
 */
export function sqlSyncLogStore(driver: Driver, locks: SyncLogLocks): SyncLogStore {
  const context: SyncLogContext = {
    driver,
    q: compileSyncLogStatements(driver.dialect, locks),
    async transaction(program) {
      try {
        return await driver.transaction(program);
      } catch (error) {
        rethrowAsDomainError(error);
      }
    },
  };
  return {
    ...syncLogCreation(context),
    ...syncLogRuns(context),
    ...syncLogLeases(context),
    ...syncLogQueries(context),
    ...syncLogMonitoring(context),
    ...syncLogChain(context),
  };
}
