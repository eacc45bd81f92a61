import {
  type AccountingAdapter,
  AccountingError,
  type AdapterOptions,
  createAdapterForModule,
  type OpenConnection,
  openModuleConnection,
  type RejectedRecord,
  resolveRetryPolicy,
} from '@meander/accounting';
import {
  type CredentialCipher,
  type Database,
  DEFAULT_LEASE_SECONDS,
  openStoredConnection,
} from '@meander/db';
import {
  type ErrorCategory,
  type ErrorDetails,
  type ExportRecord,
  isDomainError,
  MAX_RECORD_FAILURES,
  PayloadSummaryBuilder,
  type RecordFailure,
  reversalOf,
  type SyncLog,
} from '@meander/domain';
import { classifyErrorDetails, classifyRecordFailure } from './classify-rejection.js';
import { type FencedWriteWaitOptions, waitOutFencedWrites } from './fenced-write-wait.js';
import type { Logger } from './logger.js';
import { detailsWithoutPersonalData, rejectionsWithoutPersonalData } from './personal-data.js';
import { readAhead } from './read-ahead.js';
import { failureDetails, shutdownDetails } from './sync-failure.js';
import { HeldLease } from './sync-lease.js';
import { traceSync } from './tracing.js';
import { failedSummary, ledgerRequestsOf, SyncUnverifiedPostings } from './unverified-postings.js';

/** What running one sync needs. */
export interface RunnerDeps {
  db: Database;
  logger: Logger;
  batchSize: number;
  /** How often a running sync renews its lease (well under the lease). */
  heartbeatMs: number;
  /** How long each renewal holds the lease: the worker's stale threshold (default 120 s). */
  leaseSeconds?: number;
  /** Clock and sleep of the successor's wait for a reaped attempt's last write (tests inject them). */
  now?: () => number;
  sleep?: FencedWriteWaitOptions['sleep'];
  adapterOptions?: AdapterOptions;
  /** Build the adapter for a system and connection (tests and benchmarks may swap it). */
  adapterFor?: (
    sync: SyncLog,
    connection: Record<string, string | number | boolean> | undefined,
  ) => AccountingAdapter;
  /** Aborted on shutdown: the batch in flight finishes, then the sync is failed as `WORKER_SHUTDOWN`. */
  stopSignal?: AbortSignal;
  /** Opens the sealed connection settings (`CREDENTIALS_KEY`), here and nowhere else in the worker. */
  credentials?: CredentialCipher;
  /**
   * The least time between two progress writes of a running sync (default
   * {@link PROGRESS_INTERVAL_MS}; 0 writes after every batch). Completion always writes the final counts.
   */
  progressIntervalMs?: number;
}

/**
 * How often, at most, a running sync writes its counts. The API's progress stream reads the row
 * every 250 ms, so counts written more often are never seen; each write is a commit (on SQLite a
 * synchronous one on the worker's thread, a few hundred µs per batch of 50), and at small batch
 * sizes writing after every batch cost the worker a few percent of its throughput.
 */
const PROGRESS_INTERVAL_MS = 250;

/** The outcome the runner reports. */
export type RunOutcome = { status: SyncLog['status']; syncLog: SyncLog | null; reason?: string };

/**
 * Run one claimed (`in_progress`) sync to a terminal state: stream the period's approved records
 * in batches (never the whole period in memory), push each batch, report progress, and complete
 * through the store, where the domain decides success or partial. Anything fatal fails the sync
 * with error details; nothing leaves it `in_progress` except a crash, which the reaper handles.
 * Traced (when tracing is on) as one span in the trace of the request that recorded the sync.
 */
export function runSync(deps: RunnerDeps, sync: SyncLog): Promise<RunOutcome> {
  return traceSync(deps.db, sync, () => runClaimedSync(deps, sync));
}

