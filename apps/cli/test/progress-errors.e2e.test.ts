import { signToken, startApiServer } from '@meander/api';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import { followProgress } from '../src/follow-progress.js';
import { cli } from './support/run-cli.js';

const SECRET = 'progress-errors-secret-0123456789';
const PERIOD = { periodStart: '2026-10-01T00:00:00.000Z', periodEnd: '2026-10-31T23:59:59.999Z' };
const auditor = { userId: '0b9e8f8e-7c1e-4b5a-9d3f-1a2b3c4d5e6f', via: 'audit-log-service' };

/**
 * The error followProgress ends with. A reconnect loop would never end: the deadline only has to
 * be finite, so it is set far above what a loaded machine needs, never as a speed claim.
 */
async function followError(apiUrl: string, token: string, id: string, during?: () => Promise<void>) {
  const following = followProgress(createClient({ apiUrl, token }), id, { showBar: false }).then(
    () => null,
    (error: unknown) => error,
  );
  await during?.();
  const error = await Promise.race([
    following,
    new Promise((r) => setTimeout(() => r('still following'), 30_000).unref()),
  ]);
  return { error };
}

/** How many `syncs.progress` streams the API has opened, by its own /metrics counter (every status). */
async function progressStreams(apiUrl: string): Promise<number> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('meander_http_requests_total{') && l.includes('route="/trpc/syncs.progress"'))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/**
 * Resolves once the API has opened a progress stream since `before` was counted: the follower is
 * watching, so what happens next happens mid-stream. The deadline only bounds a follower that
 * never connects (a CLI process boots for seconds on a loaded machine).
 */
async function followerConnected(apiUrl: string, before: number): Promise<void> {
  for (const until = Date.now() + 45_000; (await progressStreams(apiUrl)) <= before; ) {
    if (Date.now() > until) throw new Error('no progress stream was opened');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(DIALECTS)('syncs.progress errors reach the client once, on %s', (dialect) => {
  let t: TestDatabase;
  let api: Awaited<ReturnType<typeof startApiServer>>;
  let orgId: string;
  let otherAdmin: string;
  let ownAdmin: string;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    orgId = (await t.db.organizations.create({ name: 'Watched AS' })).id;
    const other = (await t.db.organizations.create({ name: 'Curious AS' })).id;
    await t.db.organizations.configureAccounting({
      organizationId: orgId,
      enabled: true,
      config: { accountingSystem: 'xledger' },
    });
    api = await startApiServer({ db: t.db, port: 0, jwtSecret: SECRET, progressPollMs: 20 });
    ownAdmin = await signToken({ sub: crypto.randomUUID(), role: 'org_admin', org: orgId }, SECRET);
    otherAdmin = await signToken({ sub: crypto.randomUUID(), role: 'org_admin', org: other }, SECRET);
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  const pending = async () => {
    const { syncLog } = await t.db.syncLogs.create({
      organizationId: orgId,
      accountingSystem: 'xledger',
      syncType: 'api',
      recordsTotal: 1,
      ...PERIOD,
    });
    return syncLog.id;
  };

  it("another organization's sync and an unknown id are NOT_FOUND, delivered once", async () => {
    const id = await pending();
    for (const target of [id, crypto.randomUUID()]) {
      const { error } = await followError(api.url, otherAdmin, target);
      expect(error).toBeInstanceOf(TRPCClientError);
      expect((error as TRPCClientError<never>).data).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404 });
    }
    await t.db.syncLogs.delete({ id, reason: 'test cleanup', legalBasis: 'compliance' }, auditor);
  });

  it('a sync deleted while it is followed ends the stream with NOT_FOUND', async () => {
    const id = await pending();
    const before = await progressStreams(api.url);
    const { error } = await followError(api.url, ownAdmin, id, async () => {
      await followerConnected(api.url, before);
      await t.db.syncLogs.delete({ id, reason: 'deleted mid-export', legalBasis: 'compliance' }, auditor);
    });
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<never>).data).toMatchObject({
      code: 'NOT_FOUND',
      domainCode: 'NOT_FOUND',
    });
  });

  it('meander-sync export of a sync deleted mid-export exits 1 with a message', async () => {
    const before = await progressStreams(api.url);
    const running = cli(['export', '--org', orgId, '--from', '2026-10-01', '--to', '2026-10-31'], {
      MEANDER_API_URL: api.url,
      MEANDER_TOKEN: ownAdmin,
    });
    // The CLI process boots (node + its imports) before it creates the sync: seconds on a loaded
    // machine, so wait for the row by a deadline far above that, not by a count of 50 ms polls.
    let active = null;
    for (const until = Date.now() + 45_000; !active && Date.now() < until; ) {
      active = await t.db.syncLogs.getActive(orgId);
      if (!active) await new Promise((r) => setTimeout(r, 50));
    }
    expect(active).not.toBeNull();
    await followerConnected(api.url, before);
    await t.db.syncLogs.delete(
      { id: active?.id as string, reason: 'deleted mid-export', legalBasis: 'compliance' },
      auditor,
    );
    const result = await Promise.race([
      running,
      new Promise((r) => setTimeout(() => r('hung'), 30_000).unref()),
    ]);
    expect(result).not.toBe('hung');
    const done = result as { code: number; stderr: string };
    expect(done.code).toBe(1);
    expect(done.stderr).toContain('Not found');
  });
});
