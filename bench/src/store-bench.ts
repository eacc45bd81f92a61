import { randomUUID } from 'node:crypto';
import { DEFAULT_SQLITE_CACHE_MIB } from '@meander/api';
import type { Database, Dialect, RawConnection } from '@meander/db';
import { createTestDatabase } from '@meander/db/testing';
import type { Statement } from 'better-sqlite3';
import { monitoringBaseline } from './monitoring-baseline.js';
import { emit, type Row } from './report.js';
import { seedSyncLogs } from './seed-sync-logs.js';
import { comparePaired, type LatencySummary, spreadOf } from './stats.js';

/** Organizations whose history the read queries page through, and how many sync logs each holds. */
const PROBE_ORGANIZATIONS = 20;
const PROBE_HISTORY = 60;

const ms = (s: LatencySummary) => `p50 ${s.p50}ms p99 ${s.p99}ms`;

/** The raw baseline: the same SQL the store runs, as a prepared statement on the bare driver. */
function rawRunner(raw: RawConnection) {
  if (raw.dialect === 'sqlite') {
    const cache = new Map<string, Statement<unknown[]>>();
    return async (sql: string, params: unknown[]) => {
      let s = cache.get(sql);
      if (!s) {
        s = raw.connection.prepare<unknown[]>(sql);
        cache.set(sql, s);
      }
      return s.reader ? s.all(...params) : s.run(...params);
    };
  }
  return async (sql: string, params: unknown[]) => {
    let n = 0;
    return raw.sql.unsafe(
      sql.replace(/\?/g, () => `$${++n}`),
      params as never[],
      { prepare: true },
    );
  };
}

/** `organizations` organizations with accounting enabled, inserted in bulk on the bare driver. */
async function seedOrganizations(db: Database, organizations: number): Promise<string[]> {
  const orgValues = Array.from({ length: organizations }, (_, i) => ({
    id: randomUUID(),
    name: `Bench org ${i}`,
  }));
  if (db.raw.dialect === 'sqlite') {
    const c = db.raw.connection;
    const ins = c.prepare(
      "INSERT INTO organizations (id, name, created_at) VALUES (?, ?, '2025-01-01T00:00:00.000Z')",
    );
    const mod = c.prepare(
      `INSERT INTO module_configurations (organization_id, module, enabled, config, updated_at) VALUES (?, 'admin-accounting', 1, '{"accountingSystem":"xledger"}', '2025-01-01T00:00:00.000Z')`,
    );
    c.transaction(() => {
      for (const o of orgValues) {
        ins.run(o.id, o.name);
        mod.run(o.id);
      }
    })();
  } else {
    const sql = db.raw.sql;
    for (let i = 0; i < orgValues.length; i += 2_000) {
      const chunk = orgValues.slice(i, i + 2_000);
      await sql`INSERT INTO organizations ${sql(chunk.map((o) => ({ ...o, created_at: '2025-01-01T00:00:00.000Z' })))}`;
      await sql`INSERT INTO module_configurations ${sql(
        chunk.map((o) => ({
          organization_id: o.id,
          module: 'admin-accounting',
          enabled: true,
          config: { accountingSystem: 'xledger' },
          updated_at: '2025-01-01T00:00:00.000Z',
        })),
      )}`;
    }
  }
  return orgValues.map((o) => o.id);
}

type Runner = ReturnType<typeof rawRunner>;
type Case = [string, (i: number) => Promise<unknown>, (i: number) => Promise<unknown>];

