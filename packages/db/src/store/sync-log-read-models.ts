import { type AccountingSystem, canonicalUuid, type SyncLog, type SyncStatus } from '@meander/domain';
import { encodeCursor } from './cursor.js';
import { all, one, type Program } from './driver.js';
import { parseListQuery } from './list-input.js';
import { ListQuery } from './list-query.js';
import type { SyncLogStore } from './port.js';
import { composeMonitoring, monitoringStatsRow, monitoringWindows, resyncEntryFrom } from './read-models.js';
import { rowOf } from './rows.js';
import type { SyncLogContext } from './sql-sync-log-store.js';
import { syncLogByKey, syncLogRowById } from './sync-log-programs.js';
import { type SyncLogRow, syncLogFromRow, syncLogRow, toIsoOrNull } from './sync-log-row.js';
import { isUuid } from './uuid.js';

const nowIso = () => new Date().toISOString();

/** An id that is no UUID matches no row; the nil UUID keeps PostgreSQL's uuid parameter valid. */
function exceptIdOf(rawExceptId: string): string {
  const except = canonicalUuid(rawExceptId);
  return isUuid(except) ? except : '00000000-0000-0000-0000-000000000000';
}

const foundRow = rowOf<{ found: number | string }>('probe', { found: 'number' });
const statusCountRow = rowOf<{
  status: SyncStatus;
  accounting_system: AccountingSystem;
  n: number | bigint | string;
}>('count by status', { status: 'text', accounting_system: 'text', n: 'number' });
const durationRow = rowOf<{
  accounting_system: AccountingSystem;
  status: SyncStatus;
  started_at: string | Date;
  completed_at: string | Date;
}>('duration', { accounting_system: 'text', status: 'text', started_at: 'time', completed_at: 'time' });

/** Single syncs and pages of them: by id or key, the history list, what to claim, reap or re-sync. */
export function syncLogQueries({
  driver,
  q,
}: SyncLogContext): Pick<
  SyncLogStore,
  | 'findByIdempotencyKey'
  | 'get'
  | 'list'
  | 'getActive'
  | 'listClaimable'
  | 'findStale'
  | 'latestFencedLeaseExpiry'
  | 'findSuccessCovering'
  | 'hasUnfinishedAttempt'
  | 'resyncPlan'
