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
import type postgres from 'postgres';
import { constraintToDomainError, rethrowAsDomainError, unavailableError } from '../constraint-errors.js';
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
import { idempotencyFingerprint, type SyncLogRow, sealedFromRow, syncLogFromRow } from '../sync-log-row.js';
import { redactForTombstone, type TombstoneRow, tombstoneFromRow } from '../tombstone.js';
import { jsonb } from './json.js';

type Sql = postgres.Sql | postgres.TransactionSql;
const nowIso = () => new Date().toISOString();
const PAGE = 1_000;

/**
 * PostgreSQL implementation of the store. Every read-decide-write runs in one `sql.begin`
 * transaction; races the reads cannot see (two creates at once) are settled by the constraints and
 * mapped back to the DomainError the domain would have thrown.
 */
export class PgSyncLogStore implements SyncLogStore {
  constructor(private readonly sql: postgres.Sql) {}

  private async write<T>(work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
    try {
      return (await this.sql.begin(work)) as T;
    } catch (error) {
      throw constraintToDomainError(error) ?? unavailableError(error) ?? error;
    }
  }

  private readonly reads = compileReads('postgres');

  /** Run one of the shared reads (written once in ../reads.ts) as a named prepared query. */
  private async read<T = SyncLogRow>(
    sql: Sql,
    name: ReadName,
    values: Record<string, unknown>,
  ): Promise<T[]> {
    const read = this.reads[name];
    return (await sql.unsafe(read.text, bindRead(read, values) as never[], {
      prepare: true,
    })) as unknown as T[];
  }

  private async getRow(sql: Sql, id: string, lock = false): Promise<SyncLogRow | undefined> {
    if (!isUuid(id)) return undefined;
    // Row locking is PostgreSQL's own; the plain read is the shared one.
    const rows = lock
      ? await sql<SyncLogRow[]>`SELECT * FROM accounting_sync_logs WHERE id = ${id} FOR UPDATE`
      : await this.read(sql, 'syncLogById', { id });
    return rows[0];
  }

  private async requireLog(sql: Sql, id: string, lock = false): Promise<SyncLog> {
    const row = await this.getRow(sql, id, lock);
    if (!row) throw new DomainError('NOT_FOUND', `Sync log ${id} does not exist`);
    return syncLogFromRow(row);
  }

  async create(input: CreateSyncLogInput, options: CreateOptions = {}): Promise<CreateResult> {
    const command = parseCommand(createSyncLogCommandSchema, input);
    const now = options.now ?? nowIso();
    try {
      return await this.write(async (tx) => {
        const previous = await this.findByKey(tx, command);
        if (previous) return replay(previous, command);
        const [organization] = await tx`SELECT id FROM organizations WHERE id = ${command.organizationId}`;
        const [moduleRow] = await tx<ModuleRow[]>`
          SELECT * FROM module_configurations WHERE organization_id = ${command.organizationId} AND module = 'admin-accounting'`;
        const [active] = await this.read(tx, 'activeSyncLog', { organizationId: command.organizationId });
        const planned = planCreate(command, {
          id: randomUUID(),
          now,
          organization: organization ?? null,
          accountingModule: moduleRow ? accountingModuleFromRow(moduleRow) : null,
          activeSync: active ? { id: active.id, status: syncLogFromRow(active).status } : null,
        });
        await insert(tx, planned.syncLog, command.idempotencyKey ?? null, options.runner ?? 'worker');
        return { ...planned, replayed: false };
      });
    } catch (error) {
      // Two creates with one idempotency key raced: the loser replays the winner's row.
      if (command.idempotencyKey && error instanceof DomainError && error.code !== 'VALIDATION_FAILED') {
        const previous = await this.findByKey(this.sql, command);
        if (previous) return replay(previous, command);
      }
      throw error;
    }
  }

  private async findByKey(sql: Sql, command: CreateSyncLogCommand): Promise<SyncLog | null> {
    if (!command.idempotencyKey) return null;
    const [row] = await this.read(sql, 'syncLogByIdempotencyKey', {
      organizationId: command.organizationId,
      idempotencyKey: command.idempotencyKey,
    });
    return row ? syncLogFromRow(row) : null;
  }

