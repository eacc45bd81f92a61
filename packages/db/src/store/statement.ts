import { getTableColumns, Placeholder, type SQL, sql, type Table } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import type { Dialect } from './port.js';

/**
 * A statement compiled once for one dialect: its SQL text and its named placeholders in parameter
 * order. Statements are written once as drizzle `sql` templates over the schema's table objects and
 * compiled at store construction, so a call costs what the bare driver costs: SQLite reuses one
 * prepared statement per text, PostgreSQL one named prepared query per connection.
 */
export interface Statement {
  readonly text: string;
  readonly names: readonly string[];
}

/**
 * Values by placeholder name. A JSON column takes the value itself (an object or array; null for
 * NULL), never pre-stringified text: PostgreSQL's prepared statement types the parameter as jsonb
 * and postgres.js serializes it once, so the column holds the structure (`jsonb_typeof` 'object');
 * SQLite's driver writes objects and arrays as JSON text (see each dialect's driver.ts).
 */
export type Values = Readonly<Record<string, unknown>>;

/** A named placeholder; statements take no inline values, so one text serves every call. */
export const p = (name: string) => sql.placeholder(name);

const compilers = { sqlite: new SQLiteSyncDialect(), postgres: new PgDialect() };

/** Compile one statement for `dialect`. */
export function compile(dialect: Dialect, statement: SQL): Statement {
  const query = compilers[dialect].sqlToQuery(statement);
  return {
    text: query.sql,
    names: query.params.map((param) => {
      if (param instanceof Placeholder) return param.name;
      throw new Error(
        `Statement has a bound value (${String(param)}); statements take named placeholders only`,
      );
    }),
  };
}

/** Compile a set of statements for `dialect`, by name. */
export function compileAll<K extends string>(
  dialect: Dialect,
  statements: Record<K, SQL>,
): Record<K, Statement> {
  const out = {} as Record<K, Statement>;
  for (const name of Object.keys(statements) as K[]) out[name] = compile(dialect, statements[name]);
  return out;
}

/**
 * The parameters of a compiled statement, in order, from named values, each passed through the
 * driver's `encode` (one pass: this runs for every statement of every call).
 */
export function bind(statement: Statement, values: Values, encode?: (value: unknown) => unknown): unknown[] {
  const names = statement.names;
  const params = new Array<unknown>(names.length);
  for (let i = 0; i < names.length; i += 1) {
    const name = names[i] as string;
    const value = values[name];
    if (value === undefined) throw new Error(`Missing value for placeholder ${name}`);
    params[i] = encode ? encode(value) : value;
  }
  return params;
}

/** A table's column keys (the schema's property names). */
type ColumnKey<T extends Table> = keyof T['_']['columns'] & string;

function columnName<T extends Table>(table: T, key: ColumnKey<T>) {
  const column = getTableColumns(table)[key];
  if (!column) throw new Error(`No column ${key}`);
  // Unqualified: SQLite refuses `table.column` in an INSERT column list or an UPDATE's SET.
  return sql.identifier(column.name);
}

/** `(col_a, col_b) VALUES (:colA, :colB)`: each value is the placeholder named after its column key. */
export function insertValues<T extends Table>(table: T, keys: readonly ColumnKey<T>[]): SQL {
  const columns = sql.join(
    keys.map((key) => columnName(table, key)),
    sql`, `,
  );
  return sql`(${columns}) VALUES (${sql.join(keys.map(p), sql`, `)})`;
}

/** `col_a = :colA, col_b = :colB`. */
export function assign<T extends Table>(table: T, keys: readonly ColumnKey<T>[]): SQL {
  return sql.join(
    keys.map((key) => sql`${columnName(table, key)} = ${p(key)}`),
    sql`, `,
  );
}
