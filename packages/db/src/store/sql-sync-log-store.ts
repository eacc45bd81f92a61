import { randomUUID } from 'node:crypto';
import {
  type AccountingSystem,
  assertMutable,
  type CompleteSyncLogCommand,
  type CreateSyncLogCommand,
  type CreateSyncLogInput,
  CURRENT_CHAIN_RECIPE,
  canonicalUuid,
  checkRecordsCountsNonNegative,
  completeSyncLogCommandSchema,
  createSyncLogCommandSchema,
  type DeleteSyncLogCommand,
  DomainError,
  deleteSyncLogCommandSchema,
  type FailSyncLogCommand,
  failSyncLogCommandSchema,
  isReversal,
  type ListSyncLogsInput,
  type Planned,
  parseCommand,
  planComplete,
  planCreate,
  planFail,
  planProgress,
  planStart,
  type ReportProgressCommand,
  reportProgressCommandSchema,
  type SyncLog,
  type SyncStatus,
  throwOnErrors,
} from '@meander/domain';
import { rethrowAsDomainError } from './constraint-errors.js';
import { encodeCursor } from './cursor.js';
import { all, type Driver, one, type Program, write } from './driver.js';
import { markPostedProgram } from './expense-record-intake.js';
import { compileIntakeStatements, type IntakeStatements } from './expense-record-statements.js';
import {
  type ChainLink,
  chainHash,
  GENESIS_HASH,
  interleaveTombstones,
  verifyChainPages,
} from './hash-chain.js';
import { parseListQuery } from './list-input.js';
import { ListQuery } from './list-query.js';
import { accountingModuleFromRow, type ModuleRow } from './module-row.js';
import type {
  ChainVerification,
  CreateOptions,
  CreateResult,
  DeletionActor,
  MonitoringEntry,
  ResyncPlanEntry,
  SealedSyncLog,
  SyncLogDeletion,
  SyncLogStore,
  SyncRunner,
} from './port.js';
import {
  composeMonitoring,
  type MonitoringStatsRow,
  monitoringWindows,
  resyncEntryFrom,
} from './read-models.js';
import {
  compileScheduledSyncStatements,
  createScheduledProgram,
  parseScheduledBatch,
  type ScheduledSyncInput,
} from './scheduled-syncs.js';
import {
  DEFAULT_LEASE_SECONDS,
  type LeaseRow,
  leaseLost,
  leaseProblem,
  leaseUntil,
  type SyncLease,
} from './sync-lease.js';
import { compileSyncLogStatements, type SyncLogLocks, type SyncLogStatements } from './sync-log-queries.js';
import {
  idempotencyFingerprint,
  type SyncLogRow,
  sealedFromRow,
  syncLogFromRow,
  toIsoOrNull,
} from './sync-log-row.js';
import { type ReverseSyncCommand, releaseReversedProgram, SyncReversals } from './sync-reversal.js';
import { redactForTombstone, type TombstoneRow, tombstoneFromRow } from './tombstone.js';
import { isUuid } from './uuid.js';

const nowIso = () => new Date().toISOString();
const PAGE = 1_000;

/**
 * The sync-log store, written once for both dialects: every statement comes from
 * sync-log-queries.ts / list-query.ts, every row goes through the mappers of sync-log-row.ts, every
 * write's errors through constraint-errors.ts. A dialect supplies only its Driver (how statements
 * and transactions run) and its SyncLogLocks.
 */
export class SqlSyncLogStore implements SyncLogStore {
  private readonly q: SyncLogStatements;
  private readonly listQuery: ListQuery;
  private readonly intake: IntakeStatements;
  private readonly scheduled: ReturnType<typeof compileScheduledSyncStatements>;
  private readonly reversals: SyncReversals;

  constructor(
    private readonly driver: Driver,
    locks: SyncLogLocks,
  ) {
    this.q = compileSyncLogStatements(driver.dialect, locks);
    this.listQuery = new ListQuery(driver.dialect);
    this.intake = compileIntakeStatements(driver.dialect);
    this.scheduled = compileScheduledSyncStatements(driver.dialect);
    this.reversals = new SyncReversals(driver, this.q);
  }

  /**
   * One read-decide-write transaction. Whatever the database refuses (a constraint a race slipped
   * past the domain, a lost connection) leaves as the same typed error on both dialects.
   */
  private async transaction<T>(program: () => Program<T>): Promise<T> {
    try {
      return await this.driver.transaction(program);
    } catch (error) {
      rethrowAsDomainError(error);
    }
  }

