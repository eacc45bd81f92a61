import { ACCOUNTING_SYSTEMS, type AccountingSystem } from '@meander/domain';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { all } from '../store/driver.js';
import { driverFor } from '../store/driver-for.js';
import type { Database, Dialect } from '../store/port.js';
import { decodeFields, selectFields, tablesOf } from '../store/schema-rows.js';
import { compile, p, type Statement } from '../store/statement.js';

/**
 * Only the fields counted here: a stored error that predates a later field, or carries one this
 * version does not know, still counts, and one that is not an object at all counts nothing.
 */
const catalogued = z.looseObject({
  catalogCategory: z.string().optional(),
  recordFailures: z.array(z.looseObject({ catalogCategory: z.string().optional() })).optional(),
});
const systemSchema = z.enum(ACCOUNTING_SYSTEMS);

const fieldsOf = (dialect: Dialect) => {
  const l = tablesOf(dialect).accountingSyncLogs;
  return { accountingSystem: l.accountingSystem, errorDetails: l.errorDetails };
};

function candidates(dialect: Dialect): Statement {
  const l = tablesOf(dialect).accountingSyncLogs;
  return compile(
    dialect,
    sql`SELECT ${selectFields(fieldsOf(dialect))} FROM ${l}
      WHERE ${l.startedAt} >= ${p('since')} AND CAST(${l.errorDetails} AS TEXT) LIKE '%catalogCategory%unclassified%'`,
  );
}

/** The candidate rows' statement per dialect, compiled once (the metrics endpoint asks on every scrape). */
const CANDIDATES = {
  sqlite: candidates('sqlite'),
  postgres: candidates('postgres'),
} satisfies Record<Dialect, Statement>;

/**
 * Errors the rejection catalogue could not classify, per system, in sync logs started since
 * `since`: the sync-level error and every per-record failure whose catalogue category is
 * `unclassified`. A loose text match narrows the rows; only those are parsed and counted exactly.
 */
export async function countUnclassifiedErrors(
  db: Pick<Database, 'raw'>,
  since: string,
): Promise<{ accountingSystem: AccountingSystem; count: number }[]> {
  const driver = driverFor(db.raw);
  const fields = fieldsOf(driver.dialect);
  const rows = await driver.run(all(CANDIDATES[driver.dialect], { since }));
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
