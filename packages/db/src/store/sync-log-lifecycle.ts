import { randomUUID } from 'node:crypto';
import {
  assertMutable,
  type CreateSyncLogCommand,
  canonicalUuid,
  checkRecordsCountsNonNegative,
  completeSyncLogCommandSchema,
  createSyncLogCommandSchema,
  DomainError,
  failSyncLogCommandSchema,
  isReversal,
  parseCommand,
  planComplete,
  planCreate,
  planFail,
  planProgress,
  planStart,
  reportProgressCommandSchema,
  type SyncLog,
  throwOnErrors,
} from '@meander/domain';
import { rethrowAsDomainError } from './constraint-errors.js';
import { one, type Program, write } from './driver.js';
import { markPostedProgram } from './expense-record-intake.js';
import { compileIntakeStatements } from './expense-record-statements.js';
import type { CreateResult, SyncLogStore, SyncRunner } from './port.js';
import {
  compileScheduledSyncStatements,
  createScheduledProgram,
  parseScheduledBatch,
} from './scheduled-syncs.js';
import type { SyncLogContext } from './sql-sync-log-store.js';
import { DEFAULT_LEASE_SECONDS, leaseLost, leaseProblem, leaseRow, leaseUntil } from './sync-lease.js';
import { seal } from './sync-log-chain.js';
import { createContextOf, requireSyncLog, syncLogByKey } from './sync-log-programs.js';
import type { SyncLogStatements } from './sync-log-queries.js';
import {
  idempotencyFingerprint,
  type SyncLogRow,
  syncLogFromRow,
  syncLogRow,
  toIsoOrNull,
} from './sync-log-row.js';
import { compileReversalStatements, releaseReversedProgram, syncReversals } from './sync-reversal.js';
import { isUuid } from './uuid.js';

const nowIso = () => new Date().toISOString();

function* insert(
  q: SyncLogStatements,
  log: SyncLog,
  idempotencyKey: string | null,
  runner: SyncRunner,
): Program<void> {
  yield* write(q.insert, {
    id: log.id,
    organizationId: log.organizationId,
    accountingSystem: log.accountingSystem,
    syncType: log.syncType,
    status: log.status,
    triggeredBy: log.triggeredBy,
    periodStart: log.periodStart,
    periodEnd: log.periodEnd,
    recordsTotal: log.recordsTotal,
    recordsSynced: log.recordsSynced,
    recordsFailed: log.recordsFailed,
    payloadSummary: log.payloadSummary ?? null,
    errorDetails: log.errorDetails ?? null,
    externalReferenceId: log.externalReferenceId,
    startedAt: log.startedAt,
    completedAt: log.completedAt,
    createdAt: log.createdAt,
    idempotencyKey,
    runner,
  });
}

/** Claim a pending row, conditional on it still being pending: of several claimers exactly one matches. */
function* markStarted(
  q: SyncLogStatements,
  log: SyncLog,
  claim: { now: string; workerId: string | null; leaseExpiresAt: string },
): Program<number> {
  return yield* write(q.start, {
    id: log.id,
    status: log.status,
    startedAt: log.startedAt,
    heartbeatAt: claim.now,
    claimedBy: claim.workerId,
    leaseExpiresAt: claim.leaseExpiresAt,
  });
}

/** An idempotent replay: the same key with the same request returns the first result. */
function replay(previous: SyncLog, command: CreateSyncLogCommand): CreateResult {
  const asked = idempotencyFingerprint({ ...command, triggeredBy: command.triggeredBy ?? null });
  if (asked !== idempotencyFingerprint(previous) || previous.organizationId !== command.organizationId) {
    throw new DomainError(
      'IDEMPOTENCY_KEY_CONFLICT',
      `Idempotency key ${command.idempotencyKey} was already used for a different request (sync ${previous.id})`,
      [
        {
          rule: 'schema',
          severity: 'error',
          path: ['idempotencyKey'],
          message: 'Key reused with a different body',
        },
      ],
    );
  }
  return { syncLog: previous, warnings: [], replayed: true };
}