  async findByIdempotencyKey(rawOrganizationId: string, idempotencyKey: string): Promise<SyncLog | null> {
    const organizationId = canonicalUuid(rawOrganizationId);
    if (!isUuid(organizationId)) return null;
    const [row] = await this.read(this.sql, 'syncLogByIdempotencyKey', { organizationId, idempotencyKey });
    return row ? syncLogFromRow(row) : null;
  }

  async get(rawId: string): Promise<SyncLog | null> {
    const id = canonicalUuid(rawId);
    const row = await this.getRow(this.sql, id);
    return row ? syncLogFromRow(row) : null;
  }

  async list(input: ListSyncLogsInput): Promise<{ items: SyncLog[]; nextCursor: string | null }> {
    const q = parseCommand(listSyncLogsQuerySchema, input);
    const sql = this.sql;
    const conditions: postgres.PendingQuery<postgres.Row[]>[] = [sql`TRUE`];
    if (q.organizationId) conditions.push(sql`organization_id = ${q.organizationId}`);
    if (q.status) conditions.push(sql`status = ${q.status}`);
    if (q.accountingSystem) conditions.push(sql`accounting_system = ${q.accountingSystem}`);
    if (q.syncType) conditions.push(sql`sync_type = ${q.syncType}`);
    if (q.triggeredBy) conditions.push(sql`triggered_by = ${q.triggeredBy}`);
    if (q.periodFrom) conditions.push(sql`period_end >= ${q.periodFrom}`);
    if (q.periodTo) conditions.push(sql`period_start <= ${q.periodTo}`);
    if (q.startedAfter) conditions.push(sql`started_at >= ${q.startedAfter}`);
    if (q.startedBefore) conditions.push(sql`started_at < ${q.startedBefore}`);
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      conditions.push(sql`(created_at, id) < (${c.createdAt}::timestamptz, ${c.id}::uuid)`);
    }
    const where = conditions.reduce((acc, c) => sql`${acc} AND ${c}`);
    // Keyset on the immutable (created_at, id); see LIST_ORDER in ../list-order.ts.
    const rows = await sql<SyncLogRow[]>`
      SELECT * FROM accounting_sync_logs WHERE ${where} ORDER BY ${sql.unsafe(LIST_ORDER.join(', '))} LIMIT ${q.limit + 1}`;
    const items = rows.slice(0, q.limit).map(syncLogFromRow);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null };
  }

  async getActive(rawOrganizationId: string): Promise<SyncLog | null> {
    const organizationId = canonicalUuid(rawOrganizationId);
    if (!isUuid(organizationId)) return null;
    const [row] = await this.read(this.sql, 'activeSyncLog', { organizationId });
    return row ? syncLogFromRow(row) : null;
  }

  async start(rawId: string, options: { workerId?: string; now?: string } = {}): Promise<SyncLog> {
    const id = canonicalUuid(rawId);
    const now = options.now ?? nowIso();
    return this.write(async (tx) => {
      const { syncLog } = planStart(await this.requireLog(tx, id), now);
      // Conditional on the status we decided from: of several claimers exactly one matches.
      const changed = await tx`
        UPDATE accounting_sync_logs SET status = 'in_progress', started_at = ${now}, heartbeat_at = ${now},
          claimed_by = ${options.workerId ?? null}
        WHERE id = ${id} AND status = 'pending'`;
      if (changed.count !== 1) planStart(await this.requireLog(tx, id), now);
      return syncLog;
    });
  }

  async claimNextPending(workerId: string, options: { now?: string } = {}): Promise<SyncLog | null> {
    const now = options.now ?? nowIso();
    return this.write(async (tx) => {
      const [row] = await tx<SyncLogRow[]>`
        SELECT * FROM accounting_sync_logs WHERE status = 'pending' AND runner = 'worker'
        ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`;
      if (!row) return null;
      const { syncLog } = planStart(syncLogFromRow(row), now);
      await tx`
        UPDATE accounting_sync_logs SET status = 'in_progress', started_at = ${now}, heartbeat_at = ${now}, claimed_by = ${workerId}
        WHERE id = ${row.id} AND status = 'pending'`;
      return syncLog;
    });
  }

  async listClaimable(limit: number): Promise<SyncLog[]> {
    const rows = await this.read(this.sql, 'claimableSyncLogs', { limit });
    return rows.map(syncLogFromRow);
  }

  async heartbeat(rawId: string, options: { now?: string } = {}): Promise<void> {
    const id = canonicalUuid(rawId);
    await this.write(async (tx) => {
      assertMutable(await this.requireLog(tx, id));
      await tx`
        UPDATE accounting_sync_logs SET heartbeat_at = ${options.now ?? nowIso()}
        WHERE id = ${id} AND status IN ('pending', 'in_progress')`;
    });
  }

  async reportProgress(input: ReportProgressCommand): Promise<SyncLog> {
    const command = parseCommand(reportProgressCommandSchema, input);
    throwOnErrors(checkRecordsCountsNonNegative(command));
    // The hot path of a running sync (once per batch): one conditional statement. Only an active
    // row matches — exactly what planProgress allows; otherwise the domain explains why not.
    const [row] = await this.sql<SyncLogRow[]>`
      UPDATE accounting_sync_logs SET records_synced = ${command.recordsSynced}, records_failed = ${command.recordsFailed},
        heartbeat_at = ${nowIso()}
      WHERE id = ${command.id} AND status IN ('pending', 'in_progress')
      RETURNING *`.catch(async (error: unknown) => {
      // The database refused the counts (records_progress_bounded): the domain names rule and field.
      planProgress(await this.requireLog(this.sql, command.id), command);
      return rethrowAsDomainError(error);
    });
    if (row) return syncLogFromRow(row);
    return planProgress(await this.requireLog(this.sql, command.id), command).syncLog;
  }

  async complete(input: CompleteSyncLogCommand, options: { now?: string } = {}): Promise<Planned> {
    const command = parseCommand(completeSyncLogCommandSchema, input);
    const now = options.now ?? nowIso();
    return this.write(async (tx) => {
      const current = await this.requireLog(tx, command.id, true);
      const planned = planComplete(current, command, now);
      await seal(tx, planned.syncLog);
      return planned;
    });
  }

  async fail(input: FailSyncLogCommand, options: { now?: string } = {}): Promise<SyncLog> {
    const command = parseCommand(failSyncLogCommandSchema, input);
    const now = options.now ?? nowIso();
    return this.write(async (tx) => {
      const { syncLog } = planFail(await this.requireLog(tx, command.id, true), command, now);
      await seal(tx, syncLog);
      return syncLog;
    });
  }

  async delete(input: DeleteSyncLogCommand, actor: DeletionActor): Promise<SyncLogDeletion> {
    const command = parseCommand(deleteSyncLogCommandSchema, input);
    return this.write(async (tx) => {
      const row = await this.getRow(tx, command.id, true);
      if (!row) throw new DomainError('NOT_FOUND', `Sync log ${command.id} does not exist`);
      const [tombstone] = await tx<TombstoneRow[]>`
        INSERT INTO accounting_sync_log_deletions (sync_log_id, organization_id, deleted_by, deleted_via, deleted_at,
          reason, legal_basis, chain_seq, chain_hash, prev_hash, redacted_row)
        VALUES (${row.id}, ${row.organization_id}, ${actor.userId}, ${actor.via}, ${nowIso()}, ${command.reason},
          ${command.legalBasis}, ${row.chain_seq ?? null}, ${row.chain_hash ?? null}, ${row.prev_hash ?? null},
          ${jsonb(tx, redactForTombstone(syncLogFromRow(row)))})
        RETURNING *`;
      await tx`DELETE FROM accounting_sync_logs WHERE id = ${row.id}`;
      return tombstoneFromRow(tombstone as TombstoneRow);
    });
  }

  async findStale(olderThan: string): Promise<SyncLog[]> {
    const rows = await this.read(this.sql, 'staleSyncLogs', { olderThan });
    return rows.map(syncLogFromRow);
  }

  async findSuccessCovering(
    rawOrganizationId: string,
    periodStart: string,
    periodEnd: string,
  ): Promise<SyncLog | null> {
    const organizationId = canonicalUuid(rawOrganizationId);
    const [row] = await this.read(this.sql, 'successCovering', { organizationId, periodStart, periodEnd });
    return row ? syncLogFromRow(row) : null;
  }

  async resyncPlan(rawOrganizationId: string): Promise<ResyncPlanEntry[]> {
    const organizationId = canonicalUuid(rawOrganizationId);
    if (!isUuid(organizationId)) return [];
    const rows = await this.sql<SyncLogRow[]>`
      SELECT l.* FROM accounting_sync_logs l
      WHERE l.organization_id = ${organizationId} AND l.status IN ('failed', 'partial')
        AND NOT EXISTS (SELECT 1 FROM accounting_sync_logs n WHERE n.organization_id = l.organization_id
          AND n.period_start = l.period_start AND n.period_end = l.period_end
          AND (n.started_at > l.started_at OR (n.started_at = l.started_at AND n.id > l.id)))
      ORDER BY l.period_start DESC`;
    return rows.map((r) => resyncEntryFrom(syncLogFromRow(r)));
  }

  async monitoringOverview(options: {
    organizationId?: string;
    now?: string;
    staleAfterSeconds: number;
  }): Promise<MonitoringEntry[]> {
    const sql = this.sql;
    const now = options.now ?? nowIso();
    const { since7, since30 } = monitoringWindows(now);
    if (options.organizationId !== undefined && !isUuid(options.organizationId)) return [];
    const orgId = options.organizationId === undefined ? undefined : canonicalUuid(options.organizationId);
    const org = orgId ? sql`organization_id = ${orgId}` : sql`TRUE`;
    const orgL = orgId ? sql`l.organization_id = ${orgId}` : sql`TRUE`;
    const stats = await sql<MonitoringStatsRow[]>`
      WITH ls AS (
        SELECT organization_id, accounting_system, MAX(started_at) AS last_success FROM accounting_sync_logs
        WHERE status = 'success' AND ${org} GROUP BY organization_id, accounting_system)
      SELECT l.organization_id, l.accounting_system, MAX(ls.last_success) AS last_success,
        COUNT(*) FILTER (WHERE l.status IN ('failed', 'partial') AND (ls.last_success IS NULL OR l.started_at > ls.last_success)) AS consecutive_failures,
        COUNT(*) FILTER (WHERE l.started_at >= ${since7} AND l.status IN ('success', 'partial', 'failed')) AS terminal_7d,
        COUNT(*) FILTER (WHERE l.started_at >= ${since7} AND l.status = 'success') AS success_7d,
        COUNT(*) FILTER (WHERE l.started_at >= ${since30} AND l.status IN ('success', 'partial', 'failed')) AS terminal_30d,
        COUNT(*) FILTER (WHERE l.started_at >= ${since30} AND l.status = 'success') AS success_30d,
        COALESCE(SUM(l.records_failed) FILTER (WHERE l.started_at >= ${since7}), 0) AS records_failed_7d,
        COALESCE(SUM(l.records_failed) FILTER (WHERE l.started_at >= ${since30}), 0) AS records_failed_30d
      FROM accounting_sync_logs l LEFT JOIN ls
        ON ls.organization_id = l.organization_id AND ls.accounting_system = l.accounting_system
      WHERE ${orgL}
      GROUP BY l.organization_id, l.accounting_system`;
    const latest = await sql<SyncLogRow[]>`
      SELECT DISTINCT ON (organization_id, accounting_system) * FROM accounting_sync_logs
      WHERE ${org} ORDER BY organization_id, accounting_system, started_at DESC, id DESC`;
    const active = await sql<SyncLogRow[]>`
      SELECT * FROM accounting_sync_logs WHERE status IN ('pending', 'in_progress') AND ${org}`;
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
    const rows = await this.read<TombstoneRow>(this.sql, 'deletionsOf', { organizationId });
    return rows.map(tombstoneFromRow);
  }

  async countByStatus() {
    const rows = await this.sql<{ status: SyncStatus; accounting_system: AccountingSystem; n: string }[]>`
      SELECT status, accounting_system, COUNT(*) AS n FROM accounting_sync_logs GROUP BY status, accounting_system`;
    return rows.map((r) => ({ status: r.status, accountingSystem: r.accounting_system, count: Number(r.n) }));
  }

  async recentDurations(limit: number) {
    const rows = await this.sql<
      { accounting_system: AccountingSystem; status: SyncStatus; seconds: string }[]
    >`
      SELECT accounting_system, status, EXTRACT(EPOCH FROM (completed_at - started_at)) AS seconds FROM accounting_sync_logs
      WHERE status IN ('success', 'partial', 'failed') ORDER BY started_at DESC LIMIT ${limit}`;
    return rows.map((r) => ({
      accountingSystem: r.accounting_system,
      status: r.status,
      seconds: Math.max(0, Number(r.seconds)),
    }));
  }

  async verifyChain(rawOrganizationId: string): Promise<ChainVerification> {
    const organizationId = canonicalUuid(rawOrganizationId);
    if (!isUuid(organizationId)) return { ok: true, checked: 0, breaks: [], head: null };
    const tombstones = (
      await this.sql<TombstoneRow[]>`
        SELECT * FROM accounting_sync_log_deletions WHERE organization_id = ${organizationId} AND chain_seq IS NOT NULL`
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
    if (!isUuid(organizationId)) return;
    const sql = this.sql;
    let after = afterSeq;
    for (;;) {
      const rows = await sql<SyncLogRow[]>`
        SELECT * FROM accounting_sync_logs WHERE organization_id = ${organizationId} AND chain_seq > ${after}
          ${from ? sql`AND started_at >= ${from}` : sql``} ${to ? sql`AND started_at <= ${to}` : sql``}
        ORDER BY chain_seq LIMIT ${PAGE}`;
      if (rows.length === 0) return;
      const page = rows.map(sealedFromRow);
      after = (page[page.length - 1] as SealedSyncLog).chainSeq;
      yield page;
      if (rows.length < PAGE) return;
    }
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** PostgreSQL refuses a malformed uuid with an error; an id that cannot exist simply is not found. */
function isUuid(value: string): boolean {
  return UUID.test(value);
}

function replay(previous: SyncLog, command: CreateSyncLogCommand): CreateResult {
  const asked = idempotencyFingerprint({ ...command, triggeredBy: command.triggeredBy ?? null });
  if (asked !== idempotencyFingerprint(previous)) {
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

async function insert(
  tx: postgres.TransactionSql,
  log: SyncLog,
  idempotencyKey: string | null,
  runner: SyncRunner,
): Promise<void> {
  await tx`
    INSERT INTO accounting_sync_logs (id, organization_id, accounting_system, sync_type, status, triggered_by,
      period_start, period_end, records_total, records_synced, records_failed, payload_summary, error_details,
      external_reference_id, started_at, completed_at, created_at, idempotency_key, runner)
    VALUES (${log.id}, ${log.organizationId}, ${log.accountingSystem}, ${log.syncType}, ${log.status}, ${log.triggeredBy},
      ${log.periodStart}, ${log.periodEnd}, ${log.recordsTotal}, ${log.recordsSynced}, ${log.recordsFailed},
      ${jsonb(tx, log.payloadSummary)}, ${jsonb(tx, log.errorDetails)}, ${log.externalReferenceId},
      ${log.startedAt}, ${log.completedAt}, ${log.createdAt}, ${idempotencyKey}, ${runner})`;
}

/**
 * Write the terminal state and its chain seal in ONE update (the immutability trigger refuses any
 * later one). Locking the organization row serializes concurrent completions of one organization,
 * so the chain stays linear and gap-free.
 */
async function seal(tx: postgres.TransactionSql, log: SyncLog): Promise<void> {
  await tx`SELECT id FROM organizations WHERE id = ${log.organizationId} FOR UPDATE`;
  const [head] = await tx<{ chain_seq: number; chain_hash: string }[]>`
    SELECT chain_seq, chain_hash FROM (
      SELECT chain_seq, chain_hash FROM accounting_sync_logs WHERE organization_id = ${log.organizationId} AND chain_seq IS NOT NULL
      UNION ALL
      SELECT chain_seq, chain_hash FROM accounting_sync_log_deletions WHERE organization_id = ${log.organizationId} AND chain_seq IS NOT NULL
    ) h ORDER BY chain_seq DESC LIMIT 1`;
  const seq = Number(head?.chain_seq ?? 0) + 1;
  const prev = head?.chain_hash ?? GENESIS_HASH;
  const hash = chainHash(prev, log);
  const changed = await tx`
    UPDATE accounting_sync_logs SET status = ${log.status}, records_synced = ${log.recordsSynced},
      records_failed = ${log.recordsFailed}, error_details = ${jsonb(tx, log.errorDetails)},
      external_reference_id = ${log.externalReferenceId}, payload_summary = ${jsonb(tx, log.payloadSummary)},
      completed_at = ${log.completedAt}, chain_seq = ${seq}, prev_hash = ${prev}, chain_hash = ${hash},
      chain_recipe = ${CURRENT_CHAIN_RECIPE}
    WHERE id = ${log.id} AND status IN ('pending', 'in_progress')`;
  if (changed.count !== 1)
    throw new DomainError('RECORD_IMMUTABLE', `Sync ${log.id} already reached a terminal status`);
}
