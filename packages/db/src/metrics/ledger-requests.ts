import { ACCOUNTING_SYSTEMS, type AccountingSystem } from '@meander/domain';
import { sql } from 'drizzle-orm';
import { all } from '../store/driver.js';
import { driverFor } from '../store/driver-for.js';
import type { Database, Dialect } from '../store/port.js';
import { decodeRow, selectColumns, tablesOf } from '../store/schema-rows.js';
import { compile, type Statement } from '../store/statement.js';

function totalsStatement(dialect: Dialect): Statement {
  const t = tablesOf(dialect).ledgerRequestTotals;
  return compile(dialect, sql`SELECT ${selectColumns(t)} FROM ${t} ORDER BY ${t.accountingSystem}`);
}

/** Compiled once per dialect: `/metrics` asks on every scrape. */
const TOTALS = { sqlite: totalsStatement('sqlite'), postgres: totalsStatement('postgres') } satisfies Record<
  Dialect,
  Statement
>;

/**
 * Ledger requests of every sync that ended, per system (reads and writes), as the terminal write's
 * trigger added them up (migration 0008): one row per system, however many syncs there were. A
 * system no sync has ended on yet reads zero.
 */
export async function readLedgerRequestTotals(
  db: Pick<Database, 'raw'>,
): Promise<{ accountingSystem: AccountingSystem; reads: number; writes: number }[]> {
  const driver = driverFor(db.raw);
  const table = tablesOf(driver.dialect).ledgerRequestTotals;
  const rows = (await driver.run(all(TOTALS[driver.dialect]))).map((r) => decodeRow(table, r));
  return ACCOUNTING_SYSTEMS.map((accountingSystem) => {
    const row = rows.find((r) => r.accountingSystem === accountingSystem);
    return { accountingSystem, reads: Number(row?.reads ?? 0), writes: Number(row?.writes ?? 0) };
  });
}
