import { ACTIVE_STATUSES } from '@meander/domain';
import { Placeholder, type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import * as pgSchema from '../schema/pg/tables.js';
import * as sqliteSchema from '../schema/sqlite/tables.js';
import type { Dialect } from './port.js';

type Schema = typeof pgSchema | typeof sqliteSchema;
const p = (name: string) => sql.placeholder(name);

/**
 * Reads written once, over the schema's table objects (every column a name the compiler sees), with
 * named placeholders. Each store compiles them once for its dialect, so a call costs what the bare
 * driver costs: SQLite reuses one prepared statement, PostgreSQL one named prepared query.
 */
function readStatements(s: Schema) {
  const l = s.accountingSyncLogs;
  const d = s.accountingSyncLogDeletions;
  const active = sql.raw(ACTIVE_STATUSES.map((status) => `'${status}'`).join(', '));
  return {
    syncLogById: sql`SELECT * FROM ${l} WHERE ${l.id} = ${p('id')}`,
    syncLogByIdempotencyKey: sql`SELECT * FROM ${l} WHERE ${l.organizationId} = ${p('organizationId')}
      AND ${l.idempotencyKey} = ${p('idempotencyKey')}`,
    activeSyncLog: sql`SELECT * FROM ${l} WHERE ${l.organizationId} = ${p('organizationId')} AND ${l.status} IN (${active})`,
    claimableSyncLogs: sql`SELECT * FROM ${l} WHERE ${l.status} = 'pending' AND ${l.runner} = 'worker'
      ORDER BY ${l.createdAt}, ${l.id} LIMIT ${p('limit')}`,
    staleSyncLogs: sql`SELECT * FROM ${l} WHERE ${l.status} = 'in_progress'
      AND COALESCE(${l.heartbeatAt}, ${l.startedAt}) < ${p('olderThan')} ORDER BY ${l.startedAt}`,
    successCovering: sql`SELECT * FROM ${l} WHERE ${l.organizationId} = ${p('organizationId')}
      AND ${l.periodStart} <= ${p('periodStart')} AND ${l.periodEnd} >= ${p('periodEnd')} AND ${l.status} = 'success'
      ORDER BY ${l.startedAt} DESC LIMIT 1`,
    deletionsOf: sql`SELECT * FROM ${d} WHERE ${d.organizationId} = ${p('organizationId')}
      ORDER BY ${d.deletedAt}, ${d.syncLogId}`,
  } satisfies Record<string, SQL>;
}

/** A read compiled for one dialect: its SQL text and the placeholder names in parameter order. */
export interface CompiledRead {
  text: string;
  names: string[];
}

/** The shared reads, by name. */
export type ReadName = keyof ReturnType<typeof readStatements>;

/** Compile every shared read for `dialect` (once per store). */
export function compileReads(dialect: Dialect): Record<ReadName, CompiledRead> {
  const compiler = dialect === 'sqlite' ? new SQLiteSyncDialect() : new PgDialect();
  const statements = readStatements(dialect === 'sqlite' ? sqliteSchema : pgSchema);
  const out = {} as Record<ReadName, CompiledRead>;
  for (const [name, statement] of Object.entries(statements) as [ReadName, SQL][]) {
    const query = compiler.sqlToQuery(statement);
    out[name] = {
      text: query.sql,
      names: query.params.map((param) => {
        if (param instanceof Placeholder) return param.name;
        throw new Error(`Read ${name} has a bound value; reads take named placeholders only`);
      }),
    };
  }
  return out;
}

/** The parameters of a compiled read, in order, from named values. */
export function bindRead(read: CompiledRead, values: Record<string, unknown>): unknown[] {
  return read.names.map((name) => {
    if (!(name in values)) throw new Error(`Missing value for placeholder ${name}`);
    return values[name];
  });
}
