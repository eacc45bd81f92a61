import type { Dialect } from '@meander/db';

type RawRunner = (sql: string, params: unknown[]) => Promise<unknown>;

const DAY_MS = 86_400_000;

/** The per-organization statistics statement, in each dialect's own aggregate syntax. */
const STATS: Record<Dialect, string> = {
  sqlite: `WITH ls AS (
      SELECT organization_id, accounting_system, MAX(started_at) AS last_success FROM accounting_sync_logs
      WHERE status = 'success' AND organization_id = ? GROUP BY organization_id, accounting_system)
    SELECT l.organization_id, l.accounting_system, MAX(ls.last_success) AS last_success,
      SUM(CASE WHEN l.status IN ('failed', 'partial') AND (ls.last_success IS NULL OR l.started_at > ls.last_success) THEN 1 ELSE 0 END) AS consecutive_failures,
      SUM(CASE WHEN l.started_at >= ? AND l.status IN ('success', 'partial', 'failed') THEN 1 ELSE 0 END) AS terminal_7d,
      SUM(CASE WHEN l.started_at >= ? AND l.status = 'success' THEN 1 ELSE 0 END) AS success_7d,
      SUM(CASE WHEN l.started_at >= ? AND l.status IN ('success', 'partial', 'failed') THEN 1 ELSE 0 END) AS terminal_30d,
      SUM(CASE WHEN l.started_at >= ? AND l.status = 'success' THEN 1 ELSE 0 END) AS success_30d,
      SUM(CASE WHEN l.started_at >= ? THEN l.records_failed ELSE 0 END) AS records_failed_7d,
      SUM(CASE WHEN l.started_at >= ? THEN l.records_failed ELSE 0 END) AS records_failed_30d
    FROM accounting_sync_logs l LEFT JOIN ls
      ON ls.organization_id = l.organization_id AND ls.accounting_system = l.accounting_system
    WHERE l.organization_id = ?
    GROUP BY l.organization_id, l.accounting_system`,
  postgres: `WITH ls AS (
      SELECT organization_id, accounting_system, MAX(started_at) AS last_success FROM accounting_sync_logs
      WHERE status = 'success' AND organization_id = ? GROUP BY organization_id, accounting_system)
    SELECT l.organization_id, l.accounting_system, MAX(ls.last_success) AS last_success,
      COUNT(*) FILTER (WHERE l.status IN ('failed', 'partial') AND (ls.last_success IS NULL OR l.started_at > ls.last_success)) AS consecutive_failures,
      COUNT(*) FILTER (WHERE l.started_at >= ? AND l.status IN ('success', 'partial', 'failed')) AS terminal_7d,
      COUNT(*) FILTER (WHERE l.started_at >= ? AND l.status = 'success') AS success_7d,
      COUNT(*) FILTER (WHERE l.started_at >= ? AND l.status IN ('success', 'partial', 'failed')) AS terminal_30d,
      COUNT(*) FILTER (WHERE l.started_at >= ? AND l.status = 'success') AS success_30d,
      COALESCE(SUM(l.records_failed) FILTER (WHERE l.started_at >= ?), 0) AS records_failed_7d,
      COALESCE(SUM(l.records_failed) FILTER (WHERE l.started_at >= ?), 0) AS records_failed_30d
    FROM accounting_sync_logs l LEFT JOIN ls
      ON ls.organization_id = l.organization_id AND ls.accounting_system = l.accounting_system
    WHERE l.organization_id = ?
    GROUP BY l.organization_id, l.accounting_system`,
};

/** The latest sync per system, in each dialect's own idiom. */
const LATEST: Record<Dialect, string> = {
  sqlite: `SELECT l.* FROM accounting_sync_logs l JOIN (
      SELECT organization_id, accounting_system, MAX(started_at) AS m FROM accounting_sync_logs
      WHERE organization_id = ? GROUP BY organization_id, accounting_system) x
    ON x.organization_id = l.organization_id AND x.accounting_system = l.accounting_system AND l.started_at = x.m`,
  postgres: `SELECT DISTINCT ON (organization_id, accounting_system) * FROM accounting_sync_logs
    WHERE organization_id = ? ORDER BY organization_id, accounting_system, started_at DESC, id DESC`,
};

const ACTIVE = `SELECT * FROM accounting_sync_logs WHERE status IN ('pending', 'in_progress') AND organization_id = ?`;

/**
 * The raw baseline of one organization's monitoring overview: the same three statements the store
 * runs (statistics, latest sync, active sync), on the bare driver, without mapping the rows.
 */
export function monitoringBaseline(dialect: Dialect, raw: RawRunner) {
  return async (organizationId: string): Promise<void> => {
    const now = Date.now();
    const since7 = new Date(now - 7 * DAY_MS).toISOString();
    const since30 = new Date(now - 30 * DAY_MS).toISOString();
    await raw(STATS[dialect], [
      organizationId,
      since7,
      since7,
      since30,
      since30,
      since7,
      since30,
      organizationId,
    ]);
    await raw(LATEST[dialect], [organizationId]);
    await raw(ACTIVE, [organizationId]);
  };
}
