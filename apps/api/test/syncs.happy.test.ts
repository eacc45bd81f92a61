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
  payloadSummary: { parentSyncId?: string; recordIds?: string[] } | null;
}

describe.each(DIALECTS)('exports, pushes, re-syncs and the audit trail on %s', (dialect) => {
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

  it('startExport records a pending manual sync triggered by the admin, counting approved records', async () => {
    await free();
    const res = await f.mutate('syncs.startExport', { organizationId: f.orgId, ...PERIOD }, 'orgAdminOwn');
    expect(dataOf<Log>(res)).toMatchObject({
      status: 'pending',
      syncType: 'manual',
      triggeredBy: f.users.orgAdminOwn,
      recordsTotal: 10,
    });
    const busy = await f.mutate('syncs.startExport', { organizationId: f.orgId, ...PERIOD }, 'globalAdmin');
    expect(busy.status).toBe(409);
    expect(busy.body.error?.data.domainCode).toBe('SYNC_ALREADY_ACTIVE');
    const disabled = await f.mutate(
      'syncs.startExport',
      { organizationId: f.disabledOrgId, ...PERIOD },
      'globalAdmin',
    );
    expect(disabled.status).toBe(412);
    expect(disabled.body.error?.data.domainCode).toBe('ACCOUNTING_MODULE_DISABLED');
    const unknown = await f.mutate(
      'syncs.startExport',
      { organizationId: '7d0c2f55-1a8b-4c3e-9f6a-5b4d3c2e1f00', ...PERIOD },
      'globalAdmin',
    );
    expect(unknown.body.error?.data.domainCode).toBe('ORGANIZATION_NOT_FOUND');
    const reversed = await f.mutate(
      'syncs.startExport',
      { organizationId: f.otherOrgId, periodStart: PERIOD.periodEnd, periodEnd: PERIOD.periodStart },
      'globalAdmin',
    );
    expect(reversed.body.error?.data.issues[0]?.rule).toBe('period_end_after_period_start');
  });

  it('push is idempotent per key and refuses the key with a different body', async () => {
    await free();
    const input = { organizationId: f.orgId, idempotencyKey: 'erp-batch-2026-10', ...PERIOD };
    const first = dataOf<Log>(await f.mutate('syncs.push', input, 'service'));
    expect(first).toMatchObject({ syncType: 'api', triggeredBy: null, status: 'pending' });
    const again = dataOf<Log>(await f.mutate('syncs.push', input, 'service'));
    expect(again.id).toBe(first.id);
    const different = await f.mutate(
      'syncs.push',
      { ...input, periodEnd: '2026-10-15T00:00:00.000Z' },
      'service',
    );
    expect(different.status).toBe(409);
    expect(different.body.error?.data.domainCode).toBe('IDEMPOTENCY_KEY_CONFLICT');
    const byAdmin = await f.mutate('syncs.push', { ...input, idempotencyKey: 'admin-push' }, 'orgAdminOwn');
    expect(byAdmin.body.error?.data.domainCode).toBe('SYNC_ALREADY_ACTIVE');
  });

  it('plans and starts a re-sync of exactly the rejected records, linked to its parent', async () => {
    await free();
    const records = [];
    for await (const batch of f.db.expenseRecords.streamApproved({ organizationId: f.orgId, ...PERIOD }, 100))
      records.push(...batch);
    const rejected = records.slice(0, 2).map((r) => r.id);
    const { syncLog } = await f.db.syncLogs.create({
      organizationId: f.orgId,
      accountingSystem: 'xledger',
      syncType: 'scheduled',
      recordsTotal: 10,
      ...PERIOD,
    });
    await f.db.syncLogs.start(syncLog.id);
    await f.db.syncLogs.complete({
      id: syncLog.id,
      recordsSynced: 8,
      recordsFailed: 2,
      errorDetails: failure(rejected),
    });
    const plan = dataOf<{ latestSyncLogId: string; failedRecordIds: string[]; wholePeriod: boolean }[]>(
      await f.query('resync.plan', { organizationId: f.orgId }, 'orgAdminOwn'),
    );
    expect(plan).toEqual([expect.objectContaining({ latestSyncLogId: syncLog.id, wholePeriod: false })]);
    expect(plan[0]?.failedRecordIds.sort()).toEqual([...rejected].sort());
    const resync = dataOf<Log>(await f.mutate('resync.start', { syncLogId: syncLog.id }, 'orgAdminOwn'));
    expect(resync).toMatchObject({
      status: 'pending',
      syncType: 'manual',
      triggeredBy: f.users.orgAdminOwn,
      recordsTotal: 2,
    });
    expect(resync.payloadSummary?.parentSyncId).toBe(syncLog.id);
    expect(resync.payloadSummary?.recordIds?.sort()).toEqual([...rejected].sort());
    // While the re-sync is the period's latest attempt, the period is no longer in the plan.
    expect(
      dataOf<unknown[]>(await f.query('resync.plan', { organizationId: f.orgId }, 'orgAdminOwn')),
    ).toEqual([]);
    const notFailed = await f.mutate('resync.start', { syncLogId: resync.id }, 'orgAdminOwn');
    expect(notFailed.status).toBe(400);
  });

  it('deletes only through the audit-log service, leaving a tombstone and a verifiable chain', async () => {
    await free();
    const { syncLog } = await f.db.syncLogs.create({
      organizationId: f.orgId,
      accountingSystem: 'xledger',
      syncType: 'manual',
      triggeredBy: f.users.orgAdminOwn,
      recordsTotal: 1,
      ...PERIOD,
    });
    await f.db.syncLogs.start(syncLog.id);
    await f.db.syncLogs.complete({ id: syncLog.id, recordsSynced: 1, recordsFailed: 0 });
    const byOrgAdmin = await f.mutate(
      'syncLogs.delete',
      { id: syncLog.id, reason: 'cleanup', legalBasis: 'compliance' },
      'orgAdminOwn',
    );
    expect(byOrgAdmin.status).toBe(403);
    expect(byOrgAdmin.body.error?.data.issues[0]?.rule).toBe('org_admin_cannot_delete');
    const noReason = await f.mutate(
      'syncLogs.delete',
      { id: syncLog.id, legalBasis: 'compliance' },
      'globalAdminViaAudit',
    );
    expect(noReason.status).toBe(400);
    const deleted = await f.mutate(
      'syncLogs.delete',
      { id: syncLog.id, reason: 'DSR ticket 99', legalBasis: 'data_subject_request' },
      'globalAdminViaAudit',
    );
    expect(dataOf(deleted)).toMatchObject({
      syncLogId: syncLog.id,
      deletedBy: f.users.globalAdminViaAudit,
      deletedVia: 'audit-log-service',
      legalBasis: 'data_subject_request',
    });
    expect((await f.query('syncLogs.get', { id: syncLog.id }, 'globalAdmin')).status).toBe(404);
    expect(dataOf(await f.query('audit.verify', { organizationId: f.orgId }, 'orgAdminOwn'))).toMatchObject({
      ok: true,
      breaks: [],
    });
    const evidence = dataOf<{
      rows: { chainSeq: number }[];
      tombstones: { syncLogId: string }[];
      manifest: { chainVerified: boolean; hashing: string };
    }>(
      await f.query(
        'audit.evidence',
        { organizationId: f.orgId, from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' },
        'orgAdminOwn',
      ),
    );
    expect(evidence.tombstones.map((t) => t.syncLogId)).toContain(syncLog.id);
    expect(evidence.manifest.chainVerified).toBe(true);
    expect(evidence.manifest.hashing).toContain('SHA-256');
    const seqs = evidence.rows.map((r) => r.chainSeq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('monitors each organization and system', async () => {
    const overview = dataOf<
      {
        organizationId: string;
        accountingSystem: string;
        lastSync: unknown;
        successRate30d: number | null;
        stuck: boolean;
      }[]
    >(await f.query('monitoring.overview', { organizationId: f.orgId }, 'orgAdminOwn'));
    expect(overview).toHaveLength(1);
    expect(overview[0]).toMatchObject({ organizationId: f.orgId, accountingSystem: 'xledger', stuck: false });
    expect(overview[0]?.lastSync).not.toBeNull();
  });
});
