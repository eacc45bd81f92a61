import { randomUUID } from 'node:crypto';
import {
  type AccountingSystem,
  assertMutable,
  type CompleteSyncLogCommand,
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
  type ListSyncLogsInput,
  listSyncLogsQuerySchema,
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
import type BetterSqlite3 from 'better-sqlite3';
import { rethrowAsDomainError } from '../constraint-errors.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import {
  type ChainLink,
  chainHash,
  GENESIS_HASH,
  interleaveTombstones,
  verifyChainPages,
} from '../hash-chain.js';
import { LIST_ORDER } from '../list-order.js';
import { accountingModuleFromRow, type ModuleRow } from '../module-row.js';
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
} from '../port.js';
import {
  composeMonitoring,
  type MonitoringStatsRow,
  monitoringWindows,
  resyncEntryFrom,
} from '../read-models.js';
import { bindRead, compileReads, type ReadName } from '../reads.js';
import {
  idempotencyFingerprint,
  jsonOrNull,
  type SyncLogRow,
  sealedFromRow,
  syncLogFromRow,
} from '../sync-log-row.js';
import { redactForTombstone, type TombstoneRow, tombstoneFromRow } from '../tombstone.js';

const nowIso = () => new Date().toISOString();
const PAGE = 1_000;

/**
 * SQLite implementation of the store. better-sqlite3 is synchronous: every read-decide-write runs
 * inside one `db.transaction(...)` with no await in it (an async callback would commit early), and
 * `.immediate` takes the write lock up front so the decision and the write see the same state.
 */
export class SqliteSyncLogStore implements SyncLogStore {
  constructor(private readonly db: BetterSqlite3.Database) {}

  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  /** Prepared statements are compiled once per store and reused (SQLite's parse cost is per prepare). */
  private prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private one(sql: string, ...params: unknown[]): SyncLogRow | undefined {
    return this.prepare(sql).get(...params) as SyncLogRow | undefined;
  }

  private readonly reads = compileReads('sqlite');

  /** Run one of the shared reads (written once in ../reads.ts). */
  private read<T = SyncLogRow>(name: ReadName, values: Record<string, unknown>): T[] {
    const read = this.reads[name];
    return this.prepare(read.text).all(...bindRead(read, values)) as T[];
  }

  private readOne(name: ReadName, values: Record<string, unknown>): SyncLogRow | undefined {
    const read = this.reads[name];
    return this.prepare(read.text).get(...bindRead(read, values)) as SyncLogRow | undefined;
  }

  private getRow(id: string): SyncLogRow | undefined {
    return this.readOne('syncLogById', { id });
  }

  private requireLog(id: string): SyncLog {
    const row = this.getRow(id);
    if (!row) throw new DomainError('NOT_FOUND', `Sync log ${id} does not exist`);
    return syncLogFromRow(row);
  }

  private write<T>(work: () => T): T {
    try {
      return this.db.transaction(work).immediate();
    } catch (error) {
      rethrowAsDomainError(error);
    }
  }

  async create(input: CreateSyncLogInput, options: CreateOptions = {}): Promise<CreateResult> {
    const command = parseCommand(createSyncLogCommandSchema, input);
    const now = options.now ?? nowIso();
    return this.write(() => {
      if (command.idempotencyKey) {
        const previous = this.readOne('syncLogByIdempotencyKey', {
          organizationId: command.organizationId,
          idempotencyKey: command.idempotencyKey,
        });
        if (previous) return this.replay(syncLogFromRow(previous), command);
      }
      const organization = this.prepare('SELECT id FROM organizations WHERE id = ?').get(
        command.organizationId,
      );
      const moduleRow = this.prepare(
        "SELECT * FROM module_configurations WHERE organization_id = ? AND module = 'admin-accounting'",
      ).get(command.organizationId) as ModuleRow | undefined;
      const active = this.readOne('activeSyncLog', { organizationId: command.organizationId });
      const planned = planCreate(command, {
        id: randomUUID(),
        now,
        organization: organization ?? null,
        accountingModule: moduleRow ? accountingModuleFromRow(moduleRow) : null,
        activeSync: active ? { id: active.id, status: syncLogFromRow(active).status } : null,
      });
      this.insert(planned.syncLog, command.idempotencyKey ?? null, options.runner ?? 'worker');
      return { ...planned, replayed: false };
    });
  }

