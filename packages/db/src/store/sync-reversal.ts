import { randomUUID } from 'node:crypto';
import {
  assertReversible,
  createSyncLogCommandSchema,
  DomainError,
  isDomainError,
  parseCommand,
  planCreate,
  planReversalInput,
  reversalOf,
  SYNC_LOG_FIELDS,
  type SyncLog,
} from '@meander/domain';
import { type SQL, sql } from 'drizzle-orm';
import { rethrowAsDomainError } from './constraint-errors.js';
import { all, type Decoder, type Driver, one, type Program, write } from './driver.js';
import { idSet, RECORD_VIEW_COLUMNS } from './expense-record-statements.js';
import type { Dialect } from './port.js';
import { countRow } from './rows.js';
import { tablesOf } from './schema-rows.js';
import { compileAll, insertValues, p } from './statement.js';
import { createContextOf, syncLogRowById } from './sync-log-programs.js';
import type { SyncLogStatements } from './sync-log-queries.js';
import { syncLogFromRow, syncLogRow } from './sync-log-row.js';
import { isUuid } from './uuid.js';

/** Below every canonical UUID: the first page of a keyset over ids starts after it. */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * The reversal's statements (migration 0013), written once over each dialect's tables: the first
 * reversal of a sync, the records a sync left posted (by id, on idx_expense_records_posted_by), and
 * their release once reversed.
 */
function reversalStatements(dialect: Dialect) {
  const { accountingSyncLogs: l, expenseRecords: r } = tablesOf(dialect);
  const ids = idSet(dialect, 'ids');
  const postedBy = sql`${r.postedBySyncLogId} = ${p('syncLogId')} AND (${p('onlyIds')} = 0 OR ${r.id} IN (${ids}))`;
  return {
    reversalOf: sql`SELECT * FROM ${l} WHERE ${l.reversesSyncLogId} = ${p('id')}`,
    insertReversal: sql`INSERT INTO ${l} ${insertValues(l, [
      ...SYNC_LOG_FIELDS,
      'idempotencyKey',
      'runner',
      'reversesSyncLogId',
    ])}`,
    countPostedBy: sql`SELECT COUNT(*) AS n FROM ${r} WHERE ${postedBy}`,
    postedByPage: sql`SELECT ${RECORD_VIEW_COLUMNS(r)}, ${r.postingRound} AS posting_round
      FROM ${r} WHERE ${postedBy} AND ${r.id} > ${p('afterId')} ORDER BY ${r.id} LIMIT ${p('limit')}`,
    /**
     * What a success or partial reversal reversed is posted no more: the records its original left
     * posted (or the ids its re-sync names) that the ledger did not refuse, each one posting round
     * on, so that exporting it again posts under a key of its own. The database lets this one update
     * through a posted record only once a reversal of its posting sync exists.
     */
    release: sql`UPDATE ${r} SET posted_by_sync_log_id = NULL, posting_round = ${r.postingRound} + 1
      WHERE ${r.postedBySyncLogId} = ${p('syncLogId')} AND (${p('onlyIds')} = 0 OR ${r.id} IN (${ids}))
        AND ${r.id} NOT IN (${idSet(dialect, 'failedIds')})`,
  } satisfies Record<string, SQL>;
}

/** The reversal statements compiled for one dialect. */
export function compileReversalStatements(dialect: Dialect) {
  return compileAll(dialect, reversalStatements(dialect));
}
/** The compiled reversal statements. */
export type ReversalStatements = ReturnType<typeof compileReversalStatements>;

/** Which of a sync's posted records: all of them, or only `recordIds`. */
export function postedBySelection(syncLogId: string, recordIds?: readonly string[]) {
  return {
    syncLogId,
    onlyIds: recordIds ? 1 : 0,
    ids: recordIds ? recordIds.filter(isUuid) : [],
  };
}

/**
 * Release what a success or partial reversal reversed, in its completing transaction (see the
 * `release` statement). Like the posting mark, nothing is released when the reversal does not say
 * which records failed (`recordFailuresTruncated`) or which its re-sync re-sent
 * (`recordIdsTruncated`): those stay posted, and a re-sync of the reversal reads them back.
 */
export function* releaseReversedProgram(q: ReversalStatements, log: SyncLog): Program<number> {
  const reversal = reversalOf(log);
  if (!reversal) return 0;
  if (log.status !== 'success' && log.status !== 'partial') return 0;
  if (log.errorDetails?.recordFailuresTruncated) return 0;
  const summary = log.payloadSummary;
  const resync = summary?.parentSyncId !== undefined;
  if (resync && summary?.recordIdsTruncated) return 0;
  const failedIds = (log.errorDetails?.recordFailures ?? []).map((f) => f.recordId).filter(isUuid);
  return yield* write(q.release, {
    ...postedBySelection(reversal.of, resync ? (summary?.recordIds ?? []) : undefined),
    failedIds,
  });
}

