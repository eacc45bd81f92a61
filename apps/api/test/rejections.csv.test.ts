import { randomUUID } from 'node:crypto';
import type { Dialect } from '@meander/db';
import { DIALECTS } from '@meander/db/testing';
import { neutraliseCsvCell } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture } from './fixtures.js';

describe('the CSV guard on rejection cells', () => {
  it.each([
    ['=HYPERLINK("http://x")', `'=HYPERLINK("http://x")`],
    ['+1+1', `'+1+1`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1)', `'@SUM(A1)`],
    ['\tTab', `'\tTab`],
    ['Taxi', 'Taxi'],
  ])('%j → %j', (input, output) => {
    expect(neutraliseCsvCell(input)).toBe(output);
  });
  it('keeps a negative amount as a number', () => {
    expect(neutraliseCsvCell('-12.50')).toBe('-12.50');
    expect(neutraliseCsvCell(null)).toBe('');
  });
});

describe.each(DIALECTS)('rejected items on %s', (dialect: Dialect) => {
  let f: ApiFixture;
  let syncLogId: string;
  const ids = [randomUUID(), randomUUID(), randomUUID()];
  beforeAll(async () => {
    f = await createApiFixture(dialect);
    await f.db.expenseRecords.insertMany(
      ids.map((id, i) => ({
        id,
        organizationId: f.orgId,
        kind: 'expense_claim' as const,
        amountMinor: i === 2 ? 1250 : 10_000 + i,
        currency: 'NOK',
        bookingDate: '2026-10-15',
        account: i === 1 ? '@SUM(A1)' : '9999',
        approvalState: 'approved' as const,
        description: i === 0 ? '=HYPERLINK("http://evil","click")' : 'Taxi, "late"',
      })),
    );
    const { syncLog } = await f.db.syncLogs.create({
      organizationId: f.orgId,
      accountingSystem: 'xledger',
      syncType: 'scheduled',
      triggeredBy: null,
      periodStart: '2026-10-01T00:00:00.000Z',
      periodEnd: '2026-10-31T23:59:59.999Z',
      recordsTotal: 13,
    });
    await f.db.syncLogs.start(syncLog.id);
    await f.db.syncLogs.complete({
      id: syncLog.id,
      recordsSynced: 10,
      recordsFailed: 3,
      errorDetails: {
        code: 'RECORDS_REJECTED',
        message: '3 rejected',
        category: 'validation',
        retryable: false,
        recordFailures: [
          {
            recordId: ids[0] as string,
            code: 'Application_FieldValidationException',
            reason: 'Posting Date is not within your range of allowed posting dates',
            catalogCode: 'PERIOD_LOCKED',
            catalogCategory: 'period_locked',
          },
          // Recorded before the catalogue: classified when read.
          {
            recordId: ids[1] as string,
            code: 'Internal_EntityWithSameKeyExists',
            reason: 'The record already exists.',
          },
          {
            recordId: ids[2] as string,
            code: 'Odd_Code',
            reason: 'Something new',
            catalogCode: 'UNCLASSIFIED',
            catalogCategory: 'unclassified',
          },
        ],
      },
    });
    syncLogId = syncLog.id;
  });
  afterAll(async () => f.drop());

  it('lists each rejected record with the ledger reason, category, message and fix', async () => {
    const res = await f.query('rejections.list', { syncLogId }, 'orgAdminOwn');
    const data = res.body.result?.data as { items: Record<string, unknown>[]; truncated: boolean };
    expect(data.truncated).toBe(false);
    expect(data.items.map((i) => [i.recordId, i.code, i.category])).toEqual([
      [ids[0], 'PERIOD_LOCKED', 'period_locked'],
      [ids[1], 'ALREADY_POSTED', 'duplicate'],
      [ids[2], 'UNCLASSIFIED', 'unclassified'],
    ]);
    expect(data.items[0]).toMatchObject({
      vendorCode: 'Application_FieldValidationException',
      vendorReason: 'Posting Date is not within your range of allowed posting dates',
      bookingDate: '2026-10-15',
      amount: '100.00',
      amountMinor: '10000',
      currency: 'NOK',
      account: '9999',
      fix: expect.stringContaining('Allow Posting From/To'),
    });
  });

  it('streams the CSV with formula-leading cells neutralised, only to those who may see the sync', async () => {
    const get = (token: string | null) =>
      f.app.request(`/sync-logs/${syncLogId}/rejections.csv`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    const res = await get(f.tokens.orgAdminOwn);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const text = await res.text();
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe(
      'recordId,bookingDate,amount,currency,account,description,category,code,message,fix,retryable,vendorCode,vendorReason',
    );
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"",""click"")"`);
    expect(lines[2]).toContain(`,'@SUM(A1),`);
    expect(lines[3]).toContain(`,12.50,`);
    expect(lines[3]).toContain('"Taxi, ""late"""');
    expect(text).not.toMatch(/(^|,)[=@+]/m);

    expect((await get(null)).status).toBe(401);
    expect((await get(f.tokens.orgAdminOther)).status).toBe(404);
    expect((await get(f.tokens.globalAdmin)).status).toBe(200);
    const missing = await f.app.request(`/sync-logs/${randomUUID()}/rejections.csv`, {
      headers: { authorization: `Bearer ${f.tokens.globalAdmin}` },
    });
    expect(missing.status).toBe(404);
  });

  it('counts the unclassified error on /metrics', async () => {
    const text = await (await f.app.request('/metrics')).text();
    expect(text).toContain('meander_rejections_unclassified{system="xledger"} 1');
    expect(text).toContain('meander_rejections_unclassified{system="dynamics"} 0');
  });
});
