import type { AccountingSystem, SyncLog } from '@meander/domain';
import type { MonitoringEntry, ResyncPlanEntry } from './port.js';
import { rowOf } from './rows.js';
import { toIsoOrNull } from './sync-log-row.js';

/** Per organization and system, the aggregates one grouped query returns (both dialects). */
export interface MonitoringStatsRow {
  organization_id: string;
  accounting_system: string;
  last_success: string | Date | null;
  consecutive_failures: number | string;
  terminal_7d: number | string;
  success_7d: number | string;
  terminal_30d: number | string;
  success_30d: number | string;
  records_failed_7d: number | string | null;
  records_failed_30d: number | string | null;
}

export const monitoringStatsRow = rowOf<MonitoringStatsRow>('monitoring stats', {
  organization_id: 'text',
  accounting_system: 'text',
  last_success: 'time?',
  consecutive_failures: 'number',
  terminal_7d: 'number',
  success_7d: 'number',
  terminal_30d: 'number',
  success_30d: 'number',
  records_failed_7d: 'number?',
  records_failed_30d: 'number?',
});

/** The windows the monitoring aggregate counts over, as ISO instants. */
export function monitoringWindows(now: string): { since7: string; since30: string } {
  const t = Date.parse(now);
  return {
    since7: new Date(t - 7 * 86_400_000).toISOString(),
    since30: new Date(t - 30 * 86_400_000).toISOString(),
  };
}

function rate(success: number, terminal: number): number | null {
  return terminal === 0 ? null : Math.round((success / terminal) * 10_000) / 10_000;
}

/**
 * Compose monitoring entries from the grouped stats, each pair's latest sync and the active syncs
 * (with their heartbeats). Consecutive failures count `failed` and `partial` attempts since the
 * last `success`; a sync is stuck when its heartbeat (or start, before the first beat) is stale.
 */
export function composeMonitoring(input: {
  stats: MonitoringStatsRow[];
  latest: SyncLog[];
  active: { syncLog: SyncLog; heartbeatAt: string | null }[];
  now: string;
  staleAfterSeconds: number;
}): MonitoringEntry[] {
  const key = (org: string, system: string) => `${org}|${system}`;
  const latest = new Map(input.latest.map((l) => [key(l.organizationId, l.accountingSystem), l]));
  const active = new Map(
    input.active.map((a) => [key(a.syncLog.organizationId, a.syncLog.accountingSystem), a]),
  );
  const nowMs = Date.parse(input.now);

  return input.stats
    .map((s): MonitoringEntry => {
      const k = key(s.organization_id, s.accounting_system);
      const last = latest.get(k);
      const act = active.get(k);
      const beat = act ? (act.heartbeatAt ?? act.syncLog.startedAt) : null;
      return {
        organizationId: s.organization_id,
        accountingSystem: s.accounting_system as AccountingSystem,
        lastSync: last
          ? { id: last.id, status: last.status, startedAt: last.startedAt, completedAt: last.completedAt }
          : null,
        lastSuccessAt: toIsoOrNull(s.last_success),
        consecutiveFailures: Number(s.consecutive_failures),
        successRate7d: rate(Number(s.success_7d), Number(s.terminal_7d)),
        successRate30d: rate(Number(s.success_30d), Number(s.terminal_30d)),
        recordsFailed7d: Number(s.records_failed_7d ?? 0),
        recordsFailed30d: Number(s.records_failed_30d ?? 0),
        activeSync: act
          ? {
              id: act.syncLog.id,
              status: act.syncLog.status,
              ageSeconds: Math.max(0, Math.round((nowMs - Date.parse(act.syncLog.startedAt)) / 1000)),
              heartbeatAt: act.heartbeatAt,
            }
          : null,
        stuck: beat !== null && nowMs - Date.parse(beat) > input.staleAfterSeconds * 1000,
      };
    })
    .sort(
      (a, b) =>
        a.organizationId.localeCompare(b.organizationId) ||
        a.accountingSystem.localeCompare(b.accountingSystem),
    );
}

/** A failed or partial latest attempt → what to send again. */
export function resyncEntryFrom(log: SyncLog): ResyncPlanEntry {
  const failures = log.errorDetails?.recordFailures ?? [];
  const failedRecordIds = [...new Set(failures.map((f) => f.recordId))];
  const wholePeriod =
    log.status === 'failed' ||
    failedRecordIds.length === 0 ||
    log.errorDetails?.recordFailuresTruncated === true;
  return {
    organizationId: log.organizationId,
    accountingSystem: log.accountingSystem,
    periodStart: log.periodStart,
    periodEnd: log.periodEnd,
    latestSyncLogId: log.id,
    latestStatus: log.status as 'failed' | 'partial',
    latestStartedAt: log.startedAt,
    recordsFailed: log.recordsFailed,
    failedRecordIds,
    wholePeriod,
  };
}
