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
import { createApp, DEFAULT_SQLITE_CACHE_MIB, type InnerContext, principalFromHeader } from '@meander/api';
import type { Database, Dialect } from '@meander/db';
import { createTestDatabase } from '@meander/db/testing';
import { listSyncLogsQuerySchema } from '@meander/domain';
import { Hono } from 'hono';
import { addBareListRoute, addBareStoreRoutes, callerFor, organizationWithHistory } from './api-fixtures.js';
import { emit, type Row } from './report.js';
import { medianOf, round } from './stats.js';
import { COMPLETION, NEW_SYNC } from './sync-input.js';

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

/**
 * CPU µs per call of every stage: each warmed once, then `reps` rounds over all of them, the order
 * alternating each round so drift in the machine's load hits every stage alike.
 */
async function sampleStages(
  stages: Record<string, () => unknown>,
  n: number,
  reps: number,
): Promise<{ samples: Map<string, number[]>; med: (stage: string) => number }> {
  const names = Object.keys(stages);
  const samples = new Map<string, number[]>(names.map((k) => [k, []]));
  for (const name of names) await perCall(stages[name] as () => unknown, n); // warm every path
  for (let r = 0; r < reps; r += 1) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const name of order) samples.get(name)?.push(await perCall(stages[name] as () => unknown, n));
  }
  return { samples, med: (k) => medianOf(samples.get(k) ?? []) };
}

/** The row's extra fields: each figure and each stage's samples, rounded. */
function stageExtra(figures: Record<string, number>, samples: Map<string, number[]>) {
  return {
    figures: Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, round(v, 2)])),
    samples: Object.fromEntries([...samples].map(([k, v]) => [k, v.map((x) => round(x, 2))])),
  };
}

/** A stages row: informational, its ratio the bare path's time over the tRPC request's. */
function stagesRow(
  name: string,
  subject: string,
  baseline: string,
  figures: { bare: number; request: number },
  extra: Record<string, unknown>,
): Row {
  return {
    suite: 'api-stages',
    case: name,
    subject,
    baseline,
    ratio: round(figures.bare / figures.request, 2),
    target: 'informational (throughput ratio: bare / tRPC time)',
    pass: null,
    extra,
  };
}

const us = (v: number) => `${round(v, 1)} µs`;

/** What both paths' stages run on: one organization with history, the app and its inner context. */
interface Setup {
  db: Database;
  organizationId: string;
  inner: InnerContext;
  app: Hono;
  quick: boolean;
}

/** The read path's stages: one `syncLogs.list` of an organization's first page, CPU µs per call. */
async function listStages({ db, organizationId, inner, app, quick }: Setup): Promise<Row[]> {
  const rows: Row[] = [];
  const { header, caller } = await callerFor(inner, 'global_admin', SECRET);
  const input = { organizationId };
  const url = `/trpc/syncLogs.list?input=${encodeURIComponent(JSON.stringify(input))}`;
  const bare = addBareListRoute(new Hono(), db, 'started_at');
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
      const res = await bare.request(`/bare/list?org=${organizationId}`);
      await res.text();
    },
  };
  const n = quick ? 100 : 500;
  const { samples, med } = await sampleStages(stages, n, quick ? 3 : 7);
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
  const extra = stageExtra(figures, samples);
  emit(
    rows,
    stagesRow(
      'syncLogs.list in-process, per stage (CPU µs per call, medians)',
      `request ${us(figures.request)} = db ${us(figures.db)} + middlewares/validation ${us(
        figures.middlewaresAndValidation,
      )} (validation alone ${us(figures.validation)}) + auth ${us(figures.auth)} + adapter/context/serialisation ${us(
        figures.adapterContextSerialisation,
      )} (JSON alone ${us(figures.serialisation)})`,
      `bare route ${us(figures.bare)}`,
      figures,
      { microsecondsPerCall: extra.figures, samples: extra.samples, callsPerSample: n },
    ),
  );
  return rows;
}