  /** A row by id; an id that is not a UUID cannot exist (PostgreSQL would refuse to compare it). */
  private *row(id: string, lock = false): Program<SyncLogRow | undefined> {
    if (!isUuid(id)) return undefined;
    return yield* one<SyncLogRow>(lock ? this.q.syncLogByIdLocked : this.q.syncLogById, { id });
  }

  private *requireLog(id: string, lock = false): Program<SyncLog> {
    const row = yield* this.row(id, lock);
    if (!row) throw new DomainError('NOT_FOUND', `Sync log ${id} does not exist`);
    return syncLogFromRow(row);
  }

  private *byKey(organizationId: string, idempotencyKey: string): Program<SyncLog | null> {
    const row = yield* one<SyncLogRow>(this.q.syncLogByIdempotencyKey, { organizationId, idempotencyKey });
    return row ? syncLogFromRow(row) : null;
  }

  async create(input: CreateSyncLogInput, options: CreateOptions = {}): Promise<CreateResult> {
    const command = parseCommand(createSyncLogCommandSchema, input);
    const now = options.now ?? nowIso();
    const q = this.q;
    try {
      return await this.transaction(
        function* (this: SqlSyncLogStore): Program<CreateResult> {
          if (command.idempotencyKey) {
            const previous = yield* this.byKey(command.organizationId, command.idempotencyKey);
            if (previous) return replay(previous, command);
          }
          const organization = yield* one<{ id: string }>(q.organizationById, {
            organizationId: command.organizationId,
          });
          const moduleRow = yield* one<ModuleRow>(q.accountingModuleOf, {
            organizationId: command.organizationId,
          });
          const active = yield* one<SyncLogRow>(q.activeSyncLog, { organizationId: command.organizationId });
          const planned = planCreate(command, {
            id: randomUUID(),
            now,
            organization: organization ?? null,
            accountingModule: moduleRow ? accountingModuleFromRow(moduleRow) : null,
            activeSync: active ? { id: active.id, status: syncLogFromRow(active).status } : null,
          });
          yield* this.insert(planned.syncLog, command.idempotencyKey ?? null, options.runner ?? 'worker');
          return { ...planned, replayed: false };
        }.bind(this),
      );
    } catch (error) {
      // Two creates with one idempotency key raced (possible wherever writers do not queue on one
      // lock): the loser replays the winner's row.
      if (command.idempotencyKey && error instanceof DomainError && error.code !== 'VALIDATION_FAILED') {
        const previous = await this.driver.run(this.byKey(command.organizationId, command.idempotencyKey));
        if (previous) return replay(previous, command);
      }
      throw error;
    }
  }

  async createScheduled(
    entries: readonly ScheduledSyncInput[],
    options: { now?: string } = {},
  ): Promise<SyncLog[]> {
    const batch = parseScheduledBatch(entries);
    const now = options.now ?? nowIso();
    return this.transaction(() => createScheduledProgram(this.scheduled, batch, now));
  }

