import type { Database } from '@meander/db';
import { isDomainError, type SyncLog } from '@meander/domain';
import type { Logger } from './logger.js';
import { workerLostDetails } from './sync-failure.js';

/**
 * Fail every `in_progress` sync whose heartbeat is older than the threshold AND whose lease expired
 * with `WORKER_LOST`, so a crashed worker never blocks its organization. A lease once expired is
 * never renewed, so its holder can no longer pass the fencing check before a ledger write. Races
 * with a worker that finishes at the same moment are harmless: whoever writes the terminal state
 * first wins, the other sees it immutable.
 */
export async function reapStaleSyncs(
  db: Database,
  options: { now: Date; staleAfterSeconds: number; logger: Logger },
): Promise<SyncLog[]> {
  const threshold = new Date(options.now.getTime() - options.staleAfterSeconds * 1000).toISOString();
  const reaped: SyncLog[] = [];
  for (const stale of await db.syncLogs.findStale(threshold, { now: options.now.toISOString() })) {
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

/**
 * Reap every `everyMs` (the worker uses a quarter of the stale threshold), besides the dispatcher's
 * minute tick: a crashed worker's organization is free again at most that long after its lease
 * expired. Several nodes reaping at once is harmless (see above).
 */
export function startReaper(
  db: Database,
  options: { staleAfterSeconds: number; everyMs: number; logger: Logger },
): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    reapStaleSyncs(db, {
      now: new Date(),
      staleAfterSeconds: options.staleAfterSeconds,
      logger: options.logger,
    })
      .catch((error: unknown) => options.logger.error({ err: String(error) }, 'reaping stale syncs failed'))
      .finally(() => {
        running = false;
      });
  }, options.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
