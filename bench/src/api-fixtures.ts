/**
 * What the API benchmarks share: the organizations and history they read, the callers they authenticate as, and the bare routes that run the same SQL with no
 * API layer.
 */
import {
  appRouter,
  createCallerContext,
  createCallerFactory,
  type InnerContext,
  principalFromHeader,
  signToken,
} from '@meander/api';
import type { Database } from '@meander/db';
import type { CompleteSyncLogCommand, CreateSyncLogInput } from '@meander/domain';
import type { Hono } from 'hono';

/** An organization with accounting enabled (Xledger) and `history` completed syncs to page through. */
export async function organizationWithHistory(db: Database, name: string, history: number): Promise<string> {
  const org = await db.organizations.create({ name });
  await db.organizations.configureAccounting({
    organizationId: org.id,
    enabled: true,
    config: { accountingSystem: 'xledger' },
  });
  for (let k = 0; k < history; k += 1) {
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
  return org.id;
}

/**
 * `/bare/store/create|start|complete`: each route reads and parses its JSON body, as any route that
 * records a sync must, and calls the store; it validates nothing itself (the store does, as it
 * does under tRPC).
 */
export function addBareStoreRoutes(app: Hono, db: Database): Hono {
  app.post('/bare/store/create', async (c) => {
    const input = (await c.req.json()) as CreateSyncLogInput;
    return c.json((await db.syncLogs.create(input)).syncLog);
  });
  app.post('/bare/store/start', async (c) => {
    const { id } = (await c.req.json()) as { id: string };
    return c.json(await db.syncLogs.start(id));
  });
  app.post('/bare/store/complete', async (c) => {
    const input = (await c.req.json()) as CompleteSyncLogCommand;
    return c.json((await db.syncLogs.complete(input)).syncLog);
  });
  return app;
}

/**
 * `GET /bare/list?org=`: the first page of an organization's history on the bare driver, with no
 * tRPC, auth or validation, newest first by `orderBy`.
 */
export function addBareListRoute(app: Hono, db: Database, orderBy: 'created_at' | 'started_at'): Hono {
  const raw = db.raw;
  const query = `SELECT * FROM accounting_sync_logs WHERE organization_id = ? ORDER BY ${orderBy} DESC, id DESC LIMIT 51`;
  app.get('/bare/list', async (c) => {
    const org = c.req.query('org') as string;
    const items =
      raw.dialect === 'sqlite'
        ? raw.connection.prepare(query).all(org)
        : await raw.sql.unsafe(query.replace('?', '$1'), [org], { prepare: true });
    return c.json({ items });
  });
  return app;
}

/** A signed bearer header for `role` and a tRPC caller acting as its principal. */
export async function callerFor(inner: InnerContext, role: 'global_admin' | 'service', secret: string) {
  const token = await signToken({ sub: crypto.randomUUID(), role }, secret);
  const header = `Bearer ${token}`;
  const verdict = await principalFromHeader(header, secret);
  if (!('principal' in verdict)) throw new Error('bench token did not verify');
  return { header, caller: createCallerFactory(appRouter)(createCallerContext(inner, verdict.principal)) };
}
