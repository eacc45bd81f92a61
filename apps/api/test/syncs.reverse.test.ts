import { DIALECTS } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture, dataOf, failure, PERIOD } from './fixtures.js';

interface Log {
  id: string;
  status: string;
  syncType: string;
  triggeredBy: string | null;
  recordsTotal: number;
  organizationId: string;
  periodStart: string;
  periodEnd: string;
  payloadSummary: {
    parentSyncId?: string;
    recordIds?: string[];
    reversal?: { of: string; reason: string };
  } | null;
}

describe.each(DIALECTS)('syncs.reverse on %s', (dialect) => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await createApiFixture(dialect);
  });
  afterAll(async () => {
    await f?.drop();
  });

  async function free() {
    const active = await f.db.syncLogs.getActive(f.orgId);
    if (active) await f.db.syncLogs.fail({ id: active.id, errorDetails: failure() });
  }

  /** A finished export of October: every approved record posted but `failedIds`. */
  async function exported(failedIds: string[] = []): Promise<Log> {
    await free();
    const { syncLog } = await f.db.syncLogs.create({
      organizationId: f.orgId,
      accountingSystem: 'xledger',
      syncType: 'api',
      recordsTotal: 10,
      ...PERIOD,
    });
    await f.db.syncLogs.start(syncLog.id);
    const { syncLog: done } = await f.db.syncLogs.complete({
      id: syncLog.id,
      recordsSynced: 10 - failedIds.length,
      recordsFailed: failedIds.length,
      ...(failedIds.length > 0 ? { errorDetails: failure(failedIds) } : {}),
    });
    return done as unknown as Log;
  }

  it('creates the reversal: manual, by the admin, same period, linked to the original, counting what it posted', async () => {
    const original = await exported();
    const res = await f.mutate(
      'syncs.reverse',
      { syncLogId: original.id, reason: '  Booked to the wrong company  ' },
      'orgAdminOwn',
    );
    const reversal = dataOf<Log>(res);
    expect(reversal).toMatchObject({
      status: 'pending',
      syncType: 'manual',
      triggeredBy: f.users.orgAdminOwn,
      organizationId: f.orgId,
      periodStart: PERIOD.periodStart,
      periodEnd: PERIOD.periodEnd,
      recordsTotal: 10,
      payloadSummary: {
        formatVersion: '1',
        reversal: { of: original.id, reason: 'Booked to the wrong company' },
      },
    });
    const linked = await f.query('syncs.reversalOf', { syncLogId: original.id }, 'service');
    expect(dataOf<Log | null>(linked)?.id).toBe(reversal.id);
    expect(
      dataOf<Log | null>(await f.query('syncs.reversalOf', { syncLogId: reversal.id }, 'service')),
    ).toBeNull();

    const again = await f.mutate('syncs.reverse', { syncLogId: original.id, reason: 'again' }, 'globalAdmin');
    expect(again.status).toBe(409);
    expect(again.body.error?.data.domainCode).toBe('SYNC_ALREADY_REVERSED');
    expect(again.body.error?.data.issues[0]).toMatchObject({
      rule: 'one_reversal_per_sync',
      path: ['syncLogId'],
    });
    // Run to its end, the reversal releases the records: they are exported again by the next tests.
    await f.db.syncLogs.start(reversal.id);
    await f.db.syncLogs.complete({ id: reversal.id, recordsSynced: 10, recordsFailed: 0 });
    expect((await f.db.expenseRecords.list({ organizationId: f.orgId, state: 'posted' })).items).toEqual([]);
  });

  it('refuses what is not reversible: a failed sync, a reversal, an unknown or foreign sync, a bad reason', async () => {
    await free();
    const { syncLog } = await f.db.syncLogs.create({
      organizationId: f.orgId,
      accountingSystem: 'xledger',
      syncType: 'api',
      recordsTotal: 10,
      ...PERIOD,
    });
    await f.db.syncLogs.start(syncLog.id);
    await f.db.syncLogs.fail({ id: syncLog.id, errorDetails: failure() });
    const failed = await f.mutate('syncs.reverse', { syncLogId: syncLog.id, reason: 'x' }, 'orgAdminOwn');
    expect(failed.status).toBe(409);
    expect(failed.body.error?.data.domainCode).toBe('SYNC_NOT_REVERSIBLE');
    expect(failed.body.error?.data.issues[0]?.rule).toBe('reversal_of_posted_sync');

    const original = await exported();
    const reversal = dataOf<Log>(
      await f.mutate('syncs.reverse', { syncLogId: original.id, reason: 'x' }, 'orgAdminOwn'),
    );
    await f.db.syncLogs.start(reversal.id);
    await f.db.syncLogs.complete({ id: reversal.id, recordsSynced: 10, recordsFailed: 0 });
    const ofReversal = await f.mutate(
      'syncs.reverse',
      { syncLogId: reversal.id, reason: 'x' },
      'orgAdminOwn',
    );
    expect(ofReversal.body.error?.data.domainCode).toBe('SYNC_NOT_REVERSIBLE');

    const unknown = await f.mutate(
      'syncs.reverse',
      { syncLogId: '7d0c2f55-1a8b-4c3e-9f6a-5b4d3c2e1f00', reason: 'x' },
      'orgAdminOwn',
    );
    expect(unknown.status).toBe(404);
    const foreign = await f.mutate('syncs.reverse', { syncLogId: original.id, reason: 'x' }, 'orgAdminOther');
    expect(foreign.status).toBe(404);
    const byService = await f.mutate('syncs.reverse', { syncLogId: original.id, reason: 'x' }, 'service');
    expect(byService.status).toBe(403);

    for (const reason of ['', '   ', 'x'.repeat(501), 'a\u202Eb']) {
      const bad = await f.mutate('syncs.reverse', { syncLogId: original.id, reason }, 'orgAdminOwn');
      expect(bad.status, JSON.stringify(reason)).toBe(400);
      expect(bad.body.error?.data.issues?.[0]?.path).toEqual(['reason']);
    }
    const missing = await f.mutate('syncs.reverse', { syncLogId: original.id }, 'orgAdminOwn');
    expect(missing.status).toBe(400);
  });

  it('a partial reversal is re-synced as a reversal of the records it failed', async () => {
    const original = await exported();
    const reversal = dataOf<Log>(
      await f.mutate('syncs.reverse', { syncLogId: original.id, reason: 'Duplicate' }, 'orgAdminOwn'),
    );
    const posted = await f.db.expenseRecords.list({ organizationId: f.orgId, state: 'posted' });
    const failedId = posted.items[0]?.id as string;
    await f.db.syncLogs.start(reversal.id);
    await f.db.syncLogs.complete({
      id: reversal.id,
      recordsSynced: 9,
      recordsFailed: 1,
      errorDetails: failure([failedId]),
      payloadSummary: reversal.payloadSummary as never,
    });
    const stillPosted = await f.db.expenseRecords.list({ organizationId: f.orgId, state: 'posted' });
    expect(stillPosted.items.map((r) => r.id)).toEqual([failedId]);
    const resync = dataOf<Log>(await f.mutate('resync.start', { syncLogId: reversal.id }, 'orgAdminOwn'));
    expect(resync).toMatchObject({
      recordsTotal: 1,
      payloadSummary: {
        parentSyncId: reversal.id,
        recordIds: [failedId],
        reversal: { of: original.id, reason: 'Duplicate' },
      },
    });
  });
});
