import type { Database } from '@meander/db';
import { isDomainError, type SyncLog } from '@meander/domain';
import type { Logger } from './logger.js';
import { firedBetween, previousMonthPeriod } from './schedule-period.js';

/**
 * One dispatcher tick: for every organization whose schedule fired since the previous tick, create
 * one `scheduled` sync for the previous month — unless a successful sync already covers it, or a
 * sync is already active (the database's one-active index settles races between nodes).
 */
export async function dispatchDueSyncs(
  db: Database,
  options: { since: Date; now: Date; logger: Logger },
): Promise<SyncLog[]> {
  const created: SyncLog[] = [];
  for (const module of await db.organizations.listScheduled()) {
    const schedule = module.config?.schedule;
    if (!module.config || !schedule) continue;
    if (!firedBetween(schedule.cron, schedule.timezone, options.since, options.now)) continue;
    const period = previousMonthPeriod(options.now, schedule.timezone);
    if (await db.syncLogs.findSuccessCovering(module.organizationId, period.periodStart, period.periodEnd))
      continue;
    try {
      const recordsTotal = await db.expenseRecords.countApproved({
        organizationId: module.organizationId,
        ...period,
      });
      const { syncLog } = await db.syncLogs.create({
        organizationId: module.organizationId,
        accountingSystem: module.config.accountingSystem,
        syncType: 'scheduled',
        triggeredBy: null,
        recordsTotal,
        ...period,
      });
      created.push(syncLog);
      options.logger.info(
        { syncLogId: syncLog.id, organizationId: module.organizationId, recordsTotal },
        'scheduled sync queued',
      );
    } catch (error) {
      if (isDomainError(error) && error.code === 'SYNC_ALREADY_ACTIVE') continue;
      options.logger.error(
        { organizationId: module.organizationId, err: isDomainError(error) ? error.code : String(error) },
        'could not queue scheduled sync',
      );
    }
  }
  return created;
}
