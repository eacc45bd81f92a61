/**
 * Where a tRPC request's time goes, stage by stage, in this process (no sockets, no load client):
 * each stage is timed (in CPU time) as a median of alternating repetitions of a tight loop, so the
 * figures are CPU microseconds per call that add up to the in-process request.
 *
 *   db            the store's list call alone
 *   validation    parsing the list input with its schema
 *   auth          resolving the bearer header to a principal (a cached token, as on a busy API)
 *   procedure     router dispatch + middlewares + validation + store (createCaller), minus db
 *   adapter       Hono + the tRPC HTTP adapter + context + serialisation (app.request), minus procedure
 *   serialisation JSON.stringify of the answer
 *   bare          the bare Hono route on the same SQL through app.request
 *
 * `pnpm bench --only stages` prints it; the load benchmark (api) gives the end-to-end ratio.
 */
import { randomUUID } from 'node:crypto';
import {
  appRouter,
  createApp,
  createCallerContext,
  createCallerFactory,
  DEFAULT_SQLITE_CACHE_MIB,
  type InnerContext,
  principalFromHeader,
  signToken,
} from '@meander/api';
import type { Database, Dialect } from '@meander/db';
import { createTestDatabase } from '@meander/db/testing';
import {
  type CompleteSyncLogCommand,
  type CreateSyncLogInput,
  listSyncLogsQuerySchema,
} from '@meander/domain';
import { Hono } from 'hono';
import { emit, type Row } from './report.js';
import { medianOf, round } from './stats.js';

const SECRET = 'stages-secret-0123456789abcdef';

/**
 * This process's CPU microseconds per call of `fn` over `n` calls. CPU time, not wall time: on a
 * shared machine wall time mostly measures the neighbours, while the CPU a request costs this
 * process is what limits its throughput. (PostgreSQL's own work happens in its server process and
 * is not counted: the figures are the API's share.)
 */
async function perCall(fn: () => unknown, n: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i += 1) await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

