import type BetterSqlite3 from 'better-sqlite3';
import { type Driver, driveSync, type Op, type Program } from '../driver.js';
import { bind } from '../statement.js';

/** better-sqlite3 binds no booleans and no objects: SQLite holds them as 0/1 and JSON text. */
function encode(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) return JSON.stringify(value);
  return value;
}

/**
 * How the shared stores run on SQLite. better-sqlite3 is synchronous: a program runs to its end
 * without an await, inside `db.transaction(...).immediate()` for writes — BEGIN IMMEDIATE takes the
 * write lock up front, so the decision and the write see the same state and writers queue (which
 * also keeps each organization's hash chain linear). One driver per connection: its prepared
 * statements are compiled once and reused (SQLite's parse cost is per prepare).
 */
export class SqliteDriver implements Driver {
  readonly dialect = 'sqlite';
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly db: BetterSqlite3.Database) {}

  private prepare(text: string): BetterSqlite3.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private readonly execute = (op: Op): unknown => {
    const statement = this.prepare(op.statement.text);
    const params = bind(op.statement, op.values, encode);
    if (op.kind === 'all') return statement.all(...params);
    if (op.kind === 'get') return statement.get(...params);
    return statement.run(...params).changes;
  };

  async run<T>(program: Program<T>): Promise<T> {
    return driveSync(program, this.execute);
  }

  async transaction<T>(program: () => Program<T>): Promise<T> {
    return this.db.transaction(() => driveSync(program(), this.execute)).immediate();
  }
}
