import { DIALECTS } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnownExternalRuns } from '../src/routers/external-runs.js';
import { type ApiFixture, createApiFixture, dataOf, PERIOD } from './fixtures.js';

describe.each(DIALECTS)('runner separation on %s', (dialect) => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await createApiFixture(dialect);
  });
  afterAll(async () => {
    await f?.drop();
  });

  it('a service token cannot drive a worker-run sync through the recording API', async () => {
    const pushed = dataOf<{ id: string; status: string }>(
      await f.mutate(
        'syncs.push',
        { organizationId: f.orgId, ...PERIOD, idempotencyKey: 'runner-sep-1' },
        'service',
      ),
    );
    expect(pushed.status).toBe('pending');
    const start = await f.mutate('syncLogs.start', { id: pushed.id }, 'service');
    expect(start.status).toBe(403);
    expect(start.body.error?.data.domainCode).toBe('FORBIDDEN');
    expect(start.body.error?.message).toContain("Meander's worker");
    // The worker claims it; the service still cannot report or seal it.
    await f.db.syncLogs.start(pushed.id, { workerId: 'worker:test' });
    for (const [path, input] of [
      ['syncLogs.reportProgress', { id: pushed.id, recordsSynced: 1, recordsFailed: 0 }],
      ['syncLogs.complete', { id: pushed.id, recordsSynced: 10, recordsFailed: 0 }],
      [
        'syncLogs.fail',
        { id: pushed.id, errorDetails: { code: 'X', message: 'x', category: 'unknown', retryable: false } },
      ],
    ] as const) {
      const res = await f.mutate(path, input, 'service');
      expect(res.status, path).toBe(403);
      expect(res.body.error?.data.domainCode).toBe('FORBIDDEN');
    }
    const row = await f.db.syncLogs.get(pushed.id);
    expect(row).toMatchObject({ status: 'in_progress', recordsSynced: 0, completedAt: null });
    await f.db.syncLogs.fail({
      id: pushed.id,
      errorDetails: { code: 'TEST', message: 'cleanup', category: 'unknown', retryable: false },
    });
  });

  it('the runner that recorded a sync still drives it', async () => {
    const created = dataOf<{ id: string }>(
      await f.mutate(
        'syncLogs.create',
        { organizationId: f.orgId, accountingSystem: 'xledger', syncType: 'api', recordsTotal: 2, ...PERIOD },
        'service',
      ),
    );
    expect((await f.mutate('syncLogs.start', { id: created.id }, 'service')).status).toBe(200);
    const done = await f.mutate(
      'syncLogs.complete',
      { id: created.id, recordsSynced: 2, recordsFailed: 0 },
      'service',
    );
    expect(dataOf(done)).toMatchObject({ status: 'success' });
  });

  it('a create replaying a worker-run sync by its idempotency key does not make it drivable', async () => {
    const input = {
      organizationId: f.otherOrgId,
      accountingSystem: 'xledger',
      syncType: 'api',
      recordsTotal: 3,
      ...PERIOD,
      idempotencyKey: 'runner-sep-replay',
    } as const;
    // The worker's row (the store's default runner), then the same create through the API.
    const { syncLog: worker } = await f.db.syncLogs.create(input);
    const replayed = dataOf<{ id: string }>(await f.mutate('syncLogs.create', input, 'service'));
    expect(replayed.id).toBe(worker.id);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const start = await f.mutate('syncLogs.start', { id: worker.id }, 'service');
      expect(start.status).toBe(403);
      expect(start.body.error?.data.domainCode).toBe('FORBIDDEN');
    }
    expect(await f.db.syncLogs.get(worker.id)).toMatchObject({ status: 'pending' });
    await f.db.syncLogs.start(worker.id, { workerId: 'worker:test' });
    await f.db.syncLogs.fail({
      id: worker.id,
      errorDetails: { code: 'TEST', message: 'cleanup', category: 'unknown', retryable: false },
    });
  });

  it('an unknown id is still NOT_FOUND', async () => {
    const res = await f.mutate('syncLogs.start', { id: crypto.randomUUID() }, 'service');
    expect(res.status).toBe(404);
  });
});

describe('sync logs known to be externally run', () => {
  it('remembers ids up to its capacity and forgets the oldest first', () => {
    const known = new KnownExternalRuns(2);
    known.remember('a');
    known.remember('b');
    known.remember('a'); // already known: not moved, not duplicated
    expect([known.has('a'), known.has('b')]).toEqual([true, true]);
    known.remember('c');
    expect([known.has('a'), known.has('b'), known.has('c')]).toEqual([false, true, true]);
    expect(known.has('d')).toBe(false);
  });
});