/** The read queries operators run most: the store's call and the same SQL on the bare driver. */
function readCases(db: Database, dialect: Dialect, raw: Runner, probes: string[]): Case[] {
  const org = (i: number) => probes[i % probes.length] as string;
  const monitoring = monitoringBaseline(dialect, raw);
  const firstPage =
    'SELECT * FROM accounting_sync_logs WHERE organization_id = ? ORDER BY created_at DESC, id DESC LIMIT ?';
  return [
    [
      'first page of history',
      (i) => db.syncLogs.list({ organizationId: org(i), limit: 50 }),
      (i) => raw(firstPage, [org(i), 51]),
    ],
    [
      'status filter',
      (i) => db.syncLogs.list({ organizationId: org(i), status: 'failed', limit: 50 }),
      (i) =>
        raw(
          'SELECT * FROM accounting_sync_logs WHERE organization_id = ? AND status = ? ORDER BY created_at DESC, id DESC LIMIT ?',
          [org(i), 'failed', 51],
        ),
    ],
    [
      'period overlap',
      (i) =>
        db.syncLogs.list({
          organizationId: org(i),
          periodFrom: '2025-03-01T00:00:00.000Z',
          periodTo: '2025-03-31T00:00:00.000Z',
          limit: 50,
        }),
      (i) =>
        raw(
          'SELECT * FROM accounting_sync_logs WHERE organization_id = ? AND period_end >= ? AND period_start <= ? ORDER BY created_at DESC, id DESC LIMIT ?',
          [org(i), '2025-03-01T00:00:00.000Z', '2025-03-31T00:00:00.000Z', 51],
        ),
    ],
    [
      'monitoring aggregate',
      (i) => db.syncLogs.monitoringOverview({ organizationId: org(i), staleAfterSeconds: 120 }),
      (i) => monitoring(org(i)),
    ],
  ];
}

/**
 * The write cycle, store against bare SQL: a fresh organization each time, so
 * one_active_sync_per_organization never blocks. Its counter runs across sizes, so every
 * iteration uses a fresh organization and position.
 */
function writeCycle(db: Database, raw: Runner, fillers: string[]) {
  let k = 0;
  const store = async () => {
    const o = fillers[(2 * k++) % fillers.length] as string;
    const { syncLog } = await db.syncLogs.create({
      organizationId: o,
      accountingSystem: 'xledger',
      syncType: 'api',
      periodStart: '2026-01-01T00:00:00.000Z',
      periodEnd: '2026-01-31T23:59:59.999Z',
      recordsTotal: 10,
    });
    await db.syncLogs.start(syncLog.id);
    await db.syncLogs.complete({
      id: syncLog.id,
      recordsSynced: 10,
      recordsFailed: 0,
      externalReferenceId: '42',
    });
  };
  const bare = async () => {
    const o = fillers[(2 * k++ + 1) % fillers.length] as string;
    const id = randomUUID();
    const now = new Date().toISOString();
    await raw(
      `INSERT INTO accounting_sync_logs (id, organization_id, accounting_system, sync_type, status, period_start, period_end,
         records_total, records_synced, records_failed, started_at, created_at) VALUES (?, ?, 'xledger', 'api', 'pending', ?, ?, 10, 0, 0, ?, ?)`,
      [id, o, '2026-01-01T00:00:00.000Z', '2026-01-31T23:59:59.999Z', now, now],
    );
    await raw(
      // The claim takes the organization's next lease epoch, as the store's does (migration 0007).
      `UPDATE accounting_sync_logs SET status = 'in_progress', started_at = ?, lease_expires_at = ?,
         lease_epoch = (SELECT COALESCE(MAX(e.lease_epoch), 0) + 1 FROM accounting_sync_logs e WHERE e.organization_id = accounting_sync_logs.organization_id) WHERE id = ? AND status = 'pending'`,
      [now, new Date(Date.parse(now) + 120_000).toISOString(), id],
    );
    await raw(
      "UPDATE accounting_sync_logs SET status = 'success', records_synced = 10, completed_at = ?, chain_seq = ?, prev_hash = 'x', chain_hash = 'y' WHERE id = ?",
      [now, 1_000_000_000 + k, id],
    );
  };
  return { store, bare };
}

/** Each read case's p50 at every size, and its per-repetition block p50s (for the growth figures). */
type P50s = { p50s: Map<string, number[]>; blockP50s: Map<string, number[][]> };

