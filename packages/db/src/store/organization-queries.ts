import { type SQL, sql } from 'drizzle-orm';
import * as pgSchema from '../schema/pg/tables.js';
import * as sqliteSchema from '../schema/sqlite/tables.js';
import type { Dialect } from './port.js';
import { compileAll, insertValues, p } from './statement.js';

type Schema = typeof pgSchema | typeof sqliteSchema;

/** An organization's `admin-accounting` module row (also read by a sync's create). */
export function accountingModuleOf(s: Schema): SQL {
  const m = s.moduleConfigurations;
  return sql`SELECT * FROM ${m} WHERE ${m.organizationId} = ${p('organizationId')} AND ${m.module} = 'admin-accounting'`;
}

/** Organizations and their module configurations, written once over the dialect's tables. */
function organizationStatements(dialect: Dialect) {
  const s = dialect === 'sqlite' ? sqliteSchema : pgSchema;
  const o = s.organizations;
  const m = s.moduleConfigurations;
  return {
    insert: sql`INSERT INTO ${o} ${insertValues(o, ['id', 'name', 'createdAt', 'timeZone'])} RETURNING *`,
    byId: sql`SELECT * FROM ${o} WHERE ${o.id} = ${p('id')}`,
    setTimeZone: sql`UPDATE ${o} SET ${sql.identifier(o.timeZone.name)} = ${p('timeZone')} WHERE ${o.id} = ${p('id')}`,
    byName: sql`SELECT * FROM ${o} ORDER BY ${o.name}, ${o.id}`,
    // `enabled` binds a boolean: PostgreSQL's boolean, SQLite's 0/1 (its driver encodes it).
    configureAccounting: sql`INSERT INTO ${m} ${insertValues(m, ['organizationId', 'module', 'enabled', 'config', 'updatedAt'])}
      ON CONFLICT (${sql.identifier(m.organizationId.name)}, ${sql.identifier(m.module.name)}) DO UPDATE SET
        ${sql.identifier(m.enabled.name)} = excluded.${sql.identifier(m.enabled.name)},
        ${sql.identifier(m.config.name)} = excluded.${sql.identifier(m.config.name)},
        ${sql.identifier(m.updatedAt.name)} = excluded.${sql.identifier(m.updatedAt.name)}`,
    accountingModuleOf: accountingModuleOf(s),
    scheduled: sql`SELECT ${m}.*, ${o.timeZone} AS organization_time_zone FROM ${m}
      JOIN ${o} ON ${o.id} = ${m.organizationId}
      WHERE ${m.module} = 'admin-accounting' AND ${m.enabled} = TRUE
      ORDER BY ${m.organizationId}`,
  } satisfies Record<string, SQL>;
}

/** The organization statements compiled for one dialect. */
export function compileOrganizationStatements(dialect: Dialect) {
  return compileAll(dialect, organizationStatements(dialect));
}
