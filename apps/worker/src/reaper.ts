import type { Database } from '@meander/db';
import { isDomainError, type SyncLog } from '@meander/domain';
import type { Logger } from './logger.js';
import { workerLostDetails } from './sync-failure.js';

/**
 * Fail every `in_progress` sync whose heartbeat is older than the threshold with `WORKER_LOST`, so
 * a crashed worker never blocks its organization. Races with a worker that finishes at the same
 * moment are harmless: whoever writes the terminal state first wins, the other sees it immutable.
 */
export async function reapStaleSyncs(
  db: Database,
  options: { now: Date; staleAfterSeconds: number; logger: Logger },
): Promise<SyncLog[]> {
  const threshold = new Date(options.now.getTime() - options.staleAfterSeconds * 1000).toISOString();
  const reaped: SyncLog[] = [];
  for (const stale of await db.syncLogs.findStale(threshold)) {
    try {
      const failed = await db.syncLogs.fail({
        id: stale.id,
        errorDetails: workerLostDetails(threshold, options.staleAfterSeconds),
      });
      reaped.push(failed);
      options.logger.warn(
        { syncLogId: stale.id, organizationId: stale.organizationId },
        'reaped a sync whose worker was lost',
      );
    } catch (error) {
      if (
        isDomainError(error) &&
        (error.code === 'RECORD_IMMUTABLE' || error.code === 'INVALID_STATUS_TRANSITION')
      )
        continue;
      throw error;
    }
  }
  return reaped;
}