  private *insert(log: SyncLog, idempotencyKey: string | null, runner: SyncRunner): Program<void> {
    yield* write(this.q.insert, {
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

  async findByIdempotencyKey(rawOrganizationId: string, idempotencyKey: string): Promise<SyncLog | null> {
    const organizationId = canonicalUuid(rawOrganizationId);
    if (!isUuid(organizationId)) return null;
    return this.driver.run(this.byKey(organizationId, idempotencyKey));
  }

  async get(rawId: string): Promise<SyncLog | null> {
    const row = await this.driver.run(this.row(canonicalUuid(rawId)));
    return row ? syncLogFromRow(row) : null;
  }

  async list(input: ListSyncLogsInput): Promise<{ items: SyncLog[]; nextCursor: string | null }> {
    const query = parseListQuery(input);
    const { statement, values } = this.listQuery.prepare(query);
    const rows = await this.driver.run(all<SyncLogRow>(statement, values));
    // One pass over the page (the query fetched limit + 1 rows to tell whether another page exists).
    const count = Math.min(rows.length, query.limit);
    const items = new Array<SyncLog>(count);
    for (let i = 0; i < count; i += 1) items[i] = syncLogFromRow(rows[i] as SyncLogRow);
    const last = items[count - 1];
    return { items, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
  }

  async getActive(rawOrganizationId: string): Promise<SyncLog | null> {
    const organizationId = canonicalUuid(rawOrganizationId);
    if (!isUuid(organizationId)) return null;
    const row = await this.driver.run(one<SyncLogRow>(this.q.activeSyncLog, { organizationId }));
    return row ? syncLogFromRow(row) : null;
  }

  async start(
    rawId: string,
    options: { workerId?: string; now?: string; leaseSeconds?: number } = {},
  ): Promise<SyncLog> {
    const id = canonicalUuid(rawId);
    const now = options.now ?? nowIso();
    const leaseExpiresAt = leaseUntil(now, options.leaseSeconds ?? DEFAULT_LEASE_SECONDS);
    return this.transaction(
      function* (this: SqlSyncLogStore): Program<SyncLog> {
        const { syncLog } = planStart(yield* this.requireLog(id), now);
        // Conditional on the status we decided from: of several claimers exactly one matches.
        const changed = yield* this.markStarted(syncLog, now, options.workerId ?? null, leaseExpiresAt);
        if (changed !== 1) planStart(yield* this.requireLog(id), now);
        return syncLog;
      }.bind(this),
    );
  }

  private *markStarted(
    log: SyncLog,
    now: string,
    workerId: string | null,
    leaseExpiresAt: string,
  ): Program<number> {
    return yield* write(this.q.start, {
      id: log.id,
      status: log.status,
      startedAt: log.startedAt,
      heartbeatAt: now,
      claimedBy: workerId,
      leaseExpiresAt,
    });
  }

  async claimNextPending(
    workerId: string,
    options: { now?: string; leaseSeconds?: number } = {},
  ): Promise<SyncLog | null> {
    const now = options.now ?? nowIso();
    const leaseExpiresAt = leaseUntil(now, options.leaseSeconds ?? DEFAULT_LEASE_SECONDS);
    return this.transaction(
      function* (this: SqlSyncLogStore): Program<SyncLog | null> {
        const row = yield* one<SyncLogRow>(this.q.nextPending);
        if (!row) return null;
        const { syncLog } = planStart(syncLogFromRow(row), now);
        yield* this.markStarted(syncLog, now, workerId, leaseExpiresAt);
        return syncLog;
      }.bind(this),
    );
  }

  async leaseOf(rawId: string): Promise<SyncLease | null> {
    const id = canonicalUuid(rawId);
    if (!isUuid(id)) return null;
    const row = await this.driver.run(one<LeaseRow>(this.q.leaseOf, { id }));
    if (row?.status !== 'in_progress' || row.lease_epoch === null || row.lease_expires_at === null)
      return null;
    return {
      syncLogId: id,
      epoch: Number(row.lease_epoch),
      expiresAt: toIsoOrNull(row.lease_expires_at) ?? '',
    };
  }

  async assertLease(rawId: string, epoch: number, now: string = nowIso()): Promise<void> {
    const id = canonicalUuid(rawId);
    const row = isUuid(id) ? await this.driver.run(one<LeaseRow>(this.q.leaseOf, { id })) : undefined;
    const why = leaseProblem(row, epoch, now);
    if (why !== null) throw leaseLost(id, epoch, why);
  }

  async renewLease(
    rawId: string,
    epoch: number,
    options: { now?: string; leaseSeconds?: number } = {},
  ): Promise<SyncLease> {
    const id = canonicalUuid(rawId);
    const now = options.now ?? nowIso();
    const expiresAt = leaseUntil(now, options.leaseSeconds ?? DEFAULT_LEASE_SECONDS);
    const changed = isUuid(id)
      ? await this.driver.run(
          write(this.q.renewLease, { id, epoch, now, heartbeatAt: now, leaseExpiresAt: expiresAt }),
        )
      : 0;
    if (changed === 1) return { syncLogId: id, epoch, expiresAt };
    const row = isUuid(id) ? await this.driver.run(one<LeaseRow>(this.q.leaseOf, { id })) : undefined;
    throw leaseLost(id, epoch, leaseProblem(row, epoch, now) ?? 'the lease changed while it was renewed');
  }

  async latestFencedLeaseExpiry(
    rawOrganizationId: string,
    periodStart: string,
    periodEnd: string,
    rawExceptId: string,
    since: string,
  ): Promise<string | null> {
    const organizationId = canonicalUuid(rawOrganizationId);
    if (!isUuid(organizationId)) return null;
    const except = canonicalUuid(rawExceptId);
    const exceptId = isUuid(except) ? except : '00000000-0000-0000-0000-000000000000';
    const rows = await this.driver.run(
      all<SyncLogRow>(this.q.recentlyFencedAttempts, {
        organizationId,
        periodStart,
        periodEnd,
        exceptId,
        since,
      }),
    );
    // Only an attempt someone else ended (the reaper's WORKER_LOST) can still have a write in
    // flight: a runner that ended its own attempt had awaited its requests first.
    const reaped = rows.find((r) => syncLogFromRow(r).errorDetails?.code === 'WORKER_LOST');
    return reaped ? toIsoOrNull(reaped.lease_expires_at) : null;
  }

  async listClaimable(limit: number): Promise<SyncLog[]> {
    const rows = await this.driver.run(all<SyncLogRow>(this.q.claimableSyncLogs, { limit }));
    return rows.map(syncLogFromRow);
  }

  async heartbeat(rawId: string, options: { now?: string } = {}): Promise<void> {
    const id = canonicalUuid(rawId);
    await this.transaction(
      function* (this: SqlSyncLogStore): Program<void> {
        assertMutable(yield* this.requireLog(id));
        yield* write(this.q.heartbeat, { id, heartbeatAt: options.now ?? nowIso() });
      }.bind(this),
    );
  }

  async reportProgress(input: ReportProgressCommand): Promise<SyncLog> {
    const command = parseCommand(reportProgressCommandSchema, input);
    throwOnErrors(checkRecordsCountsNonNegative(command));
    // The hot path of a running sync (once per batch): one conditional statement. Only an active
    // row matches — exactly what planProgress allows; otherwise the domain explains why not.
    return this.driver.run(
      function* (this: SqlSyncLogStore): Program<SyncLog> {
        let row: SyncLogRow | undefined;
        try {
          row = yield* one<SyncLogRow>(this.q.progress, {
            id: command.id,
            recordsSynced: command.recordsSynced,
            recordsFailed: command.recordsFailed,
            heartbeatAt: nowIso(),
          });
        } catch (error) {
          // The database refused the counts (records_progress_bounded): the domain names rule and field.
          planProgress(yield* this.requireLog(command.id), command);
          rethrowAsDomainError(error);
        }
        if (row) return syncLogFromRow(row);
        return planProgress(yield* this.requireLog(command.id), command).syncLog;
      }.call(this),
    );
  }

  async complete(input: CompleteSyncLogCommand, options: { now?: string } = {}): Promise<Planned> {
    const command = parseCommand(completeSyncLogCommandSchema, input);
    const now = options.now ?? nowIso();
    return this.transaction(
      function* (this: SqlSyncLogStore): Program<Planned> {
        const planned = planComplete(yield* this.requireLog(command.id, true), command, now);
        yield* this.seal(planned.syncLog);
        // What the sync posted becomes unchangeable in the same transaction as its terminal state;
        // what a reversal reversed is released in the same way.
        if (isReversal(planned.syncLog))
          yield* releaseReversedProgram(this.reversals.statements, planned.syncLog);
        else yield* markPostedProgram(this.intake, planned.syncLog);
        return planned;
      }.bind(this),
    );
  }

  async fail(input: FailSyncLogCommand, options: { now?: string } = {}): Promise<SyncLog> {
    const command = parseCommand(failSyncLogCommandSchema, input);
    const now = options.now ?? nowIso();
    return this.transaction(
      function* (this: SqlSyncLogStore): Program<SyncLog> {
        const { syncLog } = planFail(yield* this.requireLog(command.id, true), command, now);
        yield* this.seal(syncLog);
        return syncLog;
      }.bind(this),
    );
  }

  /**
   * Write the terminal state and its chain seal in ONE update (the immutability trigger refuses any
   * later one). The dialect's chain lock (or its single writer) keeps the chain linear and gap-free.
   */
  private *seal(log: SyncLog): Program<void> {
    if (this.q.chainLock) yield* one(this.q.chainLock, { organizationId: log.organizationId });
    const head = yield* one<{ chain_seq: number | string; chain_hash: string }>(this.q.chainHead, {
      organizationId: log.organizationId,
    });
    const chainSeq = Number(head?.chain_seq ?? 0) + 1;
    const prevHash = head?.chain_hash ?? GENESIS_HASH;
    const changed = yield* write(this.q.seal, {
      id: log.id,
      status: log.status,
      recordsSynced: log.recordsSynced,
      recordsFailed: log.recordsFailed,
      errorDetails: log.errorDetails ?? null,
      externalReferenceId: log.externalReferenceId,
      payloadSummary: log.payloadSummary ?? null,
      completedAt: log.completedAt,
      chainSeq,
      prevHash,
      chainHash: chainHash(prevHash, log, CURRENT_CHAIN_RECIPE),
      chainRecipe: CURRENT_CHAIN_RECIPE,
    });
    if (changed !== 1)
      throw new DomainError('RECORD_IMMUTABLE', `Sync ${log.id} already reached a terminal status`);
  }

  async delete(input: DeleteSyncLogCommand, actor: DeletionActor): Promise<SyncLogDeletion> {
    const command = parseCommand(deleteSyncLogCommandSchema, input);
    return this.transaction(
      function* (this: SqlSyncLogStore): Program<SyncLogDeletion> {
        const row = yield* this.row(command.id, true);
        if (!row) throw new DomainError('NOT_FOUND', `Sync log ${command.id} does not exist`);
        const facts = {
          syncLogId: row.id,
          organizationId: row.organization_id,
          // As PostgreSQL's uuid column gives it back, so the signed facts read back the same.
          deletedBy: actor.userId.toLowerCase(),
          deletedVia: actor.via,
          deletedAt: nowIso(),
          reason: command.reason,
          legalBasis: command.legalBasis,
          chainSeq: row.chain_seq === null || row.chain_seq === undefined ? null : Number(row.chain_seq),
          chainHash: row.chain_hash ?? null,
        };
        const seal = actor.sign?.(facts) ?? null;
        const tombstone = yield* one<TombstoneRow>(this.q.insertTombstone, {
          ...facts,
          prevHash: row.prev_hash ?? null,
          redactedRow: redactForTombstone(syncLogFromRow(row)),
          signature: seal?.signature ?? null,
          keyId: seal?.keyId ?? null,
        });
        yield* write(this.q.delete, { id: row.id });
        return tombstoneFromRow(tombstone as TombstoneRow);
      }.bind(this),
    );
  }

  async findStale(olderThan: string, options: { now?: string } = {}): Promise<SyncLog[]> {
    const now = options.now ?? nowIso();
    const rows = await this.driver.run(all<SyncLogRow>(this.q.staleSyncLogs, { olderThan, now }));
    return rows.map(syncLogFromRow);
  }

  async findSuccessCovering(
    rawOrganizationId: string,
    periodStart: string,
    periodEnd: string,
  ): Promise<SyncLog | null> {
    const organizationId = canonicalUuid(rawOrganizationId);
    if (!isUuid(organizationId)) return null;
    const row = await this.driver.run(
      one<SyncLogRow>(this.q.successCovering, { organizationId, periodStart, periodEnd }),
    );
    return row ? syncLogFromRow(row) : null;
  }

  async hasUnfinishedAttempt(
    rawOrganizationId: string,
    periodStart: string,
    periodEnd: string,
    rawExceptId: string,
  ): Promise<boolean> {
    const organizationId = canonicalUuid(rawOrganizationId);
    if (!isUuid(organizationId)) return false;
    // An id that is no UUID matches no row; the nil UUID keeps PostgreSQL's uuid parameter valid.
    const except = canonicalUuid(rawExceptId);
    const exceptId = isUuid(except) ? except : '00000000-0000-0000-0000-000000000000';
    const row = await this.driver.run(
      one<{ found: number }>(this.q.unfinishedAttempt, { organizationId, periodStart, periodEnd, exceptId }),
    );
    return row !== undefined;
  }

  async resyncPlan(rawOrganizationId: string): Promise<ResyncPlanEntry[]> {
    const organizationId = canonicalUuid(rawOrganizationId);
    if (!isUuid(organizationId)) return [];
    const rows = await this.driver.run(all<SyncLogRow>(this.q.resyncPlan, { organizationId }));
    return rows.map((r) => resyncEntryFrom(syncLogFromRow(r)));
  }

  createReversal(command: ReverseSyncCommand, options: { now?: string } = {}): Promise<SyncLog> {
    return this.reversals.create(command, options.now ?? nowIso());
  }

  findReversalOf(syncLogId: string): Promise<SyncLog | null> {
    return this.reversals.findReversalOf(canonicalUuid(syncLogId));
  }

  async monitoringOverview(options: {
    organizationId?: string;
    now?: string;
    staleAfterSeconds: number;
  }): Promise<MonitoringEntry[]> {
    const now = options.now ?? nowIso();
    const { since7, since30 } = monitoringWindows(now);
    const organizationId =
      options.organizationId === undefined ? null : canonicalUuid(options.organizationId);
    if (organizationId !== null && !isUuid(organizationId)) return [];
    const q = this.q;
    const { stats, latest, active } = await this.driver.run(
      (function* (): Program<{ stats: MonitoringStatsRow[]; latest: SyncLogRow[]; active: SyncLogRow[] }> {
        const scoped = organizationId !== null;
        return {
          stats: yield* all<MonitoringStatsRow>(scoped ? q.monitoringStatsOf : q.monitoringStatsAll, {
            organizationId,
            since7,
            since30,
          }),
          latest: yield* all<SyncLogRow>(scoped ? q.latestPerSystemOf : q.latestPerSystemAll, {
            organizationId,
          }),
          active: yield* all<SyncLogRow>(scoped ? q.activeSyncsOf : q.activeSyncsAll, { organizationId }),
        };
      })(),
    );
    return composeMonitoring({
      stats,
      latest: latest.map(syncLogFromRow),
      active: active.map((r) => ({
        syncLog: syncLogFromRow(r),
        heartbeatAt: r.heartbeat_at ? new Date(r.heartbeat_at).toISOString() : null,
      })),
      now,
      staleAfterSeconds: options.staleAfterSeconds,
    });
  }

  async listDeletions(rawOrganizationId: string): Promise<SyncLogDeletion[]> {
    const organizationId = canonicalUuid(rawOrganizationId);
    if (!isUuid(organizationId)) return [];
    const rows = await this.driver.run(all<TombstoneRow>(this.q.deletionsOf, { organizationId }));
    return rows.map(tombstoneFromRow);
  }

  async countByStatus() {
    const rows = await this.driver.run(
      all<{ status: SyncStatus; accounting_system: AccountingSystem; n: number | bigint | string }>(
        this.q.countByStatus,
      ),
    );
    return rows.map((r) => ({ status: r.status, accountingSystem: r.accounting_system, count: Number(r.n) }));
  }

  async recentDurations(limit: number) {
    const rows = await this.driver.run(
      all<{
        accounting_system: AccountingSystem;
        status: SyncStatus;
        started_at: string | Date;
        completed_at: string | Date;
      }>(this.q.recentTerminal, { limit }),
    );
    return rows.map((r) => ({
      accountingSystem: r.accounting_system,
      status: r.status,
      seconds: Math.max(0, (new Date(r.completed_at).getTime() - new Date(r.started_at).getTime()) / 1000),
    }));
  }

  async verifyChain(rawOrganizationId: string): Promise<ChainVerification> {
    const organizationId = canonicalUuid(rawOrganizationId);
    if (!isUuid(organizationId)) return { ok: true, checked: 0, breaks: [], head: null };
    const rows = await this.driver.run(all<TombstoneRow>(this.q.chainTombstones, { organizationId }));
    const tombstones = rows.map(
      (t): Extract<ChainLink, { kind: 'tombstone' }> => ({
        kind: 'tombstone',
        syncLogId: t.sync_log_id,
        chainSeq: Number(t.chain_seq),
        prevHash: t.prev_hash,
        chainHash: t.chain_hash,
      }),
    );
    return verifyChainPages(interleaveTombstones(this.sealedPages(organizationId, null), tombstones));
  }

  streamSealed(
    organizationId: string,
    from: string,
    to: string,
    options: { afterSeq?: number } = {},
  ): AsyncIterable<SealedSyncLog[]> {
    return this.sealedPages(canonicalUuid(organizationId), { from, to }, options.afterSeq ?? 0);
  }

  private async *sealedPages(
    organizationId: string,
    bounds: { from: string; to: string } | null,
    afterSeq = 0,
  ): AsyncIterable<SealedSyncLog[]> {
    if (!isUuid(organizationId)) return;
    const statement = bounds ? this.q.sealedPageBetween : this.q.sealedPage;
    let after = afterSeq;
    for (;;) {
      const rows = await this.driver.run(
        all<SyncLogRow>(statement, { organizationId, afterSeq: after, limit: PAGE, ...bounds }),
      );
      if (rows.length === 0) return;
      const page = rows.map(sealedFromRow);
      after = (page[page.length - 1] as SealedSyncLog).chainSeq;
      yield page;
      if (rows.length < PAGE) return;
      // better-sqlite3 answers synchronously: give the event loop a turn between pages, so a long
      // verification or export never stalls the process's other requests.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
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
