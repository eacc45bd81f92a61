import { type Database, SCHEDULED_BATCH_MAX, type ScheduledSyncInput } from '@meander/db';
import { isDomainError, type SyncLog } from '@meander/domain';
import type { Logger } from './logger.js';
import { lastFiredBetween, previousMonthPeriod } from './schedule-period.js';

/** How many organizations one transaction dispatches (the store takes at most SCHEDULED_BATCH_MAX). */
const DISPATCH_BATCH = 500;

/** The idempotency key of the scheduled sync one firing of a schedule creates. */
export function scheduleSlotKey(slot: Date): string {
  return `schedule:${slot.toISOString()}`;
}

/**
 * One dispatcher tick: for every organization whose schedule fired since the previous tick, create
 * one `scheduled` sync for the previous month — unless a successful sync already covers it, or a
 * sync is already active (the database's one-active index settles races between nodes).
 *
 * Safe to run on every node at once and again over the same window (each worker dispatches on
 * start): the sync is created under an idempotency key naming the slot that fired, so however many
 * nodes look at one firing, the database holds one sync for it — even when the first one already
 * finished before a late node looks (where the one-active index alone would let a second through).
 */
export async function dispatchDueSyncs(
  db: Database,
  options: { since: Date; now: Date; logger: Logger; batchSize?: number },
): Promise<SyncLog[]> {
  const modules = await db.organizations.listScheduled();
  // A burst (thousands due at once after downtime) costs one transaction of two statements per
  // batch of organizations: the store counts each one's records and creates its sync inside one
  // INSERT … SELECT, skipping what another node (or an earlier tick) already dispatched. One by
  // one it was about ten round trips per organization, which made a catch-up's dispatch a long
  // pause of its own (the burst benchmark's `dispatch` figure measures it now).
  const due = modules.flatMap((module) => {
    const entry = dueEntry(module, options);
    return entry ? [entry] : [];
  });
  const size = Math.min(SCHEDULED_BATCH_MAX, Math.max(1, options.batchSize ?? DISPATCH_BATCH));
  const created: SyncLog[] = [];
  for (let from = 0; from < due.length; from += size) {
    const batch = due.slice(from, from + size);
    try {
      const syncs = await db.syncLogs.createScheduled(batch);
      // One line per batch at info (a burst's thousands of lines, one per sync, were CPU the
      // node's running syncs needed); each sync's own line at debug, and every sync is in the
      // audit table anyway.
      if (options.logger.isLevelEnabled('debug')) {
        for (const syncLog of syncs) {
          options.logger.debug(
            {
              syncLogId: syncLog.id,
              organizationId: syncLog.organizationId,
              recordsTotal: syncLog.recordsTotal,
            },
            'scheduled sync queued',
          );
        }
      }
      if (syncs.length > 0)
        options.logger.info(
          { syncs: syncs.length, due: batch.length, first: syncs[0]?.id },
          'scheduled syncs queued',
        );
      created.push(...syncs);
    } catch (error) {
      // One batch failing (the database went away) leaves the others to go; the next tick, or
      // another node, dispatches it again (idempotent per slot).
      options.logger.error(
        { organizations: batch.length, err: isDomainError(error) ? error.code : String(error) },
        'could not queue scheduled syncs',
      );
    }
  }
  return created;
}

type ScheduledModule = Awaited<ReturnType<Database['organizations']['listScheduled']>>[number];

/** The scheduled sync one organization's schedule asks for in the window, or null. */
function dueEntry(module: ScheduledModule, options: { since: Date; now: Date }): ScheduledSyncInput | null {
  const schedule = module.config?.schedule;
  if (!module.config || !schedule) return null;
  const slot = lastFiredBetween(schedule.cron, schedule.timezone, options.since, options.now);
  if (!slot) return null;
  // The schedule fires by its own zone; the month it covers is the organization's.
  const period = previousMonthPeriod(options.now, module.timeZone ?? schedule.timezone);
  return {
    organizationId: module.organizationId,
    accountingSystem: module.config.accountingSystem,
    idempotencyKey: scheduleSlotKey(slot),
    ...period,
  };
}