> {
  const listQuery = new ListQuery(driver.dialect);
  const syncLogs = async (program: Program<SyncLogRow[]>) => (await driver.run(program)).map(syncLogFromRow);

  return {
    async findByIdempotencyKey(rawOrganizationId, idempotencyKey) {
      const organizationId = canonicalUuid(rawOrganizationId);
      if (!isUuid(organizationId)) return null;
      return driver.run(syncLogByKey(q, organizationId, idempotencyKey));
    },

    async get(rawId) {
      const row = await driver.run(syncLogRowById(q, canonicalUuid(rawId)));
      return row ? syncLogFromRow(row) : null;
    },

    async list(input) {
      const query = parseListQuery(input);
      const { statement, values } = listQuery.prepare(query);
      const rows = await driver.run(all(statement, values, syncLogRow));
      // One pass over the page (the query fetched limit + 1 rows to tell whether another page exists).
      const count = Math.min(rows.length, query.limit);
      const items = new Array<SyncLog>(count);
      for (let i = 0; i < count; i += 1) items[i] = syncLogFromRow(rows[i] as SyncLogRow);
      const last = items[count - 1];
      return { items, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
    },

    async getActive(rawOrganizationId) {
      const organizationId = canonicalUuid(rawOrganizationId);
      if (!isUuid(organizationId)) return null;
      const row = await driver.run(one(q.activeSyncLog, { organizationId }, syncLogRow));
      return row ? syncLogFromRow(row) : null;
    },

    async listClaimable(limit) {
      return syncLogs(all(q.claimableSyncLogs, { limit }, syncLogRow));
    },

    async findStale(olderThan, options = {}) {
      return syncLogs(all(q.staleSyncLogs, { olderThan, now: options.now ?? nowIso() }, syncLogRow));
    },

    async latestFencedLeaseExpiry(rawOrganizationId, periodStart, periodEnd, rawExceptId, since) {
      const organizationId = canonicalUuid(rawOrganizationId);
      if (!isUuid(organizationId)) return null;
      const values = { organizationId, periodStart, periodEnd, exceptId: exceptIdOf(rawExceptId), since };
      const rows = await driver.run(all(q.recentlyFencedAttempts, values, syncLogRow));
      // Only an attempt someone else ended (the reaper's WORKER_LOST) can still have a write in
      // flight: a runner that ended its own attempt had awaited its requests first.
      const reaped = rows.find((r) => syncLogFromRow(r).errorDetails?.code === 'WORKER_LOST');
      return reaped ? toIsoOrNull(reaped.lease_expires_at) : null;
    },

    async findSuccessCovering(rawOrganizationId, periodStart, periodEnd) {
      const organizationId = canonicalUuid(rawOrganizationId);
      if (!isUuid(organizationId)) return null;
      const row = await driver.run(
        one(q.successCovering, { organizationId, periodStart, periodEnd }, syncLogRow),
      );
      return row ? syncLogFromRow(row) : null;
    },

    async hasUnfinishedAttempt(rawOrganizationId, periodStart, periodEnd, rawExceptId) {
      const organizationId = canonicalUuid(rawOrganizationId);
      if (!isUuid(organizationId)) return false;
      const values = { organizationId, periodStart, periodEnd, exceptId: exceptIdOf(rawExceptId) };
      return (await driver.run(one(q.unfinishedAttempt, values, foundRow))) !== undefined;
    },

    async resyncPlan(rawOrganizationId) {
      const organizationId = canonicalUuid(rawOrganizationId);
      if (!isUuid(organizationId)) return [];
      return (await syncLogs(all(q.resyncPlan, { organizationId }, syncLogRow))).map(resyncEntryFrom);
    },
  };
}

/** The aggregates: the monitoring overview and the metrics' counts and durations. */
export function syncLogMonitoring({
  driver,
  q,
}: SyncLogContext): Pick<SyncLogStore, 'monitoringOverview' | 'countByStatus' | 'recentDurations'> {
  return {
    async monitoringOverview(options) {
      const now = options.now ?? nowIso();
      const { since7, since30 } = monitoringWindows(now);
      const organizationId =
        options.organizationId === undefined ? null : canonicalUuid(options.organizationId);
      if (organizationId !== null && !isUuid(organizationId)) return [];
      const scoped = organizationId !== null;
      const { stats, latest, active } = await driver.run(
        (function* () {
          return {
            stats: yield* all(
              scoped ? q.monitoringStatsOf : q.monitoringStatsAll,
              { organizationId, since7, since30 },
              monitoringStatsRow,
            ),
            latest: yield* all(
              scoped ? q.latestPerSystemOf : q.latestPerSystemAll,
              { organizationId },
              syncLogRow,
            ),
            active: yield* all(scoped ? q.activeSyncsOf : q.activeSyncsAll, { organizationId }, syncLogRow),
          };
        })(),
      );
      return composeMonitoring({
        stats,
        latest: latest.map(syncLogFromRow),
        active: active.map((r) => ({
          syncLog: syncLogFromRow(r),
          heartbeatAt: r.heartbeat_at ? new Date(r.heartbeat_at).toISOString() : null,
        })),
        now,
        staleAfterSeconds: options.staleAfterSeconds,
      });
    },

    async countByStatus() {
      const rows = await driver.run(all(q.countByStatus, {}, statusCountRow));
      return rows.map((r) => ({
        status: r.status,
        accountingSystem: r.accounting_system,
        count: Number(r.n),
      }));
    },

    async recentDurations(limit) {
      const rows = await driver.run(all(q.recentTerminal, { limit }, durationRow));
      return rows.map((r) => ({
        accountingSystem: r.accounting_system,
        status: r.status,
        seconds: Math.max(0, (new Date(r.completed_at).getTime() - new Date(r.started_at).getTime()) / 1000),
      }));
    },
  };
}
