import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { signToken, startApiServer } from '@meander/api';
import type { Database, Dialect } from '@meander/db';
import { createTestDatabase } from '@meander/db/testing';
import { Hono } from 'hono';
import { emit, type Row } from './report.js';
import { round, summarize } from './stats.js';

const SECRET = 'bench-secret-0123456789abcdef';

/**
 * Bare Hono routes, with no tRPC, auth or input validation. `/bare/list` runs the list's SQL on the
 * driver. The lifecycle comes twice: `/bare/store/*` runs the same SQL as the tRPC cycle by calling
 * the store (domain checks and the chain seal included), so the ratio measures the API layer alone;
 * `/bare/create|start|complete` is the minimal SQL with no rules and no real seal (informational).
 */
function bareApp(db: Database): Hono {
  const app = new Hono();
  const raw = db.raw;
  app.get('/bare/list', async (c) => {
    const org = c.req.query('org') as string;
    const rows =
      raw.dialect === 'sqlite'
        ? raw.connection
            .prepare(
              'SELECT * FROM accounting_sync_logs WHERE organization_id = ? ORDER BY started_at DESC, id DESC LIMIT 51',
            )
            .all(org)
        : await raw.sql`SELECT * FROM accounting_sync_logs WHERE organization_id = ${org} ORDER BY started_at DESC, id DESC LIMIT 51`;
    return c.json({ items: rows });
  });
  app.post('/bare/store/create/:org', async (c) => {
    const { syncLog } = await db.syncLogs.create({
      organizationId: c.req.param('org'),
      accountingSystem: 'xledger',
      syncType: 'api',
      recordsTotal: 10,
      periodStart: '2026-01-01T00:00:00.000Z',
      periodEnd: '2026-01-31T23:59:59.999Z',
    });
    return c.json(syncLog);
  });
  app.post('/bare/store/start/:id', async (c) => c.json(await db.syncLogs.start(c.req.param('id'))));
  app.post('/bare/store/complete/:id', async (c) => {
    const { syncLog } = await db.syncLogs.complete({
      id: c.req.param('id'),
      recordsSynced: 10,
      recordsFailed: 0,
      externalReferenceId: '42',
    });
    return c.json(syncLog);
  });
  // The minimal SQL of the three steps: no organization/module/active checks, a placeholder seal.
  app.post('/bare/create/:org', async (c) => {
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
    const id = c.req.param('id');
    if (raw.dialect === 'sqlite')
      raw.connection
        .prepare("UPDATE accounting_sync_logs SET status = 'in_progress' WHERE id = ? AND status = 'pending'")
        .run(id);
    else
      await raw.sql`UPDATE accounting_sync_logs SET status = 'in_progress' WHERE id = ${id} AND status = 'pending'`;
    return c.json({ id });
  });
  app.post('/bare/complete/:org/:id', async (c) => {
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

/** Drive `request` from `clients` concurrent loops for `seconds`; requests/s and latency. */
async function load(
  clients: number,
  seconds: number,
  request: (client: number, i: number) => Promise<Response>,
) {
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; performance.now() < until; i += 1) {
        const t = performance.now();
        const res = await request(client, i);
        await res.arrayBuffer();
        latencies.push(performance.now() - t);
        if (res.status >= 400) errors += 1;
      }
    }),
  );
  return { rps: round(latencies.length / seconds, 1), errors, ...summarize(latencies) };
}

/**
 * API benchmark: the tRPC path (auth, validation, domain rules, store) versus a bare Hono route
 * running the same SQL, both served by this one Node process (one core), under the same client loop.
 */
