import { randomUUID } from 'node:crypto';
import { type RunningApi, signToken, startApiServer } from '@meander/api';
import { createTestDatabase, DIALECTS, givenOrganization, type TestDatabase } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './support/run-cli.js';

const SECRET = 'cli-rejections-secret-0123456789';

describe.each(DIALECTS)('meander-sync rejections and show on %s', (dialect) => {
  let t: TestDatabase;
  let api: RunningApi;
  let env: Record<string, string>;
  let syncLogId: string;
  const recordId = randomUUID();

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    const org = await givenOrganization(t.db);
    await t.db.expenseRecords.insertMany([
      {
        id: recordId,
        organizationId: org.id,
        kind: 'expense_claim',
        amountMinor: 45_000,
        currency: 'NOK',
        bookingDate: '2026-10-03',
        account: '9999',
        approvalState: 'approved',
        description: '=cmd|calc',
      },
    ]);
    const { syncLog } = await t.db.syncLogs.create({
      organizationId: org.id,
      accountingSystem: 'xledger',
      syncType: 'scheduled',
      triggeredBy: null,
      periodStart: '2026-10-01T00:00:00.000Z',
      periodEnd: '2026-10-31T23:59:59.999Z',
      recordsTotal: 1,
    });
    await t.db.syncLogs.start(syncLog.id);
    await t.db.syncLogs.complete({
      id: syncLog.id,
      recordsSynced: 0,
      recordsFailed: 1,
      errorDetails: {
        code: 'RECORDS_REJECTED',
        message: '1 rejected',
        category: 'validation',
        retryable: false,
        recordFailures: [{ recordId, code: 'INVALID_VALUE', reason: 'Account 9999 is closed for posting' }],
      },
    });
    syncLogId = syncLog.id;
    api = await startApiServer({ db: t.db, port: 0, jwtSecret: SECRET });
    const token = await signToken({ sub: randomUUID(), role: 'org_admin', org: org.id }, SECRET);
    env = { MEANDER_API_URL: api.url, MEANDER_TOKEN: token, LANG: 'en_GB.UTF-8' };
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  it('lists each rejected record with its message and fix', async () => {
    const r = await cli(['rejections', syncLogId], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `${recordId}  ACCOUNT_BLOCKED (master_data)  2026-10-03 NOK\u00a0450.00 account 9999`,
    );
    expect(r.stdout).toContain('The account exists but is closed or blocked for posting.');
    expect(r.stdout).toMatch(/fix: Unblock the account in the ledger/);
    expect(r.stdout).toContain('ledger said: INVALID_VALUE — Account 9999 is closed for posting');
  });

  it('streams the CSV, formula cells neutralised', async () => {
    const r = await cli(['rejections', syncLogId, '--csv'], env);
    expect(r.code).toBe(0);
    const [header, row] = r.stdout.trim().split('\n');
    expect(header?.startsWith('recordId,bookingDate,amount,currency,account,description,category,code')).toBe(
      true,
    );
    expect(row).toContain(`${recordId},2026-10-03,450.00,NOK,9999,'=cmd|calc,master_data,ACCOUNT_BLOCKED`);
  });

  it('show prints the human message and the fix of each rejected record', async () => {
    const r = await cli(['show', syncLogId], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('What the rejections mean and how to fix them:');
    expect(r.stdout).toContain('fix: Unblock the account in the ledger');
    // The same name as the console and the webhooks: catalogue code (category), the ledger's code beside.
    expect(r.stdout).toContain(
      `${recordId}  ACCOUNT_BLOCKED (master_data)  Account 9999 is closed for posting`,
    );
    const json = JSON.parse((await cli(['show', syncLogId, '--json'], env)).stdout) as {
      rejections: { code: string; fix: string }[];
    };
    expect(json.rejections[0]?.code).toBe('ACCOUNT_BLOCKED');
  });

  it('exits 1 with a message for a sync it cannot see', async () => {
    const r = await cli(['rejections', randomUUID(), '--csv'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not exist/);
  });
});
