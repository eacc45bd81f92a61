import { ACTIVE_STATUSES, SYNC_LOG_FIELDS, TERMINAL_STATUSES } from '@meander/domain';
import { type SQL, sql } from 'drizzle-orm';
import { alias as pgAlias } from 'drizzle-orm/pg-core';
import { alias as sqliteAlias } from 'drizzle-orm/sqlite-core';
import * as pgSchema from '../schema/pg/tables.js';
import * as sqliteSchema from '../schema/sqlite/tables.js';
import { accountingModuleOf } from './organization-queries.js';
import type { Dialect } from './port.js';
import { assign, compile, compileAll, insertValues, p } from './statement.js';

/**
 * The only SQL that differs between the dialects' sync-log stores: how a transaction that reads
 * and then writes keeps others out. Each dialect's `sync-log-store.ts` supplies these.
 */
export interface SyncLogLocks {
  /** Appended to the read of a row the transaction will then change. */
  readonly rowLock: SQL;
  /** Appended to the pick of the next pending row, so concurrent claimers take different rows. */
  readonly claimLock: SQL;
  /**
   * Run (with `organizationId`) before reading an organization's chain head, so seals of one
   * organization run one at a time; null where the transaction already excludes other writers.
   */
  readonly chainLock: SQL | null;
}

const list = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));
const ACTIVE = list(ACTIVE_STATUSES);
const TERMINAL = list(TERMINAL_STATUSES);

/** The tables a sync-log statement is written over, for one dialect. */
function tablesFor(dialect: Dialect) {
  const s = dialect === 'sqlite' ? sqliteSchema : pgSchema;
  const l = s.accountingSyncLogs;
  // The same table under another name, to ask "is there a newer attempt?".
  const n =
    dialect === 'sqlite'
      ? sqliteAlias(sqliteSchema.accountingSyncLogs, 'n')
      : pgAlias(pgSchema.accountingSyncLogs, 'n');
  const org = sql`${l.organizationId} = ${p('organizationId')}`;
  return { s, l, n, d: s.accountingSyncLogDeletions, org };
}
type Tables = ReturnType<typeof tablesFor>;

/** What the lifecycle decides from and writes: a row by id or key, a claim, a lease, progress. */
function lifecycleStatements({ s, l, n, org }: Tables, locks: SyncLogLocks) {
  const o = s.organizations;
  return {
    syncLogById: sql`SELECT * FROM ${l} WHERE ${l.id} = ${p('id')}`,
    syncLogByIdLocked: sql`SELECT * FROM ${l} WHERE ${l.id} = ${p('id')}${locks.rowLock}`,
    syncLogByIdempotencyKey: sql`SELECT * FROM ${l} WHERE ${org} AND ${l.idempotencyKey} = ${p('idempotencyKey')}`,
    activeSyncLog: sql`SELECT * FROM ${l} WHERE ${org} AND ${l.status} IN (${ACTIVE})`,
    nextPending: sql`SELECT * FROM ${l} WHERE ${l.status} = 'pending' AND ${l.runner} = 'worker'
      ORDER BY ${l.createdAt}, ${l.id} LIMIT 1${locks.claimLock}`,
    // The lease columns of one row: what assertLease decides from.
    leaseOf: sql`SELECT ${l.status} AS status, ${l.leaseEpoch} AS lease_epoch, ${l.leaseExpiresAt} AS lease_expires_at
      FROM ${l} WHERE ${l.id} = ${p('id')}`,

    // What a create decides from.
    organizationById: sql`SELECT ${o.id} AS id FROM ${o} WHERE ${o.id} = ${p('organizationId')}`,
    accountingModuleOf: accountingModuleOf(s),

    // Writes. Each lifecycle update is conditional on the status it was decided from.
    // Every field of the spec's record, plus the two columns the store keeps beside it.
    insert: sql`INSERT INTO ${l} ${insertValues(l, [...SYNC_LOG_FIELDS, 'idempotencyKey', 'runner'])}`,
    // A claim takes the organization's next epoch (above every earlier claim's: the fencing token)
    // and a lease; the database refuses an epoch that does not grow (migration 0007).
    start: sql`UPDATE ${l} SET ${assign(l, ['status', 'startedAt', 'heartbeatAt', 'claimedBy', 'leaseExpiresAt'])},
        ${sql.identifier(l.leaseEpoch.name)} = (SELECT COALESCE(MAX(${n.leaseEpoch}), 0) + 1 FROM ${l} AS ${n}
          WHERE ${n.organizationId} = ${l.organizationId})
      WHERE ${l.id} = ${p('id')} AND ${l.status} = 'pending'`,
    // Renewed only by the epoch that holds it and only before it expired: a lease once lost stays lost.
    renewLease: sql`UPDATE ${l} SET ${assign(l, ['heartbeatAt', 'leaseExpiresAt'])}
      WHERE ${l.id} = ${p('id')} AND ${l.status} = 'in_progress' AND ${l.leaseEpoch} = ${p('epoch')}
        AND ${l.leaseExpiresAt} > ${p('now')}`,
    heartbeat: sql`UPDATE ${l} SET ${assign(l, ['heartbeatAt'])}
      WHERE ${l.id} = ${p('id')} AND ${l.status} IN (${ACTIVE})`,
    progress: sql`UPDATE ${l} SET ${assign(l, ['recordsSynced', 'recordsFailed', 'heartbeatAt'])}
      WHERE ${l.id} = ${p('id')} AND ${l.status} IN (${ACTIVE}) RETURNING *`,
    // The organization's chain head: its highest sequence, whether the row still lives or was deleted.
  } satisfies Record<string, SQL>;
}