export async function runApiStagesBench(dialect: Dialect, quick: boolean): Promise<Row[]> {
  const rows: Row[] = [];
  const t = await createTestDatabase(dialect, { poolSize: 4, sqliteCacheMiB: DEFAULT_SQLITE_CACHE_MIB });
  try {
    const db = t.db;
    const org = await db.organizations.create({ name: 'Stages' });
    await db.organizations.configureAccounting({
      organizationId: org.id,
      enabled: true,
      config: { accountingSystem: 'xledger' },
    });
    for (let k = 0; k < 60; k += 1) {
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
    const token = await signToken({ sub: randomUUID(), role: 'global_admin' }, SECRET);
    const header = `Bearer ${token}`;
    // The write cycles run thousands of mutations: a limit that never trips (its cost still counts).
    const { app, inner } = createApp({
      db,
      jwtSecret: SECRET,
      writeRateLimit: { points: 1_000_000_000, windowSeconds: 60 },
    });
    const principal = await principalFromHeader(header, SECRET);
    if (!('principal' in principal)) throw new Error('bench token did not verify');
    const caller = createCallerFactory(appRouter)(createCallerContext(inner, principal.principal));
    const input = { organizationId: org.id };
    const url = `/trpc/syncLogs.list?input=${encodeURIComponent(JSON.stringify(input))}`;
    const raw = db.raw;
    const bare = new Hono();
    bare.get('/bare/list', async (c) => {
      const o = c.req.query('org') as string;
      const items =
        raw.dialect === 'sqlite'
          ? raw.connection
              .prepare(
                'SELECT * FROM accounting_sync_logs WHERE organization_id = ? ORDER BY started_at DESC, id DESC LIMIT 51',
              )
              .all(o)
          : await raw.sql`SELECT * FROM accounting_sync_logs WHERE organization_id = ${o} ORDER BY started_at DESC, id DESC LIMIT 51`;
      return c.json({ items });
    });
    const answer = await db.syncLogs.list(input);

    const stages: Record<string, () => unknown> = {
      db: () => db.syncLogs.list(input),
      validation: () => listSyncLogsQuerySchema.parse(input),
      auth: () => principalFromHeader(header, SECRET),
      procedure: () => caller.syncLogs.list(input),
      request: async () => {
        const res = await app.request(url, { headers: { authorization: header } });
        if (res.status !== 200) throw new Error(`tRPC list answered ${res.status}`);
        await res.text();
      },
      serialisation: () => JSON.stringify({ result: { data: answer } }),
      bare: async () => {
        const res = await bare.request(`/bare/list?org=${org.id}`);
        await res.text();
      },
    };
    const n = quick ? 100 : 500;
    const reps = quick ? 3 : 7;
    const samples = new Map<string, number[]>(Object.keys(stages).map((k) => [k, []]));
    const names = Object.keys(stages);
    for (const name of names) await perCall(stages[name] as () => unknown, n); // warm every path
    for (let r = 0; r < reps; r += 1) {
      // Alternate the order each repetition so drift in the machine's load hits every stage alike.
      const order = r % 2 === 0 ? names : [...names].reverse();
      for (const name of order) samples.get(name)?.push(await perCall(stages[name] as () => unknown, n));
    }
    const med = (k: string) => medianOf(samples.get(k) ?? []);
    const figures = {
      db: med('db'),
      validation: med('validation'),
      auth: med('auth'),
      middlewaresAndValidation: med('procedure') - med('db'),
      adapterContextSerialisation: med('request') - med('procedure') - med('auth'),
      serialisation: med('serialisation'),
      request: med('request'),
      bare: med('bare'),
    };
    const us = (v: number) => `${round(v, 1)} µs`;
    emit(rows, {
      suite: 'api-stages',
      case: 'syncLogs.list in-process, per stage (CPU µs per call, medians)',
      subject: `request ${us(figures.request)} = db ${us(figures.db)} + middlewares/validation ${us(
        figures.middlewaresAndValidation,
      )} (validation alone ${us(figures.validation)}) + auth ${us(figures.auth)} + adapter/context/serialisation ${us(
        figures.adapterContextSerialisation,
      )} (JSON alone ${us(figures.serialisation)})`,
      baseline: `bare route ${us(figures.bare)}`,
      ratio: round(figures.bare / figures.request, 2),
      target: 'informational (throughput ratio: bare / tRPC time)',
      pass: null,
      extra: {
        microsecondsPerCall: Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, round(v, 2)])),
        samples: Object.fromEntries([...samples].map(([k, v]) => [k, v.map((x) => round(x, 2))])),
        callsPerSample: n,
      },
    });
    rows.push(...(await writeCycleStages(t.db, org.id, inner, app, quick)));
  } finally {
    await t.drop();
  }
  return rows;
}

const NEW_SYNC = {
  accountingSystem: 'xledger',
  syncType: 'api',
  recordsTotal: 10,
  periodStart: '2026-01-01T00:00:00.000Z',
  periodEnd: '2026-01-31T23:59:59.999Z',
} as const;

/**
 * The write path's stages: one create→start→complete cycle (one organization, so one active sync at
 * a time), CPU µs per cycle.
 *
 *   store         the three store calls on the bare store
 *   app store     the same through the app's database (credential sealing, chain-head checkpoint)
 *   procedure     the three calls through createCaller (middleware, validation, runner check)
 *   request       the three calls through app.request (POST bodies, tRPC HTTP, context, JSON)
 *   bare          bare Hono routes that read and parse the same bodies and call the bare store
 */
