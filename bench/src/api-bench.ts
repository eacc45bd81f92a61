import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { DEFAULT_SQLITE_CACHE_MIB, signToken, startApiServer } from '@meander/api';
import type { Database, Dialect } from '@meander/db';
import { createTestDatabase } from '@meander/db/testing';
import { Hono } from 'hono';
import { addBareListRoute, addBareStoreRoutes, organizationWithHistory } from './api-fixtures.js';
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
/** Concurrent client loops of every drive. */
const CLIENTS = 16;

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
  addBareListRoute(app, db, 'created_at');
  addBareStoreRoutes(app, db);
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

/** Both servers under test, in this process: the API and the bare routes on the same database. */
async function startServers(db: Database) {
  // One service token runs thousands of write cycles a second: a limit that never trips, so the
  // limiter's cost is measured but its refusals are not.
  const api = await startApiServer({
    db,
    port: 0,
    jwtSecret: SECRET,
    writeRateLimit: { points: 1_000_000_000, windowSeconds: 60 },
  });
  const bare = await new Promise<{ url: string; close: () => void }>((resolve) => {
    const server = serve({ fetch: bareApp(db).fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, close: () => server.close() }),
    );
  });
  return { api, bare };
}

type Drive = (scenario: LoadScenario, warmup?: boolean) => Promise<Driven>;

/**
 * Drives of `seconds` by the load client, with this process's CPU time per iteration: the server
 * runs in this process and the load client in its own, so this process's CPU time over a drive is
 * the server's cost of those requests, which the neighbours on a shared machine do not change the
 * way they change wall-clock throughput.
 */
function driver(
  client: { run(order: LoadOrder): Promise<LoadResult> },
  target: Omit<LoadOrder, 'scenario' | 'warmup' | 'clients'>,
): Drive {
  return async (scenario, warmup = false) => {
    const cpu = process.cpuUsage();
    const result = await client.run({ ...target, scenario, clients: CLIENTS, warmup });
    const used = process.cpuUsage(cpu);
    return { ...result, cpuUsPerIteration: round((used.user + used.system) / Math.max(result.n, 1), 1) };
  };
}

/**
 * Each ratio is the median of `reps` pairs (fewer in a quick run), the pair's order alternating
 * (A B, B A, …) so drift in the machine's load hits both sides alike.
 */
async function repeated(drive: Drive, subject: LoadScenario, baseline: LoadScenario, reps: number) {
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
}

/** The three API figures; every path is warmed once first. */
async function measureApi(rows: Row[], drive: Drive, repetitions: number): Promise<void> {
  // What the client process alone can drive against an empty route: a baseline near this
  // ceiling would be measuring the client, not the server.
  const ceiling = await drive('ceiling', true);
  for (const scenario of ['trpc-list', 'bare-list', 'trpc-cycle', 'store-cycle', 'minimal-cycle'] as const)
    await drive(scenario, true);
  emit(rows, row('GET syncLogs.list', await repeated(drive, 'trpc-list', 'bare-list', repetitions), ceiling));
  const cycles = await repeated(drive, 'trpc-cycle', 'store-cycle', repetitions);
  emit(rows, row('create→start→complete (3 calls)', cycles, ceiling));
  // Informational, so fewer pairs than a ratio (its drives come out of the full run's budget);
  // one pair in a quick run.
  const minimal = await repeated(drive, 'trpc-cycle', 'minimal-cycle', repetitions < REPETITIONS ? 1 : 3);
  emit(rows, {
    ...row('create→start→complete vs minimal SQL (no rules, no seal)', minimal, ceiling),
    target: 'informational',
    pass: null,
  });
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
  /** Organizations with 30 syncs of history each, whose lists and write cycles the drives spread over. */
  organizations = 64,
): Promise<Row[]> {
  // Each client cycles an organization of its own in each of the three write scenarios: fewer,
  // and two clients' syncs of one organization refuse each other (one active sync per organization).
  if (organizations < 3 * CLIENTS)
    throw new RangeError(`the API bench needs at least ${3 * CLIENTS} organizations`);
  // Opened as the API opens it (its SQLite page cache).
  const t = await createTestDatabase(dialect, { poolSize: 10, sqliteCacheMiB: DEFAULT_SQLITE_CACHE_MIB });
  const rows: Row[] = [];
  try {
    const db = t.db;
    const orgs: string[] = [];
    for (let i = 0; i < organizations; i += 1)
      orgs.push(await organizationWithHistory(db, `API bench ${i}`, 30));
    const { api, bare } = await startServers(db);
    const admin = await signToken({ sub: randomUUID(), role: 'global_admin' }, SECRET);
    const service = await signToken({ sub: randomUUID(), role: 'service' }, SECRET);
    const client = await forkLoadClient();
    try {
      const drive = driver(client, {
        seconds,
        apiUrl: api.url,
        bareUrl: bare.url,
        adminToken: admin,
        serviceToken: service,
        organizations: orgs,
      });
      await measureApi(rows, drive, repetitions);
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
