import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { DEFAULT_SQLITE_CACHE_MIB, signToken, startApiServer } from '@meander/api';
import type { Database, Dialect } from '@meander/db';
import { createTestDatabase } from '@meander/db/testing';
import type { CompleteSyncLogCommand, CreateSyncLogInput } from '@meander/domain';
import { Hono } from 'hono';
import type { LoadOrder, LoadResult, LoadScenario } from './load-client.js';
import { emit, type Row } from './report.js';
import { medianOf, REPETITIONS, round, spreadOf } from './stats.js';

/** The load generator in its own process; one order at a time. */
async function forkLoadClient(): Promise<{ run(order: LoadOrder): Promise<LoadResult>; stop(): void }> {
  const child = fork(fileURLToPath(new URL('./load-client.ts', import.meta.url)), [], {
    execArgv: ['--conditions=@meander/source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`load client exited with ${code}`)));
  });
  return {
    run: (order) =>
      new Promise((resolve, reject) => {
        child.once('message', (reply: { result?: LoadResult; error?: string }) =>
          reply.result ? resolve(reply.result) : reject(new Error(reply.error ?? 'load client failed')),
        );
        child.send(order);
      }),
    stop: () => {
      child.send('exit');
    },
  };
}

const SECRET = 'bench-secret-0123456789abcdef';

/**
 * Bare Hono routes, with no tRPC, auth or input validation (the write routes read and parse their JSON bodies). `/bare/list` runs the list's SQL on the
 * driver. The lifecycle comes twice: `/bare/store/*` runs the same SQL as the tRPC cycle by calling
 * the store (domain checks and the chain seal included), so the ratio measures the API layer alone;
 * `/bare/create|start|complete` is the minimal SQL with no rules and no real seal (informational).
 */
function bareApp(db: Database): Hono {
  const app = new Hono();
  const raw = db.raw;
  app.get('/bare/ping', (c) => c.text('ok'));
  app.get('/bare/list', async (c) => {
    const org = c.req.query('org') as string;
    const rows =
      raw.dialect === 'sqlite'
        ? raw.connection
            .prepare(
              'SELECT * FROM accounting_sync_logs WHERE organization_id = ? ORDER BY created_at DESC, id DESC LIMIT 51',
            )
            .all(org)
        : await raw.sql`SELECT * FROM accounting_sync_logs WHERE organization_id = ${org} ORDER BY created_at DESC, id DESC LIMIT 51`;
    return c.json({ items: rows });
  });
  // Every write route reads and parses its JSON body, as any route that records a sync must; it
  // validates nothing itself (on the store routes the store does, as it does under tRPC).
  app.post('/bare/store/create', async (c) => {
    const input = (await c.req.json()) as CreateSyncLogInput;
    const { syncLog } = await db.syncLogs.create(input);
    return c.json(syncLog);
  });
  app.post('/bare/store/start', async (c) => {
    const { id } = (await c.req.json()) as { id: string };
    return c.json(await db.syncLogs.start(id));
  });
  app.post('/bare/store/complete', async (c) => {
    const { syncLog } = await db.syncLogs.complete((await c.req.json()) as CompleteSyncLogCommand);
    return c.json(syncLog);
  });
  // The minimal SQL of the three steps: no organization/module/active checks, a placeholder seal.
  // (Its SQL and URLs are as before the routes read bodies; the body is read and parsed alongside.)
  app.post('/bare/create/:org', async (c) => {
    await c.req.json();
    const org = c.req.param('org');
    const id = randomUUID();
    const now = new Date().toISOString();
    if (raw.dialect === 'sqlite') {
      raw.connection
        .prepare(
          `INSERT INTO accounting_sync_logs (id, organization_id, accounting_system, sync_type, status, period_start, period_end, records_total,
           records_synced, records_failed, started_at, created_at) VALUES (?, ?, 'xledger', 'api', 'pending', '2026-01-01T00:00:00.000Z', '2026-01-31T23:59:59.999Z', 10, 0, 0, ?, ?)`,
        )
        .run(id, org, now, now);
    } else {
      await raw.sql`INSERT INTO accounting_sync_logs (id, organization_id, accounting_system, sync_type, status, period_start, period_end, records_total,
         records_synced, records_failed, started_at, created_at) VALUES (${id}, ${org}, 'xledger', 'api', 'pending', '2026-01-01T00:00:00.000Z', '2026-01-31T23:59:59.999Z', 10, 0, 0, ${now}, ${now})`;
    }
    return c.json({ id });
  });
  app.post('/bare/start/:id', async (c) => {
    await c.req.json();
    const id = c.req.param('id');
    // The claim takes the organization's next lease epoch, as the store's does (migration 0007).
    const until = new Date(Date.now() + 120_000).toISOString();
    if (raw.dialect === 'sqlite')
      raw.connection
        .prepare(
          `UPDATE accounting_sync_logs SET status = 'in_progress', lease_expires_at = ?, lease_epoch = (SELECT COALESCE(MAX(e.lease_epoch), 0) + 1 FROM accounting_sync_logs e WHERE e.organization_id = accounting_sync_logs.organization_id)
            WHERE id = ? AND status = 'pending'`,
        )
        .run(until, id);
    else
      await raw.sql`UPDATE accounting_sync_logs SET status = 'in_progress', lease_expires_at = ${until},
        lease_epoch = (SELECT COALESCE(MAX(e.lease_epoch), 0) + 1 FROM accounting_sync_logs e WHERE e.organization_id = accounting_sync_logs.organization_id) WHERE id = ${id} AND status = 'pending'`;
    return c.json({ id });
  });
  app.post('/bare/complete/:org/:id', async (c) => {
    await c.req.json();
    const { org, id } = c.req.param();
    const now = new Date().toISOString();
    if (raw.dialect === 'sqlite') {
      const cx = raw.connection;
      const seq = (
        cx
          .prepare(
            'SELECT COALESCE(MAX(chain_seq), 0) + 1 AS s FROM accounting_sync_logs WHERE organization_id = ?',
          )
          .get(org) as { s: number }
      ).s;
      cx.prepare(
        "UPDATE accounting_sync_logs SET status = 'success', records_synced = 10, completed_at = ?, chain_seq = ?, prev_hash = 'x', chain_hash = 'y' WHERE id = ?",
      ).run(now, seq, id);
    } else {
      await raw.sql.begin(async (tx) => {
        const [row] = await tx<
          { s: number }[]
        >`SELECT COALESCE(MAX(chain_seq), 0) + 1 AS s FROM accounting_sync_logs WHERE organization_id = ${org}`;
        await tx`UPDATE accounting_sync_logs SET status = 'success', records_synced = 10, completed_at = ${now}, chain_seq = ${row?.s ?? 1}, prev_hash = 'x', chain_hash = 'y' WHERE id = ${id}`;
      });
    }
    return c.json({ id });
  });
  return app;
}

/**
 * API benchmark: the tRPC path (auth, validation, domain rules, store) versus a bare Hono route
 * running the same SQL, both served by this one Node process (one core), driven by the same client
 * loop in a second process.
 */
export async function runApiBench(
  dialect: Dialect,
  seconds: number,
  repetitions = REPETITIONS,
): Promise<Row[]> {
  // Opened as the API opens it (its SQLite page cache).
  const t = await createTestDatabase(dialect, { poolSize: 10, sqliteCacheMiB: DEFAULT_SQLITE_CACHE_MIB });
  const rows: Row[] = [];
  try {
    const db = t.db;
    const orgs: string[] = [];
    for (let i = 0; i < 64; i += 1) {
      const org = await db.organizations.create({ name: `API bench ${i}` });
      await db.organizations.configureAccounting({
        organizationId: org.id,
        enabled: true,
        config: { accountingSystem: 'xledger' },
      });
      orgs.push(org.id);
      for (let k = 0; k < 30; k += 1) {
        const { syncLog } = await db.syncLogs.create({
          organizationId: org.id,
          accountingSystem: 'xledger',
          syncType: 'api',
          recordsTotal: 1,
          periodStart: '2026-01-01T00:00:00.000Z',
          periodEnd: '2026-01-31T23:59:59.999Z',
        });
        await db.syncLogs.start(syncLog.id);
        await db.syncLogs.complete({ id: syncLog.id, recordsSynced: 1, recordsFailed: 0 });
      }
    }
    // One service token runs thousands of write cycles a second: a limit that never trips, so the
    // limiter's cost is measured but its refusals are not.
    const api = await startApiServer({
      db,
      port: 0,
      jwtSecret: SECRET,
      writeRateLimit: { points: 1_000_000_000, windowSeconds: 60 },
    });
    const bare = await new Promise<{ url: string; close: () => void }>((resolve) => {
      const server = serve(
        { fetch: bareApp(db).fetch, port: 0, hostname: '127.0.0.1' },
        (info: AddressInfo) => resolve({ url: `http://127.0.0.1:${info.port}`, close: () => server.close() }),
      );
    });
    const admin = await signToken({ sub: randomUUID(), role: 'global_admin' }, SECRET);
    const service = await signToken({ sub: randomUUID(), role: 'service' }, SECRET);

    const client = await forkLoadClient();
    // The server runs in this process and the load client in its own: this process's CPU time
    // over a drive is the server's cost of those requests, which the neighbours on a shared
    // machine do not change the way they change wall-clock throughput.
    const drive = async (scenario: LoadScenario, warmup = false) => {
      const cpu = process.cpuUsage();
      const result = await driveOnce(scenario, warmup);
      const used = process.cpuUsage(cpu);
      return { ...result, cpuUsPerIteration: round((used.user + used.system) / Math.max(result.n, 1), 1) };
    };
    const driveOnce = (scenario: LoadScenario, warmup: boolean) =>
      client.run({
        scenario,
        seconds,
        clients: 16,
        apiUrl: api.url,
        bareUrl: bare.url,
        adminToken: admin,
        serviceToken: service,
        organizations: orgs,
        warmup,
      });
    /**
     * Each ratio is the median of `repetitions` pairs (fewer in a quick run), the pair's order
     * alternating (A B, B A, …) so drift in the machine's load hits both sides alike; every path
     * is warmed once first.
     */
    const repeated = async (subject: LoadScenario, baseline: LoadScenario, reps = repetitions) => {
      const runs: { trpc: Driven; bare: Driven }[] = [];
      for (let r = 0; r < reps; r += 1) {
        if (r % 2 === 0) {
          const trpc = await drive(subject);
          runs.push({ trpc, bare: await drive(baseline) });
        } else {
          const bare = await drive(baseline);
          runs.push({ trpc: await drive(subject), bare });
        }
      }
      return runs;
    };
    try {
      // What the client process alone can drive against an empty route: a baseline near this
      // ceiling would be measuring the client, not the server.
      const ceiling = await drive('ceiling', true);
      for (const scenario of [
        'trpc-list',
        'bare-list',
        'trpc-cycle',
        'store-cycle',
        'minimal-cycle',
      ] as const)
        await drive(scenario, true);
      emit(rows, row('GET syncLogs.list', await repeated('trpc-list', 'bare-list'), ceiling));
      const cycles = await repeated('trpc-cycle', 'store-cycle');
      emit(rows, row('create→start→complete (3 calls)', cycles, ceiling));
      // Informational, so 3 pairs, not 5: it saves 8 s of drives a dialect from the full run's
      // budget; one pair in a quick run.
      const minimal = await repeated('trpc-cycle', 'minimal-cycle', repetitions < REPETITIONS ? 1 : 3);
      emit(rows, {
        ...row('create→start→complete vs minimal SQL (no rules, no seal)', minimal, ceiling),
        target: 'informational',
        pass: null,
      });
    } finally {
      client.stop();
    }
    await api.close();
    bare.close();
  } finally {
    await t.drop();
  }
  return rows;
}

type Driven = LoadResult & { cpuUsPerIteration: number };

function row(name: string, runs: { trpc: Driven; bare: Driven }[], ceiling: LoadResult): Row {
  const spread = spreadOf(runs.map((r) => r.trpc.rps / Math.max(r.bare.rps, 1e-6)));
  // The same comparison in server CPU per iteration: bare cost / tRPC cost is the throughput
  // ratio a CPU-bound server would reach, read without the machine's other load.
  const cpu = spreadOf(runs.map((r) => r.bare.cpuUsPerIteration / Math.max(r.trpc.cpuUsPerIteration, 1e-6)));
  const rps = (side: 'trpc' | 'bare') => Math.round(medianOf(runs.map((r) => r[side].rps)));
  const p50 = (side: 'trpc' | 'bare') => round(medianOf(runs.map((r) => r[side].p50)));
  const cpuUs = (side: 'trpc' | 'bare') => Math.round(medianOf(runs.map((r) => r[side].cpuUsPerIteration)));
  const errors = runs.reduce((n, r) => n + r.trpc.errors, 0);
  return {
    suite: 'api',
    case: name,
    subject: `${rps('trpc')} req/s p50 ${p50('trpc')}ms, server CPU ${cpuUs('trpc')} µs/iteration${errors ? ` ${errors} errors` : ''}`,
    baseline: `${rps('bare')} req/s p50 ${p50('bare')}ms, server CPU ${cpuUs('bare')} µs/iteration`,
    ratio: spread.median,
    spread,
    target: `≥ 0.6× throughput (by server CPU: ${cpu.median}× [${cpu.min}–${cpu.max}])`,
    pass: spread.median >= 0.6 && errors === 0,
    extra: { runs, clientCeilingRps: ceiling.rps, cpuRatio: cpu },
  };
}
