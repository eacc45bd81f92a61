import { canonicalUuid } from '@meander/domain';
import { sql } from 'drizzle-orm';
import { RUNNERS } from '../schema/checks.js';
import { rethrowAsDomainError } from './constraint-errors.js';
import { one } from './driver.js';
import { driverFor } from './driver-for.js';
import type { Database, Dialect, SyncRunner } from './port.js';
import { decodeFields, selectFields, tablesOf } from './schema-rows.js';
import { compile, p } from './statement.js';
import { isUuid } from './uuid.js';

const fieldsOf = (dialect: Dialect) => ({ runner: tablesOf(dialect).accountingSyncLogs.runner });

/** The runner of one row, written once over each dialect's table and compiled once per dialect. */
function runnerStatement(dialect: Dialect) {
  const l = tablesOf(dialect).accountingSyncLogs;
  return compile(
    dialect,
    sql`SELECT ${selectFields(fieldsOf(dialect))} FROM ${l} WHERE ${l.id} = ${p('id')}`,
  );
}

const statements = { sqlite: runnerStatement('sqlite'), postgres: runnerStatement('postgres') };

function isRunner(value: string): value is SyncRunner {
  return (RUNNERS as readonly string[]).includes(value);
}

/**
 * Who drives a sync (`worker` or `external`), or null when the row does not exist. The runner is
 * fixed at create and never changes, so a check before a lifecycle call cannot race. The id is
 * read as the stores read it: canonical (lower-case), and one that is not a UUID cannot exist — the
 * same answer on both dialects.
 */
export async function syncRunnerOf(db: Pick<Database, 'raw'>, rawId: string): Promise<SyncRunner | null> {
  const id = canonicalUuid(rawId);
  if (!isUuid(id)) return null;
  const driver = driverFor(db.raw);
  const fields = fieldsOf(driver.dialect);
  let row: { runner: string } | undefined;
  try {
    row = await driver.run(one(statements[driver.dialect], { id }, (r) => decodeFields(fields, r)));
  } catch (error) {
    rethrowAsDomainError(error);
  }
  if (!row) return null;
  const { runner } = row;
  // The column's CHECK holds the same list; a value another writer slipped in fails loudly.
  if (!isRunner(runner)) throw new Error(`Unexpected value in accounting_sync_logs.runner: ${runner}`);
  return runner;
}