/** The read models: monitoring, the resync plan, stale and claimable attempts, metrics. */
function readModelStatements({ l, n, org }: Tables) {
  // `n` started after `l`, or at the same instant with a greater id: the order "latest" means.
  // The leading `>=` is a range on idx_accounting_sync_logs_org_started, so each probe stops at the
  // first newer row; without it SQLite (unanalyzed) walked all of the organization's rows per row.
  const newer = sql`${n.startedAt} >= ${l.startedAt} AND (${n.startedAt} > ${l.startedAt} OR ${n.id} > ${l.id})`;

  // Monitoring reads all organizations or one. Two statements rather than `(:org IS NULL OR …)`,
  // which SQLite cannot answer from an index (and PostgreSQL cannot type).
  const monitoring = (scope: SQL) => ({
    stats: sql`WITH ls AS (
        SELECT ${l.organizationId} AS organization_id, ${l.accountingSystem} AS accounting_system,
          MAX(${l.startedAt}) AS last_success
        FROM ${l} WHERE ${l.status} = 'success' AND ${scope} GROUP BY ${l.organizationId}, ${l.accountingSystem})
      SELECT ${l.organizationId} AS organization_id, ${l.accountingSystem} AS accounting_system,
        MAX(ls.last_success) AS last_success,
        COUNT(*) FILTER (WHERE ${l.status} IN ('failed', 'partial')
          AND (ls.last_success IS NULL OR ${l.startedAt} > ls.last_success)) AS consecutive_failures,
        COUNT(*) FILTER (WHERE ${l.startedAt} >= ${p('since7')} AND ${l.status} IN (${TERMINAL})) AS terminal_7d,
        COUNT(*) FILTER (WHERE ${l.startedAt} >= ${p('since7')} AND ${l.status} = 'success') AS success_7d,
        COUNT(*) FILTER (WHERE ${l.startedAt} >= ${p('since30')} AND ${l.status} IN (${TERMINAL})) AS terminal_30d,
        COUNT(*) FILTER (WHERE ${l.startedAt} >= ${p('since30')} AND ${l.status} = 'success') AS success_30d,
        COALESCE(SUM(${l.recordsFailed}) FILTER (WHERE ${l.startedAt} >= ${p('since7')}), 0) AS records_failed_7d,
        COALESCE(SUM(${l.recordsFailed}) FILTER (WHERE ${l.startedAt} >= ${p('since30')}), 0) AS records_failed_30d
      FROM ${l} LEFT JOIN ls
        ON ls.organization_id = ${l.organizationId} AND ls.accounting_system = ${l.accountingSystem}
      WHERE ${scope}
      GROUP BY ${l.organizationId}, ${l.accountingSystem}`,
    // One row per (organization, system): the newest start, ties to the greater id. (The same
    // anti-join on both dialects: a window over whole rows sorted them all, twice as slow on SQLite.)
    latest: sql`SELECT * FROM ${l} WHERE ${scope} AND NOT EXISTS (SELECT 1 FROM ${l} AS ${n}
        WHERE ${n.organizationId} = ${l.organizationId} AND ${n.accountingSystem} = ${l.accountingSystem} AND ${newer})`,
    active: sql`SELECT * FROM ${l} WHERE ${l.status} IN (${ACTIVE}) AND ${scope}`,
  });
  const ofOrganization = monitoring(org);
  const ofAll = monitoring(sql`1 = 1`);

  return {
    claimableSyncLogs: sql`SELECT * FROM ${l} WHERE ${l.status} = 'pending' AND ${l.runner} = 'worker'
      ORDER BY ${l.createdAt}, ${l.id} LIMIT ${p('limit')}`,
    // Stale AND past its lease: a live holder renews its lease, so only a lost one matches (an
    // external runner, which reports progress instead, is judged by its heartbeat as before).
    staleSyncLogs: sql`SELECT * FROM ${l} WHERE ${l.status} = 'in_progress'
      AND COALESCE(${l.heartbeatAt}, ${l.startedAt}) < ${p('olderThan')}
      AND (${l.leaseExpiresAt} IS NULL OR ${l.leaseExpiresAt} <= ${p('now')}) ORDER BY ${l.startedAt}`,
    // Attempts at an overlapping period that were failed while their lease still ran until after
    // `since`: the reaper's victims among them may still have a write in flight.
    recentlyFencedAttempts: sql`SELECT * FROM ${l} WHERE ${org}
      AND ${l.periodEnd} >= ${p('periodStart')} AND ${l.periodStart} <= ${p('periodEnd')}
      AND ${l.status} = 'failed' AND ${l.id} <> ${p('exceptId')} AND ${l.leaseExpiresAt} > ${p('since')}
      ORDER BY ${l.leaseExpiresAt} DESC LIMIT 50`,
    successCovering: sql`SELECT * FROM ${l} WHERE ${org}
      AND ${l.periodStart} <= ${p('periodStart')} AND ${l.periodEnd} >= ${p('periodEnd')} AND ${l.status} = 'success'
      ORDER BY ${l.startedAt} DESC LIMIT 1`,
    // Whether any other attempt overlapping the period ended failed or partial (it may have posted
    // records): one index probe that stops at the first, never the rows themselves.
    unfinishedAttempt: sql`SELECT 1 AS found FROM ${l} WHERE ${org}
      AND ${l.periodEnd} >= ${p('periodStart')} AND ${l.periodStart} <= ${p('periodEnd')}
      AND ${l.status} IN ('failed', 'partial') AND ${l.id} <> ${p('exceptId')} LIMIT 1`,
    // The latest attempt of each period, where that attempt failed wholly or partly. (Not `newer`:
    // here the period's equality on idx_accounting_sync_logs_period is the narrower probe.)
    resyncPlan: sql`SELECT * FROM ${l} WHERE ${org} AND ${l.status} IN ('failed', 'partial')
      AND NOT EXISTS (SELECT 1 FROM ${l} AS ${n} WHERE ${n.organizationId} = ${l.organizationId}
        AND ${n.periodStart} = ${l.periodStart} AND ${n.periodEnd} = ${l.periodEnd}
        AND (${n.startedAt} > ${l.startedAt} OR (${n.startedAt} = ${l.startedAt} AND ${n.id} > ${l.id})))
      ORDER BY ${l.periodStart} DESC`,
    monitoringStatsOf: ofOrganization.stats,
    monitoringStatsAll: ofAll.stats,
    latestPerSystemOf: ofOrganization.latest,
    latestPerSystemAll: ofAll.latest,
    activeSyncsOf: ofOrganization.active,
    activeSyncsAll: ofAll.active,
    countByStatus: sql`SELECT ${l.status} AS status, ${l.accountingSystem} AS accounting_system, COUNT(*) AS n
      FROM ${l} GROUP BY ${l.status}, ${l.accountingSystem}`,
    recentTerminal: sql`SELECT ${l.accountingSystem} AS accounting_system, ${l.status} AS status,
        ${l.startedAt} AS started_at, ${l.completedAt} AS completed_at
      FROM ${l} WHERE ${l.status} IN (${TERMINAL}) ORDER BY ${l.startedAt} DESC LIMIT ${p('limit')}`,
  } satisfies Record<string, SQL>;
}

