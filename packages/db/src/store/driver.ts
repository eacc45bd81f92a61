import type { Dialect } from './port.js';
import type { Statement, Values } from './statement.js';

/**
 * The store layer's one idiom. A store operation is a *program*: a generator that yields the
 * statements it needs (`one`, `all`, `write`) and receives their results. It is written once and
 * runs on both dialects, because the driver, not the program, decides how a statement runs:
 * synchronously inside one better-sqlite3 transaction (where no `await` may split it), or awaited
 * on PostgreSQL. So the read-decide-write logic exists once while each dialect keeps its own
 * transaction style.
 *
 * Writing a new operation:
 * - the statement: a drizzle `sql` template in the concept's `*-queries.ts`, compiled once per store;
 * - the program: a plain `function*` taking what it needs (statements, ids, clock) as arguments —
 *   never `this`: `function* requireLog(q: SyncLogStatements, id: string): Program<SyncLog>`;
 *   a program composes others with `yield*`;
 * - every read passes a {@link Decoder} (rows.ts), so a row that lacks a column or holds the wrong
 *   kind of value fails at the read, not three calls later;
 * - the store method runs it: `driver.run(program)` for reads, `driver.transaction(() => program)`
 *   for read-decide-write, with errors through constraint-errors.ts.
 */

/**
 * One statement a store program asks its driver to run: `all` rows, the first row (`get`), or a
 * write whose changed-row count comes back (`run`).
 */
export interface Op {
  readonly kind: 'all' | 'get' | 'run';
  readonly statement: Statement;
  readonly values: Values;
}

/** A store operation written once for both dialects (see the top of this file). */
export type Program<T> = Generator<Op, T, unknown>;

/** A row as a driver returns it, before it is decoded. */
export type Row = Readonly<Record<string, unknown>>;

/** Checks a row and turns it into what the program works with; throws on a row that does not fit. */
export type Decoder<T> = (row: Row) => T;

/** Every row of a statement, undecoded (for callers that decode each row themselves). */
export function all(statement: Statement, values?: Values): Program<Row[]>;
/** Every row of a statement, each through `decode`. */
export function all<T>(statement: Statement, values: Values, decode: Decoder<T>): Program<T[]>;
export function* all<T>(
  statement: Statement,
  values: Values = {},
  decode?: Decoder<T>,
): Program<(T | Row)[]> {
  const rows = (yield { kind: 'all', statement, values }) as Row[];
  return decode ? rows.map((row) => decode(row)) : rows;
}

/** The first row of a statement, if any, through `decode`. */
export function* one<T>(statement: Statement, values: Values, decode: Decoder<T>): Program<T | undefined> {
  const row = (yield { kind: 'get', statement, values }) as Row | undefined;
  return row === undefined ? undefined : decode(row);
}

/** Run a write; resolves to the number of rows it changed. */
export function* write(statement: Statement, values: Values = {}): Program<number> {
  return (yield { kind: 'run', statement, values }) as number;
}

/** What each dialect supplies: how a statement runs, and how a program runs as a transaction. */
export interface Driver {
  readonly dialect: Dialect;
  /** Run a program outside a transaction (reads, and single-statement writes). */
  run<T>(program: Program<T>): Promise<T>;
  /** Run a program as one read-decide-write transaction. Errors roll it back and propagate as thrown. */
  transaction<T>(program: () => Program<T>, options?: TransactionOptions): Promise<T>;
}

/** How a transaction plans its statements. */
export interface TransactionOptions {
  /**
   * Plan the transaction's reads that come before its first write for their actual parameters
   * (PostgreSQL `plan_cache_mode = force_custom_plan`, switched back to `auto` before the first
   * write). For lookups by a batch of ids in a table that grows fast under them: the intake's. A
   * prepared statement's generic plan, chosen while the table was small, kept scanning it as it
   * grew — the upsert of 100,000 records slowed batch by batch (0.63× → 0.38× of a raw insert).
   * Not the writes: per-call plans apply to the triggers' statements too, which then re-plan for
   * every row (the lines' insert took twice as long). SQLite plans on preparation: unaffected.
   */
  customPlans?: boolean;
}

/**
 * Drive a program with a synchronous executor. A statement error is thrown into the program, which
 * may catch it (and so decide what to report) or let it propagate.
 */
export function driveSync<T>(program: Program<T>, execute: (op: Op) => unknown): T {
  let step = program.next();
  while (!step.done) {
    let result: unknown;
    try {
      result = execute(step.value);
    } catch (error) {
      step = program.throw(error);
      continue;
    }
    step = program.next(result);
  }
  return step.value;
}

/** Drive a program with an asynchronous executor (same contract as driveSync). */
export async function driveAsync<T>(program: Program<T>, execute: (op: Op) => Promise<unknown>): Promise<T> {
  let step = program.next();
  while (!step.done) {
    let result: unknown;
    try {
      result = await execute(step.value);
    } catch (error) {
      step = program.throw(error);
      continue;
    }
    step = program.next(result);
  }
  return step.value;
}
