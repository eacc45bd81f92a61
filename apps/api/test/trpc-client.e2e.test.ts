import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../src/auth/tokens.js';
import type { AppRouter } from '../src/routers/index.js';
import { type RunningApi, startApiServer } from '../src/server.js';
import { PERIOD, SECRET } from './fixtures.js';

describe.each(DIALECTS)('a typed @trpc/client against a listening server on %s', (dialect) => {
  let t: TestDatabase;
  let api: RunningApi;
  let orgId: string;
  let service: ReturnType<typeof createTRPCClient<AppRouter>>;

  const clientFor = (token: string) =>
    createTRPCClient<AppRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === 'subscription',
          true: httpSubscriptionLink({
            url: `${api.url}/trpc`,
            EventSource,
            eventSourceOptions: () => ({
              fetch: (input, init) =>
                fetch(input, { ...init, headers: { ...init?.headers, authorization: `Bearer ${token}` } }),
            }),
          }),
          false: httpLink({ url: `${api.url}/trpc`, headers: { authorization: `Bearer ${token}` } }),
        }),
      ],
    });

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    const org = await t.db.organizations.create({ name: 'Client AS' });
    orgId = org.id;
    await t.db.organizations.configureAccounting({
      organizationId: org.id,
      enabled: true,
      config: { accountingSystem: 'dynamics' },
    });
    api = await startApiServer({ db: t.db, port: 0, jwtSecret: SECRET, progressPollMs: 20 });
    service = clientFor(await signToken({ sub: crypto.randomUUID(), role: 'service' }, SECRET));
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  it('drives a sync and streams its progress until it is terminal', async () => {
    const created = await service.syncLogs.create.mutate({
      organizationId: orgId,
      accountingSystem: 'dynamics',
      syncType: 'api',
      recordsTotal: 4,
      ...PERIOD,
    });
    const admin = clientFor(
      await signToken({ sub: crypto.randomUUID(), role: 'org_admin', org: orgId }, SECRET),
    );
    const events: { status: string; recordsSynced: number }[] = [];
    const finished = new Promise<void>((resolve, reject) => {
      const sub = admin.syncs.progress.subscribe(
        { id: created.id },
        {
          onData: (event) => {
            events.push({ status: event.status, recordsSynced: event.recordsSynced });
            if (event.terminal) {
              sub.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        },
      );
    });
    // Each step waits for the stream to show the previous one: the server polls every 20 ms, but
    // a sleep between mutations only guesses how soon the subscription is up on a loaded machine.
    const seen = async (what: string, match: (e: { status: string; recordsSynced: number }) => boolean) => {
      const until = Date.now() + 20_000;
      while (!events.some(match)) {
        if (Date.now() > until) throw new Error(`no ${what} event: ${JSON.stringify(events)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await seen('pending', (e) => e.status === 'pending');
    await service.syncLogs.start.mutate({ id: created.id });
    await seen('in_progress', (e) => e.status === 'in_progress');
    await service.syncLogs.reportProgress.mutate({ id: created.id, recordsSynced: 2, recordsFailed: 0 });
    await seen('progress', (e) => e.recordsSynced === 2);
    const done = await service.syncLogs.complete.mutate({
      id: created.id,
      recordsSynced: 4,
      recordsFailed: 0,
      externalReferenceId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    });
    expect(done.status).toBe('success');
    expect(done.warnings).toEqual([]);
    await finished;
    expect(events[0]?.status).toBe('pending');
    expect(events.map((e) => e.status)).toContain('in_progress');
    expect(events).toContainEqual({ status: 'in_progress', recordsSynced: 2 });
    expect(events[events.length - 1]).toEqual({ status: 'success', recordsSynced: 4 });
  });

  it('surfaces typed errors to the client', async () => {
    try {
      await service.syncLogs.get.query({ id: crypto.randomUUID() });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TRPCClientError);
      expect((error as TRPCClientError<AppRouter>).data?.domainCode).toBe('NOT_FOUND');
    }
  });
});
