import {
  ACCOUNTING_SYSTEMS,
  type AccountingSystem,
  computeIntegrationHealth,
  HEALTH_WINDOW_DAYS,
  type HealthAttempt,
  healthAttemptOf,
  type IntegrationHealth,
  type IsoDateTime,
  type SyncSchedule,
} from '@meander/domain';
import { Cron } from 'croner';
import type { Database } from '../store/port.js';

/** Most terminal attempts per organization read for one health answer (about a month of hourly syncs). */
const MAX_ATTEMPTS = 1_000;

/**
 * The next run of a cron schedule after `now`, and its interval (the gap between the next two runs,
 * so an hourly and a nightly schedule are judged by their own rhythm).
 */
function scheduleTimes(
  schedule: SyncSchedule,
  now: Date,
): { intervalSeconds: number; nextRunAt: IsoDateTime | null } | null {
  const job = new Cron(schedule.cron, { timezone: schedule.timezone, paused: true });
  try {
    const [next, after] = job.nextRuns(2, now);
    if (!next || !after) return null;
    return {
      intervalSeconds: Math.round((after.getTime() - next.getTime()) / 1000),
      nextRunAt: next.toISOString(),
    };
  } finally {
    job.stop();
  }
}

/**
 * Health per organization and system, derived from the sync logs and the module configuration
 * (nothing stored). Every organization with an accounting module appears, and every system it has
 * synced with; a system other than the configured one is `disabled`.
 */
export async function loadIntegrationHealth(
  db: Database,
  options: {
    organizationId?: string;
    now: Date;
    failingAfterFailures?: number;
    delayGraceSeconds?: number;
    /** Health as it was without this sync (to tell whether a sync changed it). */
    excludeSyncLogId?: string;
  },
): Promise<IntegrationHealth[]> {
  const organizations = options.organizationId
    ? [options.organizationId]
    : (await db.organizations.list()).map((o) => o.id);
  const now = options.now.toISOString();
  const overview = await db.syncLogs.monitoringOverview({
    ...(options.organizationId ? { organizationId: options.organizationId } : {}),
    now,
    staleAfterSeconds: 3_600,
  });
  // Open unverified postings keep an integration action_required whatever its syncs did since.
  const unverified = await db.unverifiedPostings.summarizeOpen(options.organizationId);
  const result: IntegrationHealth[] = [];
  for (const organizationId of organizations) {
    const module = await db.organizations.getAccountingModule(organizationId);
    const attempts = await recentAttempts(db, organizationId, options.now, options.excludeSyncLogId);
    const systems = new Set<AccountingSystem>();
    if (module?.config) systems.add(module.config.accountingSystem);
    for (const a of attempts.keys()) systems.add(a);
    for (const u of unverified) if (u.organizationId === organizationId) systems.add(u.accountingSystem);
    for (const system of ACCOUNTING_SYSTEMS) {
      if (!systems.has(system)) continue;
      const configured = module?.config?.accountingSystem === system;
      const enabled = configured && module?.enabled === true;
      const schedule =
        configured && module?.config?.schedule ? scheduleTimes(module.config.schedule, options.now) : null;
      const stats = overview.find(
        (o) => o.organizationId === organizationId && o.accountingSystem === system,
      );
      const open = unverified.find(
        (u) => u.organizationId === organizationId && u.accountingSystem === system,
      );
      result.push(
        computeIntegrationHealth({
          organizationId,
          accountingSystem: system,
          enabled,
          schedule,
          attempts: attempts.get(system) ?? [],
          unverifiedPostings: open ?? null,
          // The all-time aggregates include every sync: without one, judge by the attempts alone.
          ...(options.excludeSyncLogId
            ? {}
            : {
                lastSuccessAt: stats?.lastSuccessAt ?? null,
                consecutiveFailures: stats?.consecutiveFailures ?? 0,
              }),
          now,
          ...(options.failingAfterFailures !== undefined
            ? { failingAfterFailures: options.failingAfterFailures }
            : {}),
          ...(options.delayGraceSeconds !== undefined
            ? { delayGraceSeconds: options.delayGraceSeconds }
            : {}),
        }),
      );
    }
  }
  return result;
}

/** Terminal attempts of the health window, per system, read through the store's keyset pages. */
async function recentAttempts(
  db: Database,
  organizationId: string,
  now: Date,
  excludeSyncLogId?: string,
): Promise<Map<AccountingSystem, HealthAttempt[]>> {
  const startedAfter = new Date(now.getTime() - HEALTH_WINDOW_DAYS * 86_400_000).toISOString();
  const bySystem = new Map<AccountingSystem, HealthAttempt[]>();
  let cursor: string | undefined;
  let read = 0;
  do {
    const page = await db.syncLogs.list({
      organizationId,
      startedAfter,
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    for (const log of page.items) {
      if (Date.parse(log.startedAt) > now.getTime() || log.id === excludeSyncLogId) continue;
      const attempt = healthAttemptOf(log);
      if (!attempt) continue;
      const list = bySystem.get(log.accountingSystem) ?? [];
      list.push(attempt);
      bySystem.set(log.accountingSystem, list);
    }
    read += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor && read < MAX_ATTEMPTS);
  return bySystem;
}
