import type { AccountingSystem, ErrorDetails } from '@meander/domain';
import type { Database } from '../store/port.js';

/**
 * Errors the rejection catalogue could not classify, per system, in sync logs started since
 * `since`: the sync-level error and every per-record failure whose catalogue category is
 * `unclassified`. A loose text match narrows the rows; only those are parsed and counted exactly.
 */
export async function countUnclassifiedErrors(
  db: Database,
  since: string,
): Promise<{ accountingSystem: AccountingSystem; count: number }[]> {
  const raw = db.raw;
  const rows =
    raw.dialect === 'sqlite'
      ? (raw.connection
          .prepare(
            `SELECT accounting_system, error_details FROM accounting_sync_logs
             WHERE started_at >= ? AND error_details LIKE '%catalogCategory%unclassified%'`,
          )
          .all(since) as { accounting_system: string; error_details: string }[])
      : ((await raw.sql`SELECT accounting_system, error_details FROM accounting_sync_logs
             WHERE started_at >= ${since} AND error_details::text LIKE '%catalogCategory%unclassified%'`) as unknown as {
          accounting_system: string;
          error_details: unknown;
        }[]);
  const counts = new Map<AccountingSystem, number>();
  for (const row of rows) {
    const details = (
      typeof row.error_details === 'string' ? JSON.parse(row.error_details) : row.error_details
    ) as ErrorDetails;
    const n =
      (details.catalogCategory === 'unclassified' ? 1 : 0) +
      (details.recordFailures ?? []).filter((f) => f.catalogCategory === 'unclassified').length;
    const system = row.accounting_system as AccountingSystem;
    counts.set(system, (counts.get(system) ?? 0) + n);
  }
  return [...counts].map(([accountingSystem, count]) => ({ accountingSystem, count }));
}