/** One size's rows: each read case, then the write cycle (informational). */
async function measureSize(
  rows: Row[],
  size: number,
  iterations: number,
  cases: Case[],
  cycle: ReturnType<typeof writeCycle>,
  { p50s, blockP50s }: P50s,
): Promise<void> {
  for (const [name, subject, baseline] of cases) {
    const r = await comparePaired(iterations, subject, baseline);
    p50s.set(name, [...(p50s.get(name) ?? []), r.subject.p50]);
    blockP50s.set(name, [...(blockP50s.get(name) ?? []), r.subjectBlockP50s]);
    emit(rows, {
      suite: 'store',
      case: name,
      size,
      subject: ms(r.subject),
      baseline: ms(r.baseline),
      ratio: r.ratio,
      spread: r.spread,
      target: '≤ 1.5×',
      pass: r.ratio <= 1.5,
      extra: { store: r.subject, raw: r.baseline },
    });
  }
  const lifecycle = await comparePaired(Math.max(20, Math.floor(iterations / 4)), cycle.store, cycle.bare);
  emit(rows, {
    suite: 'store',
    case: 'create→start→complete',
    size,
    subject: ms(lifecycle.subject),
    baseline: ms(lifecycle.baseline),
    ratio: lifecycle.ratio,
    spread: lifecycle.spread,
    target: 'informational',
    pass: null,
    extra: {
      store: lifecycle.subject,
      raw: lifecycle.baseline,
      note: 'the store also validates, checks module/active sync and seals the hash chain',
    },
  });
}

/** The growth of each read case's p50 from the smallest size to the largest. */
function emitGrowth(rows: Row[], sizes: number[], { p50s, blockP50s }: P50s): void {
  for (const [name, values] of p50s) {
    // Block k at the largest size over block k at the smallest: one growth per repetition.
    const blocks = blockP50s.get(name) ?? [];
    const first = blocks[0] ?? [];
    const last = blocks[blocks.length - 1] ?? [];
    const spread = spreadOf(
      first.map((p50, k) => (last[k] ?? Number.NaN) / Math.max(p50, 1e-6)).filter(Number.isFinite),
    );
    emit(rows, {
      suite: 'store',
      case: `${name}: p50 growth ${sizes[0]}→${sizes[sizes.length - 1]}`,
      subject: `${values.join(' → ')} ms`,
      baseline: '',
      ratio: spread.median,
      spread,
      target: '≤ 1.5×',
      pass: spread.median <= 1.5,
    });
  }
}

/**
 * Store benchmark: at each table size, the product's store call versus the same SQL on the bare
 * driver, for the queries operators run most; then the growth of p50 from the smallest size to
 * the largest (the cost must not grow with the table).
 */
export async function runStoreBench(
  dialect: Dialect,
  sizes: number[],
  iterations: number,
  organizations: number,
): Promise<Row[]> {
  const rows: Row[] = [];
  // The history queries are the API's reads: open the connection as the API does (its SQLite page
  // cache, SQLITE_CACHE_MIB's default), not as the worker does.
  const t = await createTestDatabase(dialect, { poolSize: 4, sqliteCacheMiB: DEFAULT_SQLITE_CACHE_MIB });
  try {
    const db: Database = t.db;
    const orgIds = await seedOrganizations(db, organizations);
    // The queried organizations hold a fixed history (PROBE_HISTORY rows each, seeded once) while
    // the table grows around them: otherwise a bigger table would also mean longer result pages,
    // and the growth figure would measure page length instead of what the table's size costs.
    const probes = orgIds.slice(0, PROBE_ORGANIZATIONS);
    const fillers = orgIds.slice(PROBE_ORGANIZATIONS);
    const probeSeed = await seedSyncLogs(db.raw, probes, probes.length * PROBE_HISTORY, 0);
    const raw = rawRunner(db.raw);
    const p50s: P50s = { p50s: new Map(), blockP50s: new Map() };
    const cycle = writeCycle(db, raw, fillers);
    let seeded = probeSeed.rows;
    let fillerSeeded = 0;
    for (const size of sizes) {
      const seed = await seedSyncLogs(db.raw, fillers, size - seeded, fillerSeeded);
      fillerSeeded += size - seeded;
      seeded = size;
      emit(rows, {
        suite: 'store',
        case: 'bulk seed',
        size,
        subject: `${seed.rowsPerSecond.toLocaleString('en-US')} rows/s`,
        baseline: '',
        ratio: null,
        target: '',
        pass: null,
        extra: seed,
      });
      await measureSize(rows, size, iterations, readCases(db, dialect, raw, probes), cycle, p50s);
    }
    if (sizes.length > 1) emitGrowth(rows, sizes, p50s);
  } finally {
    await t.drop();
  }
  return rows;
}
