import { type Column, getTableColumns, type SQL, sql, type Table } from 'drizzle-orm';
import * as pgTables from '../schema/pg/tables.js';
import * as pgUnverified from '../schema/pg/unverified-postings.js';
import * as pgWebhooks from '../schema/pg/webhooks.js';
import * as sqliteTables from '../schema/sqlite/tables.js';
import * as sqliteUnverified from '../schema/sqlite/unverified-postings.js';
import * as sqliteWebhooks from '../schema/sqlite/webhooks.js';
import type { Dialect } from './port.js';

const schemas = {
  postgres: { ...pgTables, ...pgWebhooks, ...pgUnverified },
  sqlite: { ...sqliteTables, ...sqliteWebhooks, ...sqliteUnverified },
};

/** Every table object of one dialect's schema; statements written over it compile for either. */
export type SchemaTables = (typeof schemas)[Dialect];

/** The table objects of `dialect`'s schema. */
export function tablesOf(dialect: Dialect): SchemaTables {
  return schemas[dialect];
}

/** A column by its bare name (SET lists, RETURNING, outer queries over a derived table). */
export const bare = (column: Column): SQL => sql`${sql.identifier(column.name)}`;

type Row = Record<string, unknown>;
type Fields = Record<string, Column>;
/** The value a column reads as, nullable unless the schema says NOT NULL. */
type FieldValue<C extends Column> = C['_']['notNull'] extends true ? C['_']['data'] : C['_']['data'] | null;
/** The row {@link selectFields} returns for `fields`, typed from the schema's columns. */
export type FieldsRow<F extends Fields> = { [K in keyof F]: FieldValue<F[K]> };

/** `"column_name" AS "key", …` over chosen columns: rows come back keyed as `fields` is. */
export function selectFields(fields: Fields): SQL {
  return sql.join(
    Object.entries(fields).map(([key, column]) => sql`${bare(column)} AS ${sql.identifier(key)}`),
    sql`, `,
  );
}

/** Every column of `table`, keyed as the schema's fields (see {@link selectFields}). */
export function selectColumns(table: Table): SQL {
  return selectFields(getTableColumns(table));
}

/**
 * A row read with {@link selectFields}, decoded by the schema's own column mappers (JSON text
 * parsed on SQLite, jsonb as the driver parsed it), with PostgreSQL's timestamps as the ISO strings
 * SQLite stores: one row type, inferred from the schema, on both dialects.
 */
export function decodeFields<F extends Fields>(fields: F, row: Row): FieldsRow<F> {
  const out: Row = {};
  for (const [key, column] of Object.entries(fields)) {
    const value = row[key];
    // A field the statement did not select is a mistake in the statement: fail at the read.
    if (value === undefined) throw new Error(`The row has no field ${key}`);
    if (value === null) out[key] = null;
    else if (value instanceof Date) out[key] = value.toISOString();
    else if (typeof value === 'bigint') out[key] = Number(value);
    else out[key] = column.mapFromDriverValue(value);
  }
  return out as FieldsRow<F>;
}

/** A row read with {@link selectColumns}, decoded as {@link decodeFields} does. */
export function decodeRow<T extends Table>(table: T, row: Row): T['$inferSelect'] {
  return decodeFields(getTableColumns(table), row) as T['$inferSelect'];
}