export async function runApiBench(dialect: Dialect, seconds: number): Promise<Row[]> {
  const t = await createTestDatabase(dialect, { poolSize: 10 });
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
    const api = await startApiServer({ db, port: 0, jwtSecret: SECRET });
    const bare = await new Promise<{ url: string; close: () => void }>((resolve) => {
      const server = serve(
        { fetch: bareApp(db).fetch, port: 0, hostname: '127.0.0.1' },
        (info: AddressInfo) => resolve({ url: `http://127.0.0.1:${info.port}`, close: () => server.close() }),
      );
    });
    const admin = await signToken({ sub: randomUUID(), role: 'global_admin' }, SECRET);
    const service = await signToken({ sub: randomUUID(), role: 'service' }, SECRET);
    const org = (i: number) => orgs[i % orgs.length] as string;
    const clients = 16;

    const trpcList = await load(clients, seconds, (c, i) =>
      fetch(
        `${api.url}/trpc/syncLogs.list?input=${encodeURIComponent(JSON.stringify({ organizationId: org(c * 7 + i) }))}`,
        {
          headers: { authorization: `Bearer ${admin}` },
        },
      ),
    );
    const bareList = await load(clients, seconds, (c, i) =>
      fetch(`${bare.url}/bare/list?org=${org(c * 7 + i)}`),
    );
    emit(rows, row('GET syncLogs.list', trpcList, bareList));

    // Each client cycles its own organization: one active sync per organization.
    const post = (path: string, body: unknown) =>
      fetch(`${api.url}/trpc/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${service}` },
        body: JSON.stringify(body),
      });
    const trpcCycle = await load(clients, seconds, async (c) => {
      const created = await post('syncLogs.create', {
        organizationId: org(c),
        accountingSystem: 'xledger',
        syncType: 'api',
        recordsTotal: 10,
        periodStart: '2026-01-01T00:00:00.000Z',
        periodEnd: '2026-01-31T23:59:59.999Z',
      });
      const { result } = (await created.json()) as { result: { data: { id: string } } };
      await (await post('syncLogs.start', { id: result.data.id })).arrayBuffer();
      return post('syncLogs.complete', {
        id: result.data.id,
        recordsSynced: 10,
        recordsFailed: 0,
        externalReferenceId: '42',
      });
    });
    const storeCycle = await load(clients, seconds, async (c) => {
      const o = org(c + 16);
      const { id } = (await (
        await fetch(`${bare.url}/bare/store/create/${o}`, { method: 'POST' })
      ).json()) as {
        id: string;
      };
      await (await fetch(`${bare.url}/bare/store/start/${id}`, { method: 'POST' })).arrayBuffer();
      return fetch(`${bare.url}/bare/store/complete/${id}`, { method: 'POST' });
    });
    emit(rows, row('create→start→complete (3 calls)', trpcCycle, storeCycle));
    const minimalCycle = await load(clients, seconds, async (c) => {
      const o = org(c + 32);
      const { id } = (await (await fetch(`${bare.url}/bare/create/${o}`, { method: 'POST' })).json()) as {
        id: string;
      };
      await (await fetch(`${bare.url}/bare/start/${id}`, { method: 'POST' })).arrayBuffer();
      return fetch(`${bare.url}/bare/complete/${o}/${id}`, { method: 'POST' });
    });
    emit(rows, {
      ...row('create→start→complete vs minimal SQL (no rules, no seal)', trpcCycle, minimalCycle),
      target: 'informational',
      pass: null,
    });
    await api.close();
    bare.close();
  } finally {
    await t.drop();
  }
  return rows;
}

function row(
  name: string,
  trpc: Awaited<ReturnType<typeof load>>,
  bare: Awaited<ReturnType<typeof load>>,
): Row {
  const ratio = round(trpc.rps / Math.max(bare.rps, 1e-6), 2);
  return {
    suite: 'api',
    case: name,
    subject: `${trpc.rps} req/s p50 ${trpc.p50}ms p99 ${trpc.p99}ms${trpc.errors ? ` ${trpc.errors} errors` : ''}`,
    baseline: `${bare.rps} req/s p50 ${bare.p50}ms p99 ${bare.p99}ms`,
    ratio,
    target: '≥ 0.6× throughput',
    pass: ratio >= 0.6 && trpc.errors === 0,
    extra: { trpc, bare },
  };
}