async function runClaimedSync(deps: RunnerDeps, sync: SyncLog): Promise<RunOutcome> {
  const log = deps.logger.child({
    syncLogId: sync.id,
    organizationId: sync.organizationId,
    system: sync.accountingSystem,
  });
  const counts = new SyncCounts(sync.accountingSystem);
  const progress = new ProgressReports(deps.db, sync.id, deps.progressIntervalMs ?? PROGRESS_INTERVAL_MS);
  let lease: HeldLease | null = null;
  // Outside the try: a failure still records what the sync cost against the ledger.
  let adapter: AccountingAdapter | undefined;
  // The batch being pushed: a fatal error's message may quote it.
  let inFlight: readonly ExportRecord[] = [];
  try {
    lease = await holdLease(deps, sync, log);
    const fence = new BatchFence(lease);
    const ledger = await resolveAdapter(deps, sync);
    adapter = ledger;
    const unverified = new SyncUnverifiedPostings(deps.db, sync);
    const plan = await planRecords(deps, sync, log, lease.signal);
    const summary = new PayloadSummaryBuilder(sync.payloadSummary?.parentSyncId);
    let externalReferenceId: string | null = null;
    for await (const batch of readAhead(plan.records)) {
      if (deps.stopSignal?.aborted) return await stopForShutdown(deps, sync, progress, counts, adapter, log);
      // The counts so far, once another batch follows them: the last batch's counts go with the
      // completion, so a sync of one batch (most scheduled syncs) writes none before it.
      if (counts.batchNumber > 0) await progress.maybeReport(counts);
      await fence.beforeBatch();
      counts.batchNumber += 1;
      inFlight = batch;
      const pushed = await pushOneBatch(
        {
          sync,
          ledger,
          unverified,
          fence,
          readBackFirst: plan.readBackFirst,
          batchNumber: counts.batchNumber,
        },
        batch,
      );
      summary.add(batch);
      counts.add(pushed.accepted, pushed.rejected);
      externalReferenceId ??= pushed.externalReferenceId;
      log.debug(
        {
          batchNumber: counts.batchNumber,
          accepted: pushed.accepted,
          rejected: pushed.rejected.length,
          preflightRejected: pushed.preflightRejected,
        },
        'batch pushed',
      );
    }
    await progress.landed();
    const ledgerRequests = ledgerRequestsOf(adapter);
    const done = await deps.db.syncLogs.complete({
      id: sync.id,
      recordsSynced: counts.synced,
      recordsFailed: counts.failed,
      externalReferenceId,
      errorDetails: counts.errorDetails(),
      payloadSummary: {
        ...summary.build(),
        ...(plan.reversal ? { reversal: plan.reversal } : {}),
        ...unverified.summaryFields(),
        ...(ledgerRequests ? { ledgerRequests } : {}),
      },
    });
    log.info(
      {
        status: done.syncLog.status,
        recordsSynced: counts.synced,
        recordsFailed: counts.failed,
        batches: counts.batchNumber,
      },
      'sync finished',
    );
    return { status: done.syncLog.status, syncLog: done.syncLog };
  } catch (error) {
    await progress.settled(); // never two writes to the row at once
    if (lease?.lost || (isDomainError(error) && error.code === 'LEASE_LOST'))
      return leaseLost(deps, sync, counts.context(), log);
    return failSafely(deps, sync, error, { context: counts.context(), records: inFlight }, log, adapter);
  } finally {
    await lease?.release();
  }
}

/** What a sync has done so far: its counts, and the record failures its error details will list. */
class SyncCounts {
  synced = 0;
  failed = 0;
  batchNumber = 0;
  private readonly failures: RecordFailure[] = [];
  private truncated = false;
  private readonly categories = new Map<ErrorCategory, number>();
  private anyRetryable = false;

  constructor(private readonly system: SyncLog['accountingSystem']) {}

  context() {
    return { batchNumber: this.batchNumber, recordsSynced: this.synced, recordsFailed: this.failed };
  }

  add(accepted: number, rejected: readonly RejectedRecord[]): void {
    this.synced += accepted;
    this.failed += rejected.length;
    for (const r of rejected) {
      this.categories.set(r.category, (this.categories.get(r.category) ?? 0) + 1);
      this.anyRetryable ||= r.retryable;
      if (this.failures.length < MAX_RECORD_FAILURES)
        this.failures.push(classifyRecordFailure(this.system, toRecordFailure(r)));
      else this.truncated = true;
    }
  }