export async function runApiStagesBench(dialect: Dialect, quick: boolean): Promise<Row[]> {
  const t = await createTestDatabase(dialect, { poolSize: 4, sqliteCacheMiB: DEFAULT_SQLITE_CACHE_MIB });
  try {
    const organizationId = await organizationWithHistory(t.db, 'Stages', 60);
    // The write cycles run thousands of mutations: a limit that never trips (its cost still counts).
    const { app, inner } = createApp({
      db: t.db,
      jwtSecret: SECRET,
      writeRateLimit: { points: 1_000_000_000, windowSeconds: 60 },
    });
    const setup: Setup = { db: t.db, organizationId, inner, app, quick };
    return [...(await listStages(setup)), ...(await writeCycleStages(setup))];
  } finally {
    await t.drop();
  }
}

/** A JSON POST through `target.request`, as an HTTP client sends it; throws unless it answers 200. */
async function post(target: Hono, path: string, body: unknown, authorization: string | null) {
  const payload = JSON.stringify(body);
  // With its length declared, as every HTTP client sends a JSON body.
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(payload)),
  };
  if (authorization) headers.authorization = authorization;
  const res = await target.request(path, { method: 'POST', headers, body: payload });
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { id?: string; result?: { data: { id: string } } };
}

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
async function writeCycleStages({ db, organizationId, inner, app, quick }: Setup): Promise<Row[]> {
  const rows: Row[] = [];
  const { header, caller } = await callerFor(inner, 'service', SECRET);
  const bare = addBareStoreRoutes(new Hono(), db);
  const sync = { organizationId, ...NEW_SYNC };
  const stages: Record<string, () => Promise<unknown>> = {
    store: async () => {
      const { syncLog } = await db.syncLogs.create(sync);
      await db.syncLogs.start(syncLog.id);
      await db.syncLogs.complete({ id: syncLog.id, ...COMPLETION });
    },
    appStore: async () => {
      const { syncLog } = await inner.db.syncLogs.create(sync, { runner: 'external' });
      await inner.db.syncLogs.start(syncLog.id);
      await inner.db.syncLogs.complete({ id: syncLog.id, ...COMPLETION });
    },
    procedure: async () => {
      const { id } = await caller.syncLogs.create(sync);
      await caller.syncLogs.start({ id });
      await caller.syncLogs.complete({ id, ...COMPLETION });
    },
    request: async () => {
      const created = await post(app, '/trpc/syncLogs.create', sync, header);
      const id = created.result?.data.id ?? '';
      await post(app, '/trpc/syncLogs.start', { id }, header);
      await post(app, '/trpc/syncLogs.complete', { id, ...COMPLETION }, header);
    },
    bare: async () => {
      const created = await post(bare, '/bare/store/create', sync, null);
      const id = created.id ?? '';
      await post(bare, '/bare/store/start', { id }, null);
      await post(bare, '/bare/store/complete', { id, ...COMPLETION }, null);
    },
  };
  // Fewer cycles and repetitions than the list's: 5 stages × (reps + 1) × n cycles in one
  // organization come out of the full run's budget. A quick run (CI's smoke test, nothing
  // asserted) takes fewer still.
  const n = quick ? 40 : 100;
  const { samples, med } = await sampleStages(stages, n, quick ? 3 : 5);
  const figures = {
    store: med('store'),
    checkpointAndSealing: med('appStore') - med('store'),
    procedureChecks: med('procedure') - med('appStore'),
    http: med('request') - med('procedure'),
    request: med('request'),
    bare: med('bare'),
  };
  const extra = stageExtra(figures, samples);
  emit(
    rows,
    stagesRow(
      'create→start→complete in-process, per stage (CPU µs per cycle, medians)',
      `request ${us(figures.request)} = store ${us(figures.store)} + app database (checkpoint) ${us(
        figures.checkpointAndSealing,
      )} + procedures (middleware, validation, runner check) ${us(figures.procedureChecks)} + HTTP/tRPC/context/JSON ${us(
        figures.http,
      )}`,
      `bare routes ${us(figures.bare)}`,
      figures,
      { microsecondsPerCycle: extra.figures, samples: extra.samples, cyclesPerSample: n },
    ),
  );
  return rows;
}
