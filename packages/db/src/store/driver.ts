import type { Dialect } from './port.js';
import type { Statement, Values } from './statement.js';

/**
 * One statement a store program asks its driver to run: `all` rows, the first row (`get`), or a
 * write whose changed-row count comes back (`run`).
 */
export interface Op {
  readonly kind: 'all' | 'get' | 'run';
  readonly statement: Statement;
  readonly values: Values;
}

/**
 * A store operation written once for both dialects: a generator that yields the statements it
 * needs and receives their results. The driver decides how they run — synchronously inside one
 * better-sqlite3 transaction (no await may split it), or awaited on PostgreSQL — so the
 * read-decide-write logic exists once while each dialect keeps its own transaction style.
 */
export type Program<T> = Generator<Op, T, unknown>;

/** Every row of a statement. */
export function* all<T>(statement: Statement, values: Values = {}): Program<T[]> {
  return (yield { kind: 'all', statement, values }) as T[];
}

/** The first row of a statement, if any. */
export function* one<T>(statement: Statement, values: Values = {}): Program<T | undefined> {
  return ((yield { kind: 'get', statement, values }) as T | undefined) ?? undefined;
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