  errorDetails(): ErrorDetails | null {
    if (this.failed === 0) return null;
    return {
      code: 'RECORDS_REJECTED',
      message: `${this.failed} of ${this.synced + this.failed} records were rejected by ${this.system}`,
      category: mostFrequent(this.categories),
      retryable: this.anyRetryable,
      recordFailures: this.failures,
      ...(this.truncated ? { recordFailuresTruncated: true } : {}),
    };
  }
}

/**
 * A batch's progress report is written while the next batch is read and pushed (one report in
 * flight at most, awaited before the next one and before the sync ends): the database round trip
 * no longer adds to every batch. A failed report still fails the sync, one batch later. Reports
 * are at least `intervalMs` apart (see PROGRESS_INTERVAL_MS).
 */
class ProgressReports {
  private lastAt = performance.now();
  private write: Promise<unknown> = Promise.resolve();
  private error: { error: unknown } | null = null;

  constructor(
    private readonly db: Database,
    private readonly syncLogId: string,
    private readonly intervalMs: number,
  ) {}

  /** Start writing the counts if the last report is old enough (after the previous one landed). */
  async maybeReport(counts: SyncCounts): Promise<void> {
    const now = performance.now();
    if (now - this.lastAt < this.intervalMs) return;
    this.lastAt = now;
    await this.landed();
    this.write = this.db.syncLogs
      .reportProgress({ id: this.syncLogId, recordsSynced: counts.synced, recordsFailed: counts.failed })
      .catch((error: unknown) => {
        this.error = { error };
      });
  }

  /** The report in flight has landed; throws what it failed with. */
  async landed(): Promise<void> {
    await this.write;
    if (this.error) throw this.error.error;
  }

  /** The report in flight has ended, landed or not. */
  async settled(): Promise<void> {
    await this.write;
  }
}

/**
 * Whether the last push proved the lease before a write of its own (the adapters call
 * `beforeWrite` before every ledger write). Then the next batch needs no extra round trip: its
 * first write is fenced anyway, and reads need no fence. A push that never called it (a read-only
 * batch, an adapter without fencing) is followed by the check before the next batch.
 */
class BatchFence {
  private fencedByPush = false;

  constructor(private readonly lease: HeldLease) {}

  get signal(): AbortSignal {
    return this.lease.signal;
  }

  readonly beforeWrite = async (): Promise<void> => {
    await this.lease.assert();
    this.fencedByPush = true;
  };

  /** A runner that lost its lease stops before its next batch. */
  async beforeBatch(): Promise<void> {
    if (!this.fencedByPush) await this.lease.assert();
    this.fencedByPush = false;
  }
}

/** Which records the sync sends, and whether it must read the ledger back before posting. */
async function planRecords(deps: RunnerDeps, sync: SyncLog, log: Logger, signal: AbortSignal) {
  const { db } = deps;
  const resync = sync.payloadSummary?.parentSyncId !== undefined;
  const recordIds =
    resync && sync.payloadSummary?.recordIds?.length ? sync.payloadSummary.recordIds : undefined;
  // A reversal posts each record's reversing document under its reversal key: read back first,
  // as a re-sync does, so a reversal some attempt already posted is never posted twice.
  const reversal = reversalOf(sync);
  const readBackFirst = resync || reversal !== undefined || (await hadUnfinishedAttempt(db, sync));
  if (readBackFirst) await waitForReapedWrites(deps, sync, log, signal);
  const selection = {
    organizationId: sync.organizationId,
    periodStart: sync.periodStart,
    periodEnd: sync.periodEnd,
    ...(recordIds ? { recordIds } : {}),
  };
  const records = reversal
    ? db.expenseRecords.streamPostedBy(reversal.of, recordIds ? { recordIds } : {}, deps.batchSize)
    : db.expenseRecords.streamApproved(selection, deps.batchSize);
  return { records, reversal, readBackFirst };
}

/** Shutdown reached the sync between two batches: it is failed as `WORKER_SHUTDOWN`. */
async function stopForShutdown(
  deps: RunnerDeps,
  sync: SyncLog,
  progress: ProgressReports,
  counts: SyncCounts,
  adapter: AccountingAdapter,
  log: Logger,
): Promise<RunOutcome> {
  await progress.landed();
  const stopped = await deps.db.syncLogs.fail({
    id: sync.id,
    errorDetails: shutdownDetails(counts.context()),
    payloadSummary: failedSummary(sync, adapter),
  });
  log.warn(counts.context(), 'sync stopped by shutdown');
  return { status: stopped.status, syncLog: stopped, reason: 'shutdown' };
}