async function writeCycleStages(
  db: Database,
  organizationId: string,
  inner: InnerContext,
  app: Hono,
  quick: boolean,
): Promise<Row[]> {
  const rows: Row[] = [];
  const token = await signToken({ sub: randomUUID(), role: 'service' }, SECRET);
  const header = `Bearer ${token}`;
  const verdict = await principalFromHeader(header, SECRET);
  if (!('principal' in verdict)) throw new Error('bench token did not verify');
  const caller = createCallerFactory(appRouter)(createCallerContext(inner, verdict.principal));
  const complete = { recordsSynced: 10, recordsFailed: 0, externalReferenceId: '42' };
  const bare = new Hono();
  bare.post('/bare/store/create', async (c) => {
    const input = (await c.req.json()) as CreateSyncLogInput;
    return c.json((await db.syncLogs.create(input)).syncLog);
  });
  bare.post('/bare/store/start', async (c) => {
    const { id } = (await c.req.json()) as { id: string };
    return c.json(await db.syncLogs.start(id));
  });
  bare.post('/bare/store/complete', async (c) => {
    const input = (await c.req.json()) as CompleteSyncLogCommand;
    return c.json((await db.syncLogs.complete(input)).syncLog);
  });
  const post = async (target: Hono, path: string, body: unknown, auth: boolean) => {
    const payload = JSON.stringify(body);
    // With its length declared, as every HTTP client sends a JSON body.
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(payload)),
    };
    if (auth) headers.authorization = header;
    const res = await target.request(path, { method: 'POST', headers, body: payload });
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { id?: string; result?: { data: { id: string } } };
  };
  const stages: Record<string, () => Promise<unknown>> = {
    store: async () => {
      const { syncLog } = await db.syncLogs.create({ organizationId, ...NEW_SYNC });
      await db.syncLogs.start(syncLog.id);
      await db.syncLogs.complete({ id: syncLog.id, ...complete });
    },
    appStore: async () => {
      const { syncLog } = await inner.db.syncLogs.create(
        { organizationId, ...NEW_SYNC },
        { runner: 'external' },
      );
      await inner.db.syncLogs.start(syncLog.id);
      await inner.db.syncLogs.complete({ id: syncLog.id, ...complete });
    },
    procedure: async () => {
      const { id } = await caller.syncLogs.create({ organizationId, ...NEW_SYNC });
      await caller.syncLogs.start({ id });
      await caller.syncLogs.complete({ id, ...complete });
    },
    request: async () => {
      const created = await post(app, '/trpc/syncLogs.create', { organizationId, ...NEW_SYNC }, true);
      const id = created.result?.data.id ?? '';
      await post(app, '/trpc/syncLogs.start', { id }, true);
      await post(app, '/trpc/syncLogs.complete', { id, ...complete }, true);
    },
    bare: async () => {
      const created = await post(bare, '/bare/store/create', { organizationId, ...NEW_SYNC }, false);
      const id = created.id ?? '';
      await post(bare, '/bare/store/start', { id }, false);
      await post(bare, '/bare/store/complete', { id, ...complete }, false);
    },
  };
  // 5 stages × (reps + 1) × n cycles in one organization: 250 × 8 took 134 s on PostgreSQL (a full
  // run's budget is 10 minutes); 100 × 6 takes about a third of that. A quick run (CI's smoke
  // test, nothing asserted) takes 40 × 4.
  const n = quick ? 40 : 100;
  const reps = quick ? 3 : 5;
  const names = Object.keys(stages);
  const samples = new Map<string, number[]>(names.map((k) => [k, []]));
  for (const name of names) await perCall(stages[name] as () => unknown, n);
  for (let r = 0; r < reps; r += 1) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const name of order) samples.get(name)?.push(await perCall(stages[name] as () => unknown, n));
  }
  const med = (k: string) => medianOf(samples.get(k) ?? []);
  const figures = {
    store: med('store'),
    checkpointAndSealing: med('appStore') - med('store'),
    procedureChecks: med('procedure') - med('appStore'),
    http: med('request') - med('procedure'),
    request: med('request'),
    bare: med('bare'),
  };
  const us = (v: number) => `${round(v, 1)} µs`;
  emit(rows, {
    suite: 'api-stages',
    case: 'create→start→complete in-process, per stage (CPU µs per cycle, medians)',
    subject: `request ${us(figures.request)} = store ${us(figures.store)} + app database (checkpoint) ${us(
      figures.checkpointAndSealing,
    )} + procedures (middleware, validation, runner check) ${us(figures.procedureChecks)} + HTTP/tRPC/context/JSON ${us(
      figures.http,
    )}`,
    baseline: `bare routes ${us(figures.bare)}`,
    ratio: round(figures.bare / figures.request, 2),
    target: 'informational (throughput ratio: bare / tRPC time)',
    pass: null,
    extra: {
      microsecondsPerCycle: Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, round(v, 2)])),
      samples: Object.fromEntries([...samples].map(([k, v]) => [k, v.map((x) => round(x, 2))])),
      cyclesPerSample: n,
    },
  });
  return rows;
}
