import type { Dialect } from '@meander/db';
import { DIALECTS } from '@meander/db/testing';
import type { IntegrationHealth } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { appRouter } from '../src/routers/index.js';
import { createCallerContext } from '../src/trpc/context.js';
import { createCallerFactory } from '../src/trpc/init.js';
import { type ApiFixture, createApiFixture } from './fixtures.js';

const createCaller = createCallerFactory(appRouter);

describe.each(DIALECTS)('monitoring.health on %s with a fake clock', (dialect: Dialect) => {
  let f: ApiFixture;
  let clock = new Date('2026-11-02T03:00:00.000Z');
  beforeAll(async () => {
    f = await createApiFixture(dialect);
  });
  afterAll(async () => f.drop());

  const caller = (who: 'global' | 'own') => {
    const { inner } = createApp({ db: f.db, jwtSecret: 'x', now: () => clock });
    const principal =
      who === 'global'
        ? ({ role: 'global_admin', userId: f.users.globalAdmin } as const)
        : ({ role: 'org_admin', userId: f.users.orgAdminOwn, organizationId: f.orgId } as const);
    return createCaller(createCallerContext(inner, principal));
  };
  const healthOf = async (orgId: string): Promise<IntegrationHealth> => {
    const [h] = await caller('global').monitoring.health({ organizationId: orgId });
    if (!h) throw new Error('no health entry');
    return h;
  };

  /** One terminal sync of `status` at `at` (its own start and completion). */
  async function sync(status: 'success' | 'failed' | 'partial', at: string, code = 'XLEDGER_AUTH') {
    const { syncLog } = await f.db.syncLogs.create(
      {
        organizationId: f.orgId,
        accountingSystem: 'xledger',
        syncType: 'scheduled',
        triggeredBy: null,
        periodStart: '2026-10-01T00:00:00.000Z',
        periodEnd: '2026-10-31T23:59:59.999Z',
        recordsTotal: 2,
      },
      { now: at },
    );
    await f.db.syncLogs.start(syncLog.id, { now: at });
    if (status === 'failed') {
      await f.db.syncLogs.fail(
        {
          id: syncLog.id,
          errorDetails: {
            code,
            message: 'Ledger said no',
            category: code === 'XLEDGER_AUTH' ? 'auth' : 'unavailable',
            retryable: code !== 'XLEDGER_AUTH',
          },
        },
        { now: at },
      );
    } else {
      await f.db.syncLogs.complete(
        {
          id: syncLog.id,
          recordsSynced: status === 'success' ? 2 : 1,
          recordsFailed: status === 'success' ? 0 : 1,
          ...(status === 'partial'
            ? {
                errorDetails: {
                  code: 'RECORDS_REJECTED',
                  message: '1 rejected',
                  category: 'validation' as const,
                  retryable: false,
                  recordFailures: [
                    {
                      recordId: '00000000-0000-4000-8000-000000000001',
                      code: 'INVALID_VALUE',
                      reason: 'Account 9999 does not exist',
                      catalogCode: 'UNKNOWN_ACCOUNT',
                      catalogCategory: 'master_data' as const,
                    },
                  ],
                },
              }
            : {}),
        },
        { now: at },
      );
    }
  }

  it('moves through healthy, delayed, failing, action_required and back to healthy', async () => {
    // Nightly at 02:00 Europe/Oslo (01:00Z in November).
    await sync('success', '2026-11-01T01:05:00.000Z');
    clock = new Date('2026-11-01T12:00:00.000Z');
    let h = await healthOf(f.orgId);
    expect(h.state).toBe('healthy');
    expect(h.nextRunAt).toBe('2026-11-02T01:00:00.000Z');
    expect(h.scheduleIntervalSeconds).toBe(86_400);
    expect(h.lastSuccessAt).toBe('2026-11-01T01:05:00.000Z');

    clock = new Date('2026-11-02T02:00:00.000Z');
    expect((await healthOf(f.orgId)).state).toBe('delayed');
    clock = new Date('2026-11-03T02:00:00.000Z');
    expect((await healthOf(f.orgId)).state).toBe('failing');

    await sync('failed', '2026-11-03T02:10:00.000Z', 'XLEDGER_AUTH');
    clock = new Date('2026-11-03T02:20:00.000Z');
    h = await healthOf(f.orgId);
    expect(h.state).toBe('action_required');
    expect(h.problems[0]).toMatchObject({
      code: 'XLEDGER_AUTH',
      category: 'auth',
      status: 'open',
      firstSeenAt: '2026-11-03T02:10:00.000Z',
    });

    await sync('partial', '2026-11-03T03:00:00.000Z');
    clock = new Date('2026-11-03T03:10:00.000Z');
    h = await healthOf(f.orgId);
    expect(h.state).toBe('action_required');
    expect(h.problems.map((p) => [p.code, p.status])).toEqual([
      ['UNKNOWN_ACCOUNT', 'open'],
      ['XLEDGER_AUTH', 'open'],
    ]);

    await sync('success', '2026-11-03T04:00:00.000Z');
    clock = new Date('2026-11-03T04:10:00.000Z');
    h = await healthOf(f.orgId);
    expect(h.state).toBe('healthy');
    expect(
      h.problems.every((p) => p.status === 'resolved' && p.resolvedAt === '2026-11-03T04:00:00.000Z'),
    ).toBe(true);
    expect(h.successRate30d).toBe(0.5);
  });

  it('reports a disabled module as disabled, and includes health in the overview', async () => {
    expect((await healthOf(f.disabledOrgId)).state).toBe('disabled');
    const overview = await caller('own').monitoring.overview();
    expect(overview).toHaveLength(1);
    expect(overview[0]?.health).toEqual({
      state: 'healthy',
      nextRunAt: '2026-11-04T01:00:00.000Z',
      openProblems: 0,
    });
  });

  it('keeps an org admin to their own organization', async () => {
    const own = await caller('own').monitoring.health();
    expect(own.map((h) => h.organizationId)).toEqual([f.orgId]);
    await expect(caller('own').monitoring.health({ organizationId: f.otherOrgId })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});