/** One batch: its pre-flight, the unverified postings' guard, the push; refusals without personal data. */
async function pushOneBatch(
  run: {
    sync: SyncLog;
    ledger: AccountingAdapter;
    unverified: SyncUnverifiedPostings;
    fence: BatchFence;
    readBackFirst: boolean;
    batchNumber: number;
  },
  batch: readonly ExportRecord[],
): Promise<{
  accepted: number;
  rejected: RejectedRecord[];
  externalReferenceId: string | null;
  preflightRejected: number;
}> {
  const { sync, ledger, unverified, fence } = run;
  // The pre-flight (reads only) finds what the ledger would refuse; those records are recorded as
  // rejected with its codes and never sent. Only the rest is posted. Naming the sync lets it read
  // the chart of accounts and periods once per run, not once per batch.
  const planned = await ledger.preflight(batch, {
    organizationId: sync.organizationId,
    syncLogId: sync.id,
    signal: fence.signal,
  });
  const refused = new Set(planned.rejected.map((r) => r.recordId));
  const checked = refused.size > 0 ? batch.filter((r) => !refused.has(r.id)) : batch;
  // Records posted earlier but never found are read back only, unless the operator confirmed them;
  // those whose unverified posting is of the other kind (export / reversal) wait for it to settle.
  const { neverSend, refused: unsettled } = await unverified.beforeBatch(checked);
  const waiting = new Set(unsettled.map((r) => r.recordId));
  const toPost = waiting.size > 0 ? checked.filter((r) => !waiting.has(r.id)) : checked;
  const pushed =
    toPost.length > 0
      ? await unverified.guardUnsettled(toPost, neverSend, () =>
          ledger.pushBatch(toPost, {
            syncLogId: sync.id,
            organizationId: sync.organizationId,
            batchNumber: run.batchNumber,
            readBackFirst: run.readBackFirst,
            ...(neverSend.size > 0 ? { neverSend } : {}),
            // Fencing: the lease is proved before every ledger write, and a lost lease cancels
            // the requests in flight.
            signal: fence.signal,
            beforeWrite: fence.beforeWrite,
          }),
        )
      : { accepted: [], rejected: [], externalReferenceId: null };
  // Ledgers quote what they were sent: their refusals are kept without the records' personal data.
  const result = { ...pushed, rejected: rejectionsWithoutPersonalData(pushed.rejected, batch) };
  await unverified.afterBatch(result, neverSend);
  return {
    accepted: result.accepted.length,
    rejected: [...rejectionsWithoutPersonalData(planned.rejected, batch), ...unsettled, ...result.rejected],
    externalReferenceId: result.externalReferenceId,
    preflightRejected: refused.size,
  };
}

async function resolveAdapter(deps: RunnerDeps, sync: SyncLog): Promise<AccountingAdapter> {
  const module = await deps.db.organizations.getAccountingModule(sync.organizationId);
  // Decrypted here, just before the adapter is built, and nowhere else in the worker.
  const open: OpenConnection = (organizationId, connection) =>
    openStoredConnection(deps.credentials, organizationId, connection);
  if (deps.adapterFor && module?.enabled && module.config)
    return deps.adapterFor(sync, openModuleConnection(sync.organizationId, module.config.connection, open));
  const adapter = createAdapterForModule(sync.organizationId, module, deps.adapterOptions, open);
  // The organization switched systems after this sync was recorded: never post it elsewhere.
  if (adapter.system !== sync.accountingSystem) {
    throw new AccountingError(
      `The sync was recorded for ${sync.accountingSystem}, but the organization now books to ${adapter.system}`,
      { code: 'ACCOUNTING_SYSTEM_CHANGED', category: 'configuration', retryable: false },
    );
  }
  return adapter;
}