/** How syncs come to be: created (once per idempotency key), queued by the scheduler, or reversing another. */
export function syncLogCreation(
  context: SyncLogContext,
): Pick<SyncLogStore, 'create' | 'createScheduled' | 'createReversal' | 'findReversalOf'> {
  const { driver, q, transaction } = context;
  const scheduled = compileScheduledSyncStatements(driver.dialect);
  const reversals = syncReversals(context);

  return {
    async create(input, options = {}) {
      const command = parseCommand(createSyncLogCommandSchema, input);
      const now = options.now ?? nowIso();
      const key = command.idempotencyKey;
      try {
        return await transaction(function* (): Program<CreateResult> {
          if (key) {
            const previous = yield* syncLogByKey(q, command.organizationId, key);
            if (previous) return replay(previous, command);
          }
          const decidedFrom = yield* createContextOf(q, command.organizationId);
          const planned = planCreate(command, { id: randomUUID(), now, ...decidedFrom });
          yield* insert(q, planned.syncLog, key ?? null, options.runner ?? 'worker');
          return { ...planned, replayed: false };
        });
      } catch (error) {
        // Two creates with one idempotency key raced (possible wherever writers do not queue on one
        // lock): the loser replays the winner's row.
        if (key && error instanceof DomainError && error.code !== 'VALIDATION_FAILED') {
          const previous = await driver.run(syncLogByKey(q, command.organizationId, key));
          if (previous) return replay(previous, command);
        }
        throw error;
      }
    },

    async createScheduled(entries, options = {}) {
      const batch = parseScheduledBatch(entries);
      const now = options.now ?? nowIso();
      return transaction(() => createScheduledProgram(scheduled, batch, now));
    },

    createReversal(command, options = {}) {
      return reversals.create(command, options.now ?? nowIso());
    },

    findReversalOf(syncLogId) {
      return reversals.findReversalOf(canonicalUuid(syncLogId));
    },
  };
}

/** A sync's run: claimed, kept alive, progressed, and completed or failed — sealed into the chain. */
export function syncLogRuns({
  driver,
  q,
  transaction,
}: SyncLogContext): Pick<
  SyncLogStore,
  'start' | 'claimNextPending' | 'heartbeat' | 'reportProgress' | 'complete' | 'fail'
