import { randomUUID } from 'node:crypto';
import { DIALECTS } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture, dataOf } from './fixtures.js';

const aRecord = (overrides: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  version: 1,
  kind: 'reimbursement',
  employeeNumber: 'E002',
  bookingDate: '2026-10-07',
  currency: 'NOK',
  receiptUrl: 'https://receipts.example.com/7.pdf',
  lines: [
    {
      account: '7140',
      amountMinor: 50_000,
      vatCode: 'HIGH',
      vatAmountMinor: 12_500,
      dimensions: { department: 'OPS' },
    },
  ],
  ...overrides,
});

interface UpsertAnswer {
  upserted: number;
  unchanged: number;
  rejected: { id: string | null; issues: { rule: string; path: (string | number)[]; message: string }[] }[];
}

describe.each(DIALECTS)('expenseRecords over HTTP on %s', (dialect) => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await createApiFixture(dialect);
  });
  afterAll(async () => f?.drop());

  it('upserts a batch record by record: stored, unchanged, refused with rule, path and message', async () => {
    const good = aRecord();
    const badVat = aRecord({
      lines: [{ account: '7140', amountMinor: 100, vatCode: 'HIGH', vatAmountMinor: -1 }],
    });
    const httpReceipt = aRecord({ receiptUrl: 'http://receipts.example.com/7.pdf' });
    const res = await f.mutate(
      'expenseRecords.upsert',
      { organizationId: f.orgId, records: [good, badVat, httpReceipt] },
      'service',
    );
    expect(res.status).toBe(200);
    expect(dataOf<UpsertAnswer>(res)).toEqual({
      upserted: 1,
      unchanged: 0,
      rejected: [
        {
          id: badVat.id,
          issues: [
            {
              rule: 'LINE_VAT_AMOUNT_NON_NEGATIVE_INTEGER',
              path: ['lines', 0, 'vatAmountMinor'],
              message: expect.any(String),
            },
          ],
        },
        {
          id: httpReceipt.id,
          issues: [{ rule: 'RECEIPT_URL_HTTPS', path: ['receiptUrl'], message: expect.any(String) }],
        },
      ],
    });
    const again = await f.mutate(
      'expenseRecords.upsert',
      { organizationId: f.orgId, records: [good] },
      'service',
    );
    expect(dataOf<UpsertAnswer>(again)).toEqual({ upserted: 0, unchanged: 1, rejected: [] });
    const got = await f.query('expenseRecords.get', { id: good.id }, 'orgAdminOwn');
    expect(dataOf(got)).toMatchObject({
      ...good,
      state: 'approved',
      organizationId: f.orgId,
    });
    // A record with VAT is exported like any other: no hold (migration 0012).
    expect(dataOf(got)).not.toHaveProperty('postingHold');
  });

  it('refuses whole requests with typed errors: unknown organization, no records, more than 1,000', async () => {
    const unknown = await f.mutate(
      'expenseRecords.upsert',
      { organizationId: randomUUID(), records: [aRecord()] },
      'service',
    );
    expect([unknown.status, unknown.body.error?.data.domainCode]).toEqual([404, 'ORGANIZATION_NOT_FOUND']);
    const none = await f.mutate('expenseRecords.upsert', { organizationId: f.orgId, records: [] }, 'service');
    expect([none.status, none.body.error?.data.domainCode]).toEqual([400, 'VALIDATION_FAILED']);
    const records = Array.from({ length: 1_001 }, () => aRecord());
    const many = await f.mutate('expenseRecords.upsert', { organizationId: f.orgId, records }, 'service');
    expect([many.status, many.body.error?.data.domainCode]).toEqual([400, 'VALIDATION_FAILED']);
    expect(await f.db.expenseRecords.get(f.orgId, records[0]?.id as string)).toBeNull();
  });

  it('withdraws before export, refuses unknown ids, and lists by state for the organization’s admins only', async () => {
    const records = [
      aRecord({ bookingDate: '2026-09-01' }),
      aRecord({ bookingDate: '2026-09-02' }),
      aRecord({ bookingDate: '2026-09-03' }),
    ];
    await f.mutate('expenseRecords.upsert', { organizationId: f.orgId, records }, 'service');
    const withdrawn = await f.mutate(
      'expenseRecords.withdraw',
      { organizationId: f.orgId, ids: [records[1]?.id, 'not-a-record'] },
      'service',
    );
    expect(dataOf(withdrawn)).toEqual({
      withdrawn: 1,
      unchanged: 0,
      rejected: [{ id: 'not-a-record', issues: [expect.objectContaining({ rule: 'RECORD_NOT_FOUND' })] }],
    });
    const list = await f.query(
      'expenseRecords.list',
      { state: 'withdrawn', bookingDateFrom: '2026-09-01', bookingDateTo: '2026-09-30' },
      'orgAdminOwn',
    );
    expect(
      dataOf<{ items: { id: string; state: string }[] }>(list).items.map((v) => [v.id, v.state]),
    ).toEqual([[records[1]?.id, 'withdrawn']]);
    const paged = await f.query(
      'expenseRecords.list',
      { organizationId: f.orgId, bookingDateTo: '2026-09-30', limit: 2 },
      'globalAdmin',
    );
    const page = dataOf<{ items: { id: string }[]; nextCursor: string | null }>(paged);
    expect(page.items.map((v) => v.id)).toEqual([records[0]?.id, records[1]?.id]);
    const rest = await f.query(
      'expenseRecords.list',
      { organizationId: f.orgId, bookingDateTo: '2026-09-30', limit: 2, cursor: page.nextCursor },
      'globalAdmin',
    );
    expect(dataOf<{ items: { id: string }[] }>(rest).items.map((v) => v.id)).toEqual([records[2]?.id]);
    // The other organization's admin sees none of them.
    const other = await f.query('expenseRecords.list', {}, 'orgAdminOther');
    expect(dataOf<{ items: unknown[] }>(other).items).toEqual([]);
    const hidden = await f.query('expenseRecords.get', { id: records[0]?.id }, 'orgAdminOther');
    expect(hidden.body.error?.data.domainCode).toBe('NOT_FOUND');
    const needsOrg = await f.query('expenseRecords.list', {}, 'globalAdmin');
    expect(needsOrg.body.error?.data.domainCode).toBe('VALIDATION_FAILED');
  });
});
