import { randomUUID } from 'node:crypto';
import { type RunningApi, signToken, startApiServer } from '@meander/api';
import { createTestDatabase, DIALECTS, givenOrganization, type TestDatabase } from '@meander/db/testing';
import type { SyncLog } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './support/run-cli.js';

const SECRET = 'cli-unverified-secret-0123456789';

describe.each(DIALECTS)('meander-sync resync with postings not found, on %s', (dialect) => {
  let t: TestDatabase;
  let api: RunningApi;
  let env: Record<string, string>;
  let orgId: string;
  let parentId: string;
  const operator = randomUUID();
  const notFound = randomUUID();

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    orgId = (await givenOrganization(t.db)).id;
    await t.db.expenseRecords.insertMany([
      {
        id: notFound,
        organizationId: orgId,
        kind: 'expense_claim',
        amountMinor: 12_500,
        currency: 'NOK',
        bookingDate: '2026-10-03',
        account: '7100',
        approvalState: 'approved',
      },
    ]);
    // What the worker leaves after an import it could not find again: the sync partial, the
    // posting open as unverified, and the requests it cost.
    const { syncLog } = await t.db.syncLogs.create({
      organizationId: orgId,
      accountingSystem: 'xledger',
      syncType: 'api',
      periodStart: '2026-10-01T00:00:00.000Z',
      periodEnd: '2026-10-31T23:59:59.999Z',
      recordsTotal: 1,
    });
    await t.db.syncLogs.start(syncLog.id);
    await t.db.unverifiedPostings.record({
      organizationId: orgId,
      accountingSystem: 'xledger',
      syncLogId: syncLog.id,
      postings: [{ recordId: notFound, code: 'POSTED_NOT_FOUND', reason: 'Imported, not found' }],
    });
    await t.db.syncLogs.complete({
      id: syncLog.id,
      recordsSynced: 0,
      recordsFailed: 1,
      errorDetails: {
        code: 'RECORDS_REJECTED',
        message: '1 rejected',
        category: 'configuration',
        retryable: false,
        recordFailures: [{ recordId: notFound, code: 'POSTED_NOT_FOUND', reason: 'Imported, not found' }],
      },
      payloadSummary: { formatVersion: '1', recordIds: [notFound], ledgerRequests: { reads: 3, writes: 1 } },
    });
    parentId = syncLog.id;
    api = await startApiServer({ db: t.db, port: 0, jwtSecret: SECRET });
    const token = await signToken({ sub: operator, role: 'org_admin', org: orgId }, SECRET);
    env = { MEANDER_API_URL: api.url, MEANDER_TOKEN: token };
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  it('show prints what the sync cost against the ledger', async () => {
    const r = await cli(['show', parentId], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ledger calls   4 (3 reads, 1 writes)');
  });

  it('resync plan lists the posting not found apart, with the fix and the confirming command', async () => {
    const r = await cli(['resync', 'plan', '--org', orgId], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Posted but not found (POSTED_NOT_FOUND) in ${parentId}:`);
    expect(r.stdout).toContain(`  ${notFound}`);
    expect(r.stdout).toContain(`meander-sync resync run ${parentId} --confirm-unposted`);
  });

  it('resync run --confirm-unposted starts a re-sync that records the confirmation and who gave it', async () => {
    const run = cli(['resync', 'run', parentId, '--confirm-unposted', '--json'], env);
    // Stand in for the worker: run the queued re-sync to its end, so the CLI's follow finishes.
    const until = Date.now() + 60_000;
    let resync: SyncLog | null = null;
    while (!resync) {
      resync = await t.db.syncLogs.getActive(orgId);
      if (!resync && Date.now() > until) throw new Error('the re-sync was never queued');
      if (!resync) await new Promise((r) => setTimeout(r, 50));
    }
    await t.db.syncLogs.start(resync.id);
    await t.db.syncLogs.complete({ id: resync.id, recordsSynced: 1, recordsFailed: 0 });
    const r = await run;
    expect(r.code).toBe(0);
    const log = JSON.parse(r.stdout) as SyncLog;
    expect(log).toMatchObject({
      id: resync.id,
      status: 'success',
      syncType: 'manual',
      triggeredBy: operator,
      payloadSummary: { parentSyncId: parentId, recordIds: [notFound], confirmedUnposted: true },
    });
  });

  it('refuses --confirm-unposted on a sync that left nothing unverified (exit 2, rule and flag named)', async () => {
    const { syncLog } = await t.db.syncLogs.create({
      organizationId: orgId,
      accountingSystem: 'xledger',
      syncType: 'api',
      periodStart: '2026-09-01T00:00:00.000Z',
      periodEnd: '2026-09-30T23:59:59.999Z',
      recordsTotal: 1,
    });
    await t.db.syncLogs.start(syncLog.id);
    await t.db.syncLogs.fail({
      id: syncLog.id,
      errorDetails: { code: 'XLEDGER_AUTH', message: 'token refused', category: 'auth', retryable: false },
    });
    const r = await cli(['resync', 'run', syncLog.id, '--confirm-unposted'], env);
    // Input the API refused is a usage error like the CLI's own: exit 2 (issue 25).
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('confirm_unposted_needs_unverified (confirmUnposted)');
    expect(r.stderr).toMatch(/nothing to confirm/);
    expect(await t.db.syncLogs.getActive(orgId)).toBeNull();
  });
});