/**
 * A failed, partial or reaped attempt at the same period may have posted records already. Asked
 * of the store as one existence probe: reading the period's history (its payload summaries) cost
 * more than a small sync, and a page of it could miss an older failed attempt.
 */
function hadUnfinishedAttempt(db: Database, sync: SyncLog): Promise<boolean> {
  return db.syncLogs.hasUnfinishedAttempt(sync.organizationId, sync.periodStart, sync.periodEnd, sync.id);
}

/** This runner's lease on the sync it claimed, renewed every `heartbeatMs`. */
function holdLease(deps: RunnerDeps, sync: SyncLog, log: Logger): Promise<HeldLease> {
  const clock = deps.now;
  return HeldLease.hold(sync.id, {
    db: deps.db,
    log,
    leaseSeconds: deps.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
    renewEveryMs: deps.heartbeatMs,
    ...(clock ? { now: () => new Date(clock()) } : {}),
  });
}

/** Before the first read-back: let the last write of a reaped attempt at this period land. */
function waitForReapedWrites(deps: RunnerDeps, sync: SyncLog, log: Logger, signal: AbortSignal) {
  return waitOutFencedWrites(
    {
      db: deps.db,
      log,
      requestTimeoutMs: resolveRetryPolicy(deps.adapterOptions?.retry).requestTimeoutMs,
      signal,
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
    },
    sync,
  );
}

/**
 * This runner lost the attempt (reaped, or its lease ran out): whoever holds the row now records
 * its outcome, so nothing is written over it. Reported in the log for operators and alerts.
 */
async function leaseLost(
  deps: RunnerDeps,
  sync: SyncLog,
  context: Record<string, number>,
  log: Logger,
): Promise<RunOutcome> {
  const row = await deps.db.syncLogs.get(sync.id).catch(() => null);
  log.warn(
    { ...context, leaseLost: true, status: row?.status },
    'sync stopped: lease lost, nothing recorded',
  );
  return { status: row?.status ?? 'in_progress', syncLog: row, reason: 'LEASE_LOST' };
}

async function failSafely(
  deps: RunnerDeps,
  sync: SyncLog,
  error: unknown,
  at: { context: Record<string, number>; records: readonly ExportRecord[] },
  log: Logger,
  adapter: AccountingAdapter | undefined,
): Promise<RunOutcome> {
  // The row already ended elsewhere (reaped, completed by an operator): nothing more to record.
  if (
    isDomainError(error) &&
    (error.code === 'RECORD_IMMUTABLE' || error.code === 'INVALID_STATUS_TRANSITION')
  ) {
    log.warn({ code: error.code }, 'sync ended elsewhere while running');
    return { status: 'failed', syncLog: await deps.db.syncLogs.get(sync.id), reason: error.code };
  }
  const details = classifyErrorDetails(
    sync.accountingSystem,
    detailsWithoutPersonalData(failureDetails(error, at.context), at.records),
  );
  try {
    const failedLog = await deps.db.syncLogs.fail({
      id: sync.id,
      errorDetails: details,
      payloadSummary: failedSummary(sync, adapter),
    });
    log.error(
      { code: details.code, category: details.category, retryable: details.retryable },
      'sync failed',
    );
    return { status: 'failed', syncLog: failedLog, reason: details.code };
  } catch (failError) {
    // The database itself is unreachable: the heartbeat stops too, so the reaper will fail the row later.
    log.error(
      { code: details.code, err: errorCode(failError) },
      'could not record the failure; leaving it to the reaper',
    );
    return { status: 'in_progress', syncLog: null, reason: 'unrecorded' };
  }
}

function toRecordFailure(r: RejectedRecord): RecordFailure {
  return {
    recordId: r.recordId,
    code: r.code.slice(0, 120),
    reason: r.reason.slice(0, 1_000),
    category: r.category,
    retryable: r.retryable,
  };
}

function mostFrequent(categories: Map<ErrorCategory, number>): ErrorCategory {
  let best: ErrorCategory = 'validation';
  let count = -1;
  for (const [category, n] of categories) {
    if (n > count) {
      best = category;
      count = n;
    }
  }
  return best;
}

function errorCode(error: unknown): string {
  if (isDomainError(error)) return error.code;
  return error instanceof Error ? error.message : String(error);
}