> {
  const intake = compileIntakeStatements(driver.dialect);
  const reversals = compileReversalStatements(driver.dialect);

  return {
    async start(rawId, options = {}) {
      const id = canonicalUuid(rawId);
      const now = options.now ?? nowIso();
      const claim = {
        now,
        workerId: options.workerId ?? null,
        leaseExpiresAt: leaseUntil(now, options.leaseSeconds ?? DEFAULT_LEASE_SECONDS),
      };
      return transaction(function* () {
        const { syncLog } = planStart(yield* requireSyncLog(q, id), now);
        const changed = yield* markStarted(q, syncLog, claim);
        // Someone else claimed it meanwhile: the domain says why this start is refused.
        if (changed !== 1) planStart(yield* requireSyncLog(q, id), now);
        return syncLog;
      });
    },

    async claimNextPending(workerId, options = {}) {
      const now = options.now ?? nowIso();
      const claim = {
        now,
        workerId,
        leaseExpiresAt: leaseUntil(now, options.leaseSeconds ?? DEFAULT_LEASE_SECONDS),
      };
      return transaction(function* () {
        const row = yield* one(q.nextPending, {}, syncLogRow);
        if (!row) return null;
        const { syncLog } = planStart(syncLogFromRow(row), now);
        yield* markStarted(q, syncLog, claim);
        return syncLog;
      });
    },

    async heartbeat(rawId, options = {}) {
      const id = canonicalUuid(rawId);
      await transaction(function* () {
        assertMutable(yield* requireSyncLog(q, id));
        yield* write(q.heartbeat, { id, heartbeatAt: options.now ?? nowIso() });
      });
    },

    async reportProgress(input) {
      const command = parseCommand(reportProgressCommandSchema, input);
      throwOnErrors(checkRecordsCountsNonNegative(command));
      // The hot path of a running sync (once per batch): one conditional statement. Only an active
      // row matches — exactly what planProgress allows; otherwise the domain explains why not.
      return driver.run(
        (function* () {
          let row: SyncLogRow | undefined;
          try {
            row = yield* one(
              q.progress,
              {
                id: command.id,
                recordsSynced: command.recordsSynced,
                recordsFailed: command.recordsFailed,
                heartbeatAt: nowIso(),
              },
              syncLogRow,
            );
          } catch (error) {
            // The database refused the counts (records_progress_bounded): the domain names rule and field.
            planProgress(yield* requireSyncLog(q, command.id), command);
            rethrowAsDomainError(error);
          }
          if (row) return syncLogFromRow(row);
          return planProgress(yield* requireSyncLog(q, command.id), command).syncLog;
        })(),
      );
    },

    async complete(input, options = {}) {
      const command = parseCommand(completeSyncLogCommandSchema, input);
      const now = options.now ?? nowIso();
      return transaction(function* () {
        const planned = planComplete(yield* requireSyncLog(q, command.id, true), command, now);
        yield* seal(q, planned.syncLog);
        // What the sync posted becomes unchangeable in the same transaction as its terminal state;
        // what a reversal reversed is released in the same way.
        if (isReversal(planned.syncLog)) yield* releaseReversedProgram(reversals, planned.syncLog);
        else yield* markPostedProgram(intake, planned.syncLog);
        return planned;
      });
    },

    async fail(input, options = {}) {
      const command = parseCommand(failSyncLogCommandSchema, input);
      const now = options.now ?? nowIso();
      return transaction(function* () {
        const { syncLog } = planFail(yield* requireSyncLog(q, command.id, true), command, now);
        yield* seal(q, syncLog);
        return syncLog;
      });
    },
  };
}

/** The lease a claim holds: read, asserted before each ledger write, renewed while the sync runs. */
export function syncLogLeases({
  driver,
  q,
}: SyncLogContext): Pick<SyncLogStore, 'leaseOf' | 'assertLease' | 'renewLease'> {
  const leaseOf = (id: string) =>
    isUuid(id) ? driver.run(one(q.leaseOf, { id }, leaseRow)) : Promise.resolve(undefined);
  return {
    async leaseOf(rawId) {
      const id = canonicalUuid(rawId);
      const row = await leaseOf(id);
      if (row?.status !== 'in_progress' || row.lease_epoch === null || row.lease_expires_at === null)
        return null;
      return {
        syncLogId: id,
        epoch: Number(row.lease_epoch),
        expiresAt: toIsoOrNull(row.lease_expires_at) ?? '',
      };
    },

    async assertLease(rawId, epoch, now = nowIso()) {
      const id = canonicalUuid(rawId);
      const why = leaseProblem(await leaseOf(id), epoch, now);
      if (why !== null) throw leaseLost(id, epoch, why);
    },

    async renewLease(rawId, epoch, options = {}) {
      const id = canonicalUuid(rawId);
      const now = options.now ?? nowIso();
      const expiresAt = leaseUntil(now, options.leaseSeconds ?? DEFAULT_LEASE_SECONDS);
      const changed = isUuid(id)
        ? await driver.run(
            write(q.renewLease, { id, epoch, now, heartbeatAt: now, leaseExpiresAt: expiresAt }),
          )
        : 0;
      if (changed === 1) return { syncLogId: id, epoch, expiresAt };
      throw leaseLost(
        id,
        epoch,
        leaseProblem(await leaseOf(id), epoch, now) ?? 'the lease changed while it was renewed',
      );
    },
  };
}
