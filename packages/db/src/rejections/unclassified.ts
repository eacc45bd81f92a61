import { ACCOUNTING_SYSTEMS, type AccountingSystem } from '@meander/domain';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../store/port.js';
import { decodeFields, executorFor, selectFields } from '../store/sql-executor.js';

/**
 * Only the fields counted here: a stored error that predates a later field, or carries one this
 * version does not know, still counts, and one that is not an object at all counts nothing.
 */
const catalogued = z.looseObject({
  catalogCategory: z.string().optional(),
  recordFailures: z.array(z.looseObject({ catalogCategory: z.string().optional() })).optional(),
});
const systemSchema = z.enum(ACCOUNTING_SYSTEMS);

/**
 * Errors the rejection catalogue could not classify, per system, in sync logs started since
 * `since`: the sync-level error and every per-record failure whose catalogue category is
 * `unclassified`. A loose text match narrows the rows; only those are parsed and counted exactly.
 */
export async function countUnclassifiedErrors(
  db: Pick<Database, 'raw'>,
  since: string,
): Promise<{ accountingSystem: AccountingSystem; count: number }[]> {
  const x = executorFor(db.raw);
  const l = x.tables.accountingSyncLogs;
  const fields = { accountingSystem: l.accountingSystem, errorDetails: l.errorDetails };
  const rows = await x.all(sql`SELECT ${selectFields(fields)} FROM ${l}
    WHERE ${l.startedAt} >= ${since} AND CAST(${l.errorDetails} AS TEXT) LIKE '%catalogCategory%unclassified%'`);
  const counts = new Map<AccountingSystem, number>();
  for (const raw of rows) {
    const row = decodeFields(fields, raw);
    const details = catalogued.safeParse(row.errorDetails);
    const system = systemSchema.safeParse(row.accountingSystem);
    if (!details.success || !system.success) continue;
    const n =
      (details.data.catalogCategory === 'unclassified' ? 1 : 0) +
      (details.data.recordFailures ?? []).filter((f) => f.catalogCategory === 'unclassified').length;
    counts.set(system.data, (counts.get(system.data) ?? 0) + n);
  }
  return [...counts].map(([accountingSystem, count]) => ({ accountingSystem, count }));
}
