import type { Database } from '@meander/db';
import { isDomainError, type SyncLog } from '@meander/domain';
import type { Logger } from './logger.js';
import { lastFiredBetween, previousMonthPeriod } from './schedule-period.js';

/** How many organizations one node dispatches at a time. */
const DISPATCH_PARALLEL = 4;

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
  options: { since: Date; now: Date; logger: Logger; parallel?: number },
): Promise<SyncLog[]> {
  const created: SyncLog[] = [];
  const modules = await db.organizations.listScheduled();
  // A burst (thousands due at once after downtime) is dispatched by every node that starts: each
  // walks the list in an order of its own, a few organizations at a time (a handful of round trips
  // each), and skips with one read what another node already dispatched. A shuffled order, not a
  // rotation from a random start: with rotations, the node behind soon skipped through the other's
  // part and caught up with it, and from there both raced down the same list in step, creating each
  // sync twice over (one blocking on the other's unique key, then replaying it). A 2,000-schedule
  // burst dispatched in 62 s on two nodes and in 21 s on one.
  const ordered = shuffled(modules);
  let next = 0;
  const lane = async () => {
    while (next < ordered.length) {
      const module = ordered[next] as (typeof ordered)[number];
      next += 1;
      const syncLog = await dispatchOne(db, module, options);
      if (syncLog) created.push(syncLog);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? DISPATCH_PARALLEL) }, lane));
  return created;
}

/** A copy of `items` in random order (Fisher–Yates). */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

type ScheduledModule = Awaited<ReturnType<Database['organizations']['listScheduled']>>[number];

/** Queue one organization's scheduled sync if its schedule fired in the window; the sync, or null. */
async function dispatchOne(
  db: Database,
  module: ScheduledModule,
  options: { since: Date; now: Date; logger: Logger },
): Promise<SyncLog | null> {
  const schedule = module.config?.schedule;
  if (!module.config || !schedule) return null;
  const slot = lastFiredBetween(schedule.cron, schedule.timezone, options.since, options.now);
  if (!slot) return null;
  // The schedule fires by its own zone; the month it covers is the organization's.
  const period = previousMonthPeriod(options.now, module.timeZone ?? schedule.timezone);
  // Another node (or an earlier tick) already created this slot's sync: one indexed read instead
  // of the count and the create's transaction that would only replay it. In a burst every
  // starting node walks the whole list, so with two nodes half the organizations it reaches are
  // already dispatched. The create below stays idempotent for the races this read cannot see.
  if (await db.syncLogs.findByIdempotencyKey(module.organizationId, scheduleSlotKey(slot))) return null;
  if (await db.syncLogs.findSuccessCovering(module.organizationId, period.periodStart, period.periodEnd))
    return null;
  try {
    const recordsTotal = await db.expenseRecords.countApproved({
      organizationId: module.organizationId,
      ...period,
    });
    const { syncLog, replayed } = await db.syncLogs.create({
      organizationId: module.organizationId,
      accountingSystem: module.config.accountingSystem,
      syncType: 'scheduled',
      triggeredBy: null,
      recordsTotal,
      idempotencyKey: scheduleSlotKey(slot),
      ...period,
    });
    // Another node (or an earlier tick) already created this slot's sync.
    if (replayed) return null;
    options.logger.info(
      { syncLogId: syncLog.id, organizationId: module.organizationId, recordsTotal },
      'scheduled sync queued',
    );
    return syncLog;
  } catch (error) {
    // Already active, or this slot was dispatched by a node that counted a different total
    // (records changed in between): either way the slot has its sync.
    if (isDomainError(error) && ['SYNC_ALREADY_ACTIVE', 'IDEMPOTENCY_KEY_CONFLICT'].includes(error.code))
      return null;
    options.logger.error(
      { organizationId: module.organizationId, err: isDomainError(error) ? error.code : String(error) },
      'could not queue scheduled sync',
    );
  }
  return null;
}
