import type BetterSqlite3 from 'better-sqlite3';
import { type Column, getTableColumns, Placeholder, type SQL, sql, type Table } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import * as pgTables from '../schema/pg/tables.js';
import * as pgWebhooks from '../schema/pg/webhooks.js';
import * as sqliteTables from '../schema/sqlite/tables.js';
import * as sqliteWebhooks from '../schema/sqlite/webhooks.js';
import type { Dialect, RawConnection } from './port.js';

const pgSchema = { ...pgTables, ...pgWebhooks };
const sqliteSchema = { ...sqliteTables, ...sqliteWebhooks };

/** Every table object of one dialect's schema; statements written over it compile for either. */
export type SchemaTables = typeof pgSchema | typeof sqliteSchema;

type Row = Record<string, unknown>;
type Values = Record<string, unknown>;

/** A named parameter of a statement compiled once ({@link SqlExecutor.compile}), bound per call. */
export const param = (name: string) => sql.placeholder(name);

/** A statement compiled for one dialect: its text, and its parameters (values or named placeholders). */
export class CompiledStatement {
  constructor(
    readonly text: string,
    private readonly params: readonly unknown[],
  ) {}

  /** The parameters in order, placeholders replaced by `values`. */
  bind(values: Values = {}): unknown[] {
    return this.params.map((p) => {
      if (!(p instanceof Placeholder)) return p;
      if (!(p.name in values)) throw new Error(`Missing value for parameter ${p.name}`);
      return values[p.name];
    });
  }
}

/** What the executor runs: a template compiled on the spot, or a compiled statement with its values. */
export type Runnable = SQL | readonly [CompiledStatement, Values];

/** JSON text for a {@link SqlExecutor.jsonParam} (null stays NULL). */
export const jsonText = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value);

/** Prepared SQLite statements kept per connection; the texts are static templates, so few. */
const MAX_CACHED_STATEMENTS = 256;

/**
 * Runs `sql` templates written once over either dialect's table objects. This is the whole of what
 * differs between the dialects for the stores built on it: how a statement is compiled and run
 * (better-sqlite3 is synchronous, postgres.js is not), how a group of writes becomes one
 * transaction, how a JSON value is sent, and whether a claim can skip locked rows.
 */
export class SqlExecutor {
  readonly dialect: Dialect;
  readonly tables: SchemaTables;
  /** `FOR UPDATE SKIP LOCKED` on PostgreSQL; nothing on SQLite, whose one writer serialises claims. */
  readonly skipLocked: SQL;
  private readonly compiler: PgDialect | SQLiteSyncDialect;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly raw: RawConnection) {
    this.dialect = raw.dialect;
    this.tables = raw.dialect === 'sqlite' ? sqliteSchema : pgSchema;
    this.compiler = raw.dialect === 'sqlite' ? new SQLiteSyncDialect() : new PgDialect();
    this.skipLocked = raw.dialect === 'postgres' ? sql` FOR UPDATE SKIP LOCKED` : sql``;
  }

  /**
   * A JSON parameter that is stored as the structure it is: on PostgreSQL the text is sent as
   * `text` and parsed by the server (a bare `$n::jsonb` makes the driver encode the string a
   * second time, storing a JSON string); on SQLite it is the JSON text itself.
   */
  json(value: unknown): SQL {
    return this.jsonSql(sql`${jsonText(value)}`);
  }

  /** {@link json} for a statement compiled once: bind the value as {@link jsonText}. */
  jsonParam(name: string): SQL {
    return this.jsonSql(sql`${param(name)}`);
  }

  private jsonSql(text: SQL): SQL {
    return this.dialect === 'postgres' ? sql`(${text}::text)::jsonb` : text;
  }

  /**
   * Compile a statement once (per store, per database), with {@link param} placeholders: each call
   * then costs only the driver's work, as the shared reads do (see reads.ts).
   */
  compile(query: SQL): CompiledStatement {
    const { sql: text, params } = this.compiler.sqlToQuery(query);
    return new CompiledStatement(text, params);
  }

  private toQuery(query: Runnable): { text: string; params: unknown[] } {
    if (Array.isArray(query)) {
      const [statement, values] = query as readonly [CompiledStatement, Values];
      return { text: statement.text, params: statement.bind(values) };
    }
    const { sql: text, params } = this.compiler.sqlToQuery(query as SQL);
    return { text, params };
  }

  /** The rows a statement returns (a SELECT, or a write with RETURNING). */
  async all(query: Runnable): Promise<Row[]> {
    const { text, params } = this.toQuery(query);
    if (this.raw.dialect === 'sqlite') return this.prepare(text).all(...params) as Row[];
    return (await this.raw.sql.unsafe(text, params as never[], { prepare: true })) as unknown as Row[];
  }

  /** Run a write; resolves to the number of rows it changed. */
  async run(query: Runnable): Promise<number> {
    const [count] = await this.transaction([query]);
    return count ?? 0;
  }

  /** Run writes in one transaction, in order; resolves to the rows each changed. */
  async transaction(queries: readonly Runnable[]): Promise<number[]> {
    const compiled = queries.map((q) => this.toQuery(q));
    if (this.raw.dialect === 'sqlite') {
      const connection = this.raw.connection;
      const runAll = () => compiled.map((q) => this.prepare(q.text).run(...q.params).changes);
      return compiled.length === 1 ? runAll() : connection.transaction(runAll)();
    }
    const client = this.raw.sql;
    if (compiled.length === 1) {
      const [q] = compiled;
      if (!q) return [];
      return [(await client.unsafe(q.text, q.params as never[], { prepare: true })).count];
    }
    return (await client.begin(async (tx) => {
      const counts: number[] = [];
      for (const q of compiled) {
        counts.push((await tx.unsafe(q.text, q.params as never[], { prepare: true })).count);
      }
      return counts;
    })) as number[];
  }

  private prepare(text: string): BetterSqlite3.Statement {
    if (this.raw.dialect !== 'sqlite') throw new Error('prepare is SQLite only');
    let statement = this.statements.get(text);
    if (!statement) {
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear();
      statement = this.raw.connection.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }
}

/** A column by its bare name (SET lists, RETURNING, outer queries over a derived table). */
export const bare = (column: Column): SQL => sql`${sql.identifier(column.name)}`;

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
    if (value === null || value === undefined) out[key] = null;
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

/** Executors per raw connection, so every store over one database shares its statement cache. */
const executors = new WeakMap<object, SqlExecutor>();

/** The executor of an open database's driver handle. */
export function executorFor(raw: RawConnection): SqlExecutor {
  const handle = raw.dialect === 'sqlite' ? raw.connection : raw.sql;
  let executor = executors.get(handle);
  if (!executor) {
    executor = new SqlExecutor(raw);
    executors.set(handle, executor);
  }
  return executor;
}