/** Who reverses which sync, and why. */
export interface ReverseSyncCommand {
  syncLogId: string;
  /** Display text, already normalised by `reverseSyncInputSchema`. */
  reason: string;
  triggeredBy: string | null;
}

/**
 * Creating a reversal: one transaction that locks the original, applies the domain's reversal rules
 * and `planCreate`, and inserts the pending reversal naming the original. The unique index of
 * migration 0013 refuses a second reversal that raced past the check.
 */
function* createReversalProgram(
  q: SyncLogStatements,
  r: ReversalStatements,
  command: ReverseSyncCommand,
  now: string,
): Program<SyncLog> {
  const row = yield* syncLogRowById(q, command.syncLogId, true);
  if (!row) throw new DomainError('NOT_FOUND', `Sync log ${command.syncLogId} does not exist`);
  const original = syncLogFromRow(row);
  const existing = yield* one(r.reversalOf, { id: original.id }, syncLogRow);
  assertReversible(original, existing?.id ?? null);
  const counted = yield* one(r.countPostedBy, postedBySelection(original.id), countRow);
  const create = parseCommand(
    createSyncLogCommandSchema,
    planReversalInput(original, {
      reason: command.reason,
      triggeredBy: command.triggeredBy,
      recordsTotal: Number(counted?.n ?? 0),
    }),
  );
  const decidedFrom = yield* createContextOf(q, original.organizationId);
  const { syncLog } = planCreate(create, { id: randomUUID(), now, ...decidedFrom });
  yield* write(r.insertReversal, {
    ...Object.fromEntries(SYNC_LOG_FIELDS.map((field) => [field, syncLog[field] ?? null])),
    idempotencyKey: null,
    runner: 'worker',
    reversesSyncLogId: original.id,
  });
  return syncLog;
}

/** Reversals of one store: created and found. */
export function syncReversals({ driver, q }: { driver: Driver; q: SyncLogStatements }) {
  const r = compileReversalStatements(driver.dialect);

  async function findReversalOf(id: string): Promise<SyncLog | null> {
    if (!isUuid(id)) return null;
    const row = await driver.run(one(r.reversalOf, { id }, syncLogRow));
    return row ? syncLogFromRow(row) : null;
  }

  /** What the database refused, as the error the domain would have thrown. */
  async function reversalErrorOf(error: unknown, id: string): Promise<unknown> {
    if (isDomainError(error)) return error;
    const e = (error ?? {}) as {
      message?: unknown;
      constraint_name?: unknown;
      cause?: { message?: unknown };
    };
    const message = `${String(e.message ?? '')} ${String(e.constraint_name ?? '')} ${String(e.cause?.message ?? '')}`;
    if (/uq_accounting_sync_logs_one_reversal|accounting_sync_logs\.reverses_sync_log_id/.test(message)) {
      const first = await findReversalOf(id).catch(() => null);
      try {
        assertReversible({ id, status: 'success', payloadSummary: null }, first?.id ?? 'another sync');
      } catch (typed) {
        return typed;
      }
    }
    if (message.includes('SYNC_NOT_REVERSIBLE')) {
      return new DomainError('SYNC_NOT_REVERSIBLE', `Sync ${id} cannot be reversed`, [
        {
          rule: 'reversal_of_posted_sync',
          severity: 'error',
          path: ['syncLogId'],
          message: 'Only a success or partial sync of the same organization can be reversed',
        },
      ]);
    }
    try {
      rethrowAsDomainError(error);
    } catch (mapped) {
      return mapped;
    }
  }

  return {
    findReversalOf,
    async create(command: ReverseSyncCommand, now: string): Promise<SyncLog> {
      const id = command.syncLogId.toLowerCase();
      try {
        return await driver.transaction(() =>
          createReversalProgram(q, r, { ...command, syncLogId: id }, now),
        );
      } catch (error) {
        throw await reversalErrorOf(error, id);
      }
    },
  };
}

/** Rows of the records a sync left posted, a page at a time in id order. */
export function* postedByPage<T>(
  r: ReversalStatements,
  selection: ReturnType<typeof postedBySelection>,
  afterId: string,
  limit: number,
  decode: Decoder<T>,
): Program<T[]> {
  return yield* all(r.postedByPage, { ...selection, afterId, limit }, decode);
}