  private replay(
    previous: SyncLog,
    command: ReturnType<typeof createSyncLogCommandSchema.parse>,
  ): CreateResult {
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

  private insert(log: SyncLog, idempotencyKey: string | null, runner: SyncRunner): void {
    this.prepare(
      `INSERT INTO accounting_sync_logs (id, organization_id, accounting_system, sync_type, status, triggered_by,
           period_start, period_end, records_total, records_synced, records_failed, payload_summary, error_details,
           external_reference_id, started_at, completed_at, created_at, idempotency_key, runner)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      log.id,
      log.organizationId,
      log.accountingSystem,
      log.syncType,
      log.status,
      log.triggeredBy,
      log.periodStart,
      log.periodEnd,
      log.recordsTotal,
      log.recordsSynced,
      log.recordsFailed,
      jsonOrNull(log.payloadSummary),
      jsonOrNull(log.errorDetails),
      log.externalReferenceId,
      log.startedAt,
      log.completedAt,
      log.createdAt,
      idempotencyKey,
      runner,
    );
  }

  async findByIdempotencyKey(rawOrganizationId: string, idempotencyKey: string): Promise<SyncLog | null> {
    const organizationId = canonicalUuid(rawOrganizationId);
    const row = this.readOne('syncLogByIdempotencyKey', { organizationId, idempotencyKey });
    return row ? syncLogFromRow(row) : null;
  }

  async get(rawId: string): Promise<SyncLog | null> {
    const id = canonicalUuid(rawId);
    const row = this.getRow(id);
    return row ? syncLogFromRow(row) : null;
  }

  async list(input: ListSyncLogsInput): Promise<{ items: SyncLog[]; nextCursor: string | null }> {
    const q = parseCommand(listSyncLogsQuerySchema, input);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, ...values: unknown[]) => {
      where.push(clause);
      params.push(...values);
    };
    if (q.organizationId) add('organization_id = ?', q.organizationId);
    if (q.status) add('status = ?', q.status);
    if (q.accountingSystem) add('accounting_system = ?', q.accountingSystem);
    if (q.syncType) add('sync_type = ?', q.syncType);
    if (q.triggeredBy) add('triggered_by = ?', q.triggeredBy);
    if (q.periodFrom) add('period_end >= ?', q.periodFrom);
    if (q.periodTo) add('period_start <= ?', q.periodTo);
    if (q.startedAfter) add('started_at >= ?', q.startedAfter);
    if (q.startedBefore) add('started_at < ?', q.startedBefore);
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      add('(created_at < ? OR (created_at = ? AND id < ?))', c.createdAt, c.createdAt, c.id);
    }
    // Keyset on the immutable (created_at, id); see LIST_ORDER in ../list-order.ts.
    const sql = `SELECT * FROM accounting_sync_logs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${LIST_ORDER.join(', ')} LIMIT ?`;
    const rows = this.prepare(sql).all(...params, q.limit + 1) as SyncLogRow[];
    const items = rows.slice(0, q.limit).map(syncLogFromRow);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null };
  }

  async getActive(rawOrganizationId: string): Promise<SyncLog | null> {
    const organizationId = canonicalUuid(rawOrganizationId);
    const row = this.readOne('activeSyncLog', { organizationId });
    return row ? syncLogFromRow(row) : null;
  }

  async start(rawId: string, options: { workerId?: string; now?: string } = {}): Promise<SyncLog> {
    const id = canonicalUuid(rawId);
    const now = options.now ?? nowIso();
    return this.write(() => {
      const { syncLog } = planStart(this.requireLog(id), now);
      // Conditional on the status we decided from: of several claimers exactly one matches.
      const changed = this.prepare(
        `UPDATE accounting_sync_logs SET status = 'in_progress', started_at = ?, heartbeat_at = ?, claimed_by = ?
           WHERE id = ? AND status = 'pending'`,
      ).run(syncLog.startedAt, now, options.workerId ?? null, id).changes;
      if (changed !== 1) planStart(this.requireLog(id), now);
      return syncLog;
    });
  }

  async claimNextPending(workerId: string, options: { now?: string } = {}): Promise<SyncLog | null> {
    const now = options.now ?? nowIso();
    return this.write(() => {
      const row = this.one(
        "SELECT * FROM accounting_sync_logs WHERE status = 'pending' AND runner = 'worker' ORDER BY created_at, id LIMIT 1",
      );
      if (!row) return null;
      const { syncLog } = planStart(syncLogFromRow(row), now);
      this.prepare(
        `UPDATE accounting_sync_logs SET status = 'in_progress', started_at = ?, heartbeat_at = ?, claimed_by = ?
           WHERE id = ? AND status = 'pending'`,
      ).run(now, now, workerId, row.id);
      return syncLog;
    });
  }

  async listClaimable(limit: number): Promise<SyncLog[]> {
    const rows = this.read('claimableSyncLogs', { limit });
    return rows.map(syncLogFromRow);
  }

  async heartbeat(rawId: string, options: { now?: string } = {}): Promise<void> {
    const id = canonicalUuid(rawId);
    this.write(() => {
      assertMutable(this.requireLog(id));
      this.prepare(
        "UPDATE accounting_sync_logs SET heartbeat_at = ? WHERE id = ? AND status IN ('pending', 'in_progress')",
      ).run(options.now ?? nowIso(), id);
    });
  }

  async reportProgress(input: ReportProgressCommand): Promise<SyncLog> {
    const command = parseCommand(reportProgressCommandSchema, input);
    throwOnErrors(checkRecordsCountsNonNegative(command));
    // The hot path of a running sync (once per batch): one conditional statement. Only an active
    // row matches — exactly what planProgress allows; otherwise the domain explains why not.
    let row: SyncLogRow | undefined;
    try {
      row = this.prepare(
        `UPDATE accounting_sync_logs SET records_synced = ?, records_failed = ?, heartbeat_at = ?
         WHERE id = ? AND status IN ('pending', 'in_progress') RETURNING *`,
      ).get(command.recordsSynced, command.recordsFailed, nowIso(), command.id) as SyncLogRow | undefined;
    } catch (error) {
      // The database refused the counts (records_progress_bounded): the domain names rule and field.
      planProgress(this.requireLog(command.id), command);
      rethrowAsDomainError(error);
    }
    if (row) return syncLogFromRow(row);
    return planProgress(this.requireLog(command.id), command).syncLog;
  }

  async complete(input: CompleteSyncLogCommand, options: { now?: string } = {}): Promise<Planned> {
    const command = parseCommand(completeSyncLogCommandSchema, input);
    const now = options.now ?? nowIso();
    return this.write(() => {
      const planned = planComplete(this.requireLog(command.id), command, now);
      this.seal(planned.syncLog);
      return planned;
    });
  }

  async fail(input: FailSyncLogCommand, options: { now?: string } = {}): Promise<SyncLog> {
    const command = parseCommand(failSyncLogCommandSchema, input);
    const now = options.now ?? nowIso();
    return this.write(() => {
      const { syncLog } = planFail(this.requireLog(command.id), command, now);
      this.seal(syncLog);
      return syncLog;
    });
  }

  /**
   * Write the terminal state and its chain seal in ONE update (the immutability trigger refuses any
   * later one). The write lock held by the immediate transaction keeps the chain linear.
   */
  private seal(log: SyncLog): void {
    const head = this.prepare(
      `SELECT chain_seq, chain_hash FROM (
           SELECT chain_seq, chain_hash FROM accounting_sync_logs WHERE organization_id = ? AND chain_seq IS NOT NULL
           UNION ALL
           SELECT chain_seq, chain_hash FROM accounting_sync_log_deletions WHERE organization_id = ? AND chain_seq IS NOT NULL
         ) ORDER BY chain_seq DESC LIMIT 1`,
    ).get(log.organizationId, log.organizationId) as { chain_seq: number; chain_hash: string } | undefined;
    const seq = (head?.chain_seq ?? 0) + 1;
    const prev = head?.chain_hash ?? GENESIS_HASH;
    const hash = chainHash(prev, log, CURRENT_CHAIN_RECIPE);
    const changed = this.prepare(
      `UPDATE accounting_sync_logs SET status = ?, records_synced = ?, records_failed = ?, error_details = ?,
           external_reference_id = ?, payload_summary = ?, completed_at = ?, chain_seq = ?, prev_hash = ?, chain_hash = ?,
           chain_recipe = ?
         WHERE id = ? AND status IN ('pending', 'in_progress')`,
    ).run(
      log.status,
      log.recordsSynced,
      log.recordsFailed,
      jsonOrNull(log.errorDetails),
      log.externalReferenceId,
      jsonOrNull(log.payloadSummary),
      log.completedAt,
      seq,
      prev,
      hash,
      CURRENT_CHAIN_RECIPE,
      log.id,
    ).changes;
    if (changed !== 1)
      throw new DomainError('RECORD_IMMUTABLE', `Sync ${log.id} already reached a terminal status`);
  }

  async delete(input: DeleteSyncLogCommand, actor: DeletionActor): Promise<SyncLogDeletion> {
    const command = parseCommand(deleteSyncLogCommandSchema, input);
    return this.write(() => {
      const row = this.getRow(command.id);
      if (!row) throw new DomainError('NOT_FOUND', `Sync log ${command.id} does not exist`);
      const tombstone = {
        syncLogId: row.id,
        organizationId: row.organization_id,
        deletedBy: actor.userId,
        deletedVia: actor.via,
        deletedAt: nowIso(),
        reason: command.reason,
        legalBasis: command.legalBasis,
        chainSeq: row.chain_seq ?? null,
        chainHash: row.chain_hash ?? null,
        prevHash: row.prev_hash ?? null,
      };
      this.prepare(
        `INSERT INTO accounting_sync_log_deletions (sync_log_id, organization_id, deleted_by, deleted_via, deleted_at,
             reason, legal_basis, chain_seq, chain_hash, prev_hash, redacted_row) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        tombstone.syncLogId,
        tombstone.organizationId,
        tombstone.deletedBy,
        tombstone.deletedVia,
        tombstone.deletedAt,
        tombstone.reason,
        tombstone.legalBasis,
        tombstone.chainSeq,
        tombstone.chainHash,
        tombstone.prevHash,
        JSON.stringify(redactForTombstone(syncLogFromRow(row))),
      );
      this.prepare('DELETE FROM accounting_sync_logs WHERE id = ?').run(row.id);
      const { prevHash: _prev, ...deletion } = tombstone;
      return deletion;
    });
  }

  async findStale(olderThan: string): Promise<SyncLog[]> {
    const rows = this.read('staleSyncLogs', { olderThan });
    return rows.map(syncLogFromRow);
  }

  async findSuccessCovering(
    rawOrganizationId: string,
    periodStart: string,
    periodEnd: string,
  ): Promise<SyncLog | null> {
    const organizationId = canonicalUuid(rawOrganizationId);
    const row = this.readOne('successCovering', { organizationId, periodStart, periodEnd });
    return row ? syncLogFromRow(row) : null;
  }

  async resyncPlan(rawOrganizationId: string): Promise<ResyncPlanEntry[]> {
    const organizationId = canonicalUuid(rawOrganizationId);
    const rows = this.prepare(
      `SELECT l.* FROM accounting_sync_logs l
         WHERE l.organization_id = ? AND l.status IN ('failed', 'partial')
           AND NOT EXISTS (SELECT 1 FROM accounting_sync_logs n WHERE n.organization_id = l.organization_id
             AND n.period_start = l.period_start AND n.period_end = l.period_end
             AND (n.started_at > l.started_at OR (n.started_at = l.started_at AND n.id > l.id)))
         ORDER BY l.period_start DESC`,
    ).all(organizationId) as SyncLogRow[];
    return rows.map((r) => resyncEntryFrom(syncLogFromRow(r)));
  }

  async monitoringOverview(options: {
    organizationId?: string;
    now?: string;
    staleAfterSeconds: number;
  }): Promise<MonitoringEntry[]> {
    const now = options.now ?? nowIso();
    const { since7, since30 } = monitoringWindows(now);
    const org = options.organizationId === undefined ? null : canonicalUuid(options.organizationId);
    // Two statement variants rather than `(@org IS NULL OR …)`, which SQLite cannot answer from an index.
    const byOrg = (column: string) => (org === null ? '1 = 1' : `${column} = @org`);
    const stats = this.prepare(
      `WITH ls AS (
           SELECT organization_id, accounting_system, MAX(started_at) AS last_success FROM accounting_sync_logs
           WHERE status = 'success' AND ${byOrg('organization_id')} GROUP BY organization_id, accounting_system)
         SELECT l.organization_id, l.accounting_system, MAX(ls.last_success) AS last_success,
           SUM(CASE WHEN l.status IN ('failed', 'partial') AND (ls.last_success IS NULL OR l.started_at > ls.last_success) THEN 1 ELSE 0 END) AS consecutive_failures,
           SUM(CASE WHEN l.started_at >= @since7 AND l.status IN ('success', 'partial', 'failed') THEN 1 ELSE 0 END) AS terminal_7d,
           SUM(CASE WHEN l.started_at >= @since7 AND l.status = 'success' THEN 1 ELSE 0 END) AS success_7d,
           SUM(CASE WHEN l.started_at >= @since30 AND l.status IN ('success', 'partial', 'failed') THEN 1 ELSE 0 END) AS terminal_30d,
           SUM(CASE WHEN l.started_at >= @since30 AND l.status = 'success' THEN 1 ELSE 0 END) AS success_30d,
           SUM(CASE WHEN l.started_at >= @since7 THEN l.records_failed ELSE 0 END) AS records_failed_7d,
           SUM(CASE WHEN l.started_at >= @since30 THEN l.records_failed ELSE 0 END) AS records_failed_30d
         FROM accounting_sync_logs l LEFT JOIN ls
           ON ls.organization_id = l.organization_id AND ls.accounting_system = l.accounting_system
         WHERE ${byOrg('l.organization_id')}
         GROUP BY l.organization_id, l.accounting_system`,
    ).all(org === null ? { since7, since30 } : { org, since7, since30 }) as MonitoringStatsRow[];
    const latest = this.prepare(
      `SELECT l.* FROM accounting_sync_logs l JOIN (
           SELECT organization_id, accounting_system, MAX(started_at) AS m FROM accounting_sync_logs
           WHERE ${byOrg('organization_id')} GROUP BY organization_id, accounting_system) x
         ON x.organization_id = l.organization_id AND x.accounting_system = l.accounting_system AND l.started_at = x.m
         -- Same tie-break as PostgreSQL's DISTINCT ON (… started_at DESC, id DESC): one row per group.
         WHERE l.id = (SELECT MAX(t.id) FROM accounting_sync_logs t WHERE t.organization_id = x.organization_id
           AND t.accounting_system = x.accounting_system AND t.started_at = x.m)`,
    ).all(org === null ? {} : { org }) as SyncLogRow[];
    const active = this.prepare(
      `SELECT * FROM accounting_sync_logs WHERE status IN ('pending', 'in_progress') AND ${byOrg('organization_id')}`,
    ).all(org === null ? {} : { org }) as SyncLogRow[];
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
    const rows = this.read<TombstoneRow>('deletionsOf', { organizationId });
    return rows.map(tombstoneFromRow);
  }

  async countByStatus() {
    const rows = this.prepare(
      'SELECT status, accounting_system, COUNT(*) AS n FROM accounting_sync_logs GROUP BY status, accounting_system',
    ).all() as { status: SyncStatus; accounting_system: AccountingSystem; n: number }[];
    return rows.map((r) => ({ status: r.status, accountingSystem: r.accounting_system, count: Number(r.n) }));
  }

  async recentDurations(limit: number) {
    const rows = this.prepare(
      `SELECT accounting_system, status, started_at, completed_at FROM accounting_sync_logs
       WHERE status IN ('success', 'partial', 'failed') ORDER BY started_at DESC LIMIT ?`,
    ).all(limit) as {
      accounting_system: AccountingSystem;
      status: SyncStatus;
      started_at: string;
      completed_at: string;
    }[];
    return rows.map((r) => ({
      accountingSystem: r.accounting_system,
      status: r.status,
      seconds: Math.max(0, (Date.parse(r.completed_at) - Date.parse(r.started_at)) / 1000),
    }));
  }

  async verifyChain(rawOrganizationId: string): Promise<ChainVerification> {
    const organizationId = canonicalUuid(rawOrganizationId);
    const tombstones = (
      this.prepare(
        'SELECT * FROM accounting_sync_log_deletions WHERE organization_id = ? AND chain_seq IS NOT NULL',
      ).all(organizationId) as TombstoneRow[]
    ).map(
      (t): Extract<ChainLink, { kind: 'tombstone' }> => ({
        kind: 'tombstone',
        syncLogId: t.sync_log_id,
        chainSeq: Number(t.chain_seq),
        prevHash: t.prev_hash,
        chainHash: t.chain_hash,
      }),
    );
    return verifyChainPages(interleaveTombstones(this.sealedPages(organizationId, null, null), tombstones));
  }

  streamSealed(
    organizationId: string,
    from: string,
    to: string,
    options: { afterSeq?: number } = {},
  ): AsyncIterable<SealedSyncLog[]> {
    return this.sealedPages(canonicalUuid(organizationId), from, to, options.afterSeq ?? 0);
  }

  private async *sealedPages(
    organizationId: string,
    from: string | null,
    to: string | null,
    afterSeq = 0,
  ): AsyncIterable<SealedSyncLog[]> {
    const statement = this.prepare(
      `SELECT * FROM accounting_sync_logs WHERE organization_id = @org AND chain_seq > @after
         AND (@from IS NULL OR started_at >= @from) AND (@to IS NULL OR started_at <= @to)
       ORDER BY chain_seq LIMIT @page`,
    );
    let after = afterSeq;
    for (;;) {
      const rows = statement.all({ org: organizationId, after, from, to, page: PAGE }) as SyncLogRow[];
      if (rows.length === 0) return;
      const page = rows.map(sealedFromRow);
      after = (page[page.length - 1] as SealedSyncLog).chainSeq;
      yield page;
      if (rows.length < PAGE) return;
      // better-sqlite3 is synchronous: give the event loop a turn between pages, so a long
      // verification or export never stalls the API's other requests.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