/** The organization's hash chain: its head, the seal, the sealed pages, deletions and their tombstones. */
function chainStatements({ l, d, org }: Tables) {
  const sealedPage = (bounds: SQL) =>
    sql`SELECT * FROM ${l} WHERE ${org} AND ${l.chainSeq} > ${p('afterSeq')} ${bounds}
      ORDER BY ${l.chainSeq} LIMIT ${p('limit')}`;

  return {
    deletionsOf: sql`SELECT * FROM ${d} WHERE ${d.organizationId} = ${p('organizationId')}
      ORDER BY ${d.deletedAt}, ${d.syncLogId}`,
    chainTombstones: sql`SELECT * FROM ${d} WHERE ${d.organizationId} = ${p('organizationId')} AND ${d.chainSeq} IS NOT NULL`,
    sealedPage: sealedPage(sql``),
    sealedPageBetween: sealedPage(sql`AND ${l.startedAt} >= ${p('from')} AND ${l.startedAt} <= ${p('to')}`),
    chainHead: sql`SELECT chain_seq, chain_hash FROM (
        SELECT ${l.chainSeq} AS chain_seq, ${l.chainHash} AS chain_hash FROM ${l} WHERE ${org} AND ${l.chainSeq} IS NOT NULL
        UNION ALL
        SELECT ${d.chainSeq} AS chain_seq, ${d.chainHash} AS chain_hash FROM ${d}
          WHERE ${d.organizationId} = ${p('organizationId')} AND ${d.chainSeq} IS NOT NULL
      ) head ORDER BY chain_seq DESC LIMIT 1`,
    seal: sql`UPDATE ${l} SET ${assign(l, [
      'status',
      'recordsSynced',
      'recordsFailed',
      'errorDetails',
      'externalReferenceId',
      'payloadSummary',
      'completedAt',
      'chainSeq',
      'prevHash',
      'chainHash',
      'chainRecipe',
    ])}
      WHERE ${l.id} = ${p('id')} AND ${l.status} IN (${ACTIVE})`,
    insertTombstone: sql`INSERT INTO ${d} ${insertValues(d, [
      'syncLogId',
      'organizationId',
      'deletedBy',
      'deletedVia',
      'deletedAt',
      'reason',
      'legalBasis',
      'chainSeq',
      'chainHash',
      'prevHash',
      'redactedRow',
      'signature',
      'keyId',
    ])} RETURNING *`,
    delete: sql`DELETE FROM ${l} WHERE ${l.id} = ${p('id')}`,
  } satisfies Record<string, SQL>;
}

/**
 * Every sync-log statement, written once over the dialect's table objects (each column a name the
 * compiler checks) with named placeholders, and compiled once per store. Only `locks` differ.
 */
export function compileSyncLogStatements(dialect: Dialect, locks: SyncLogLocks) {
  const tables = tablesFor(dialect);
  return {
    ...compileAll(dialect, {
      ...lifecycleStatements(tables, locks),
      ...readModelStatements(tables),
      ...chainStatements(tables),
    }),
    chainLock: locks.chainLock ? compile(dialect, locks.chainLock) : null,
  };
}

export type SyncLogStatements = ReturnType<typeof compileSyncLogStatements>;
