import { randomUUID } from 'node:crypto';
import { DomainError, type ExpenseRecordInput, type ExportRecord } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aCreateCommand,
  createTestDatabase,
  DIALECTS,
  givenOrganization,
  type TestDatabase,
} from '../src/testing/index.js';

const aRecord = (overrides: Partial<ExpenseRecordInput> = {}): ExpenseRecordInput => ({
  id: randomUUID(),
  version: 1,
  kind: 'expense_claim',
  employeeNumber: 'E003',
  bookingDate: '2026-10-05',
  currency: 'NOK',
  description: 'Hotel',
  lines: [{ account: '7140', amountMinor: 120_000, vatCode: 'ZERO', vatAmountMinor: 0 }],
  ...overrides,
});

const october = { periodStart: '2026-10-01T00:00:00.000Z', periodEnd: '2026-10-31T23:59:59.999Z' };

async function exportedRecords(t: TestDatabase, organizationId: string, recordIds?: string[]) {
  const out: ExportRecord[] = [];
  for await (const batch of t.db.expenseRecords.streamApproved(
    { organizationId, ...october, ...(recordIds ? { recordIds } : {}) },
    2,
  ))
    out.push(...batch);
  return out;
}

async function exported(t: TestDatabase, organizationId: string, recordIds?: string[]) {
  const out: { id: string; amountMinor: number; account: string }[] = [];
  for await (const batch of t.db.expenseRecords.streamApproved(
    { organizationId, ...october, ...(recordIds ? { recordIds } : {}) },
    2,
  ))
    out.push(...batch.map((r) => ({ id: r.id, amountMinor: r.amountMinor, account: r.account })));
  return out;
}

describe.each(DIALECTS)('expense record intake on %s', (dialect) => {
  let t: TestDatabase;
  let orgId: string;
  let otherOrgId: string;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    orgId = (await givenOrganization(t.db)).id;
    otherOrgId = (await givenOrganization(t.db)).id;
  });
  afterAll(async () => t?.drop());

  it('stores new records with their lines and reads them back exactly', async () => {
    const record = aRecord({
      receiptUrl: 'https://receipts.example.com/1.pdf',
      lines: [
        {
          account: '7140',
          amountMinor: 80_000,
          vatCode: 'HIGH',
          vatAmountMinor: 20_000,
          dimensions: { department: 'SALES' },
        },
        {
          account: '7150',
          amountMinor: 5_000,
          vatCode: 'EXEMPT',
          vatAmountMinor: 0,
          dimensions: { project: 'P100', costCentre: 'CC1' },
        },
      ],
    });
    const result = await t.db.expenseRecords.upsert(orgId, [record]);
    expect(result).toEqual({ upserted: 1, unchanged: 0, rejected: [] });
    const view = await t.db.expenseRecords.get(orgId, record.id);
    expect(view).toMatchObject({
      ...record,
      state: 'approved',
      postedBySyncLogId: null,
    });
    expect(view?.lines).toEqual(record.lines);
  });

  it('counts the same id, version and payload as unchanged, whatever the key order', async () => {
    const record = aRecord();
    await t.db.expenseRecords.upsert(orgId, [record]);
    const reordered = Object.fromEntries(Object.entries(record).reverse());
    expect(await t.db.expenseRecords.upsert(orgId, [reordered])).toEqual({
      upserted: 0,
      unchanged: 1,
      rejected: [],
    });
  });

  it('replaces a record and its lines under a higher version; refuses a lower one and another payload under the same', async () => {
    const record = aRecord();
    await t.db.expenseRecords.upsert(orgId, [record]);
    const v2 = {
      ...record,
      version: 2,
      lines: [{ account: '7160', amountMinor: 999, vatCode: 'LOW' as const, vatAmountMinor: 120 }],
    };
    expect((await t.db.expenseRecords.upsert(orgId, [v2])).upserted).toBe(1);
    expect((await t.db.expenseRecords.get(orgId, record.id))?.lines).toEqual(v2.lines);
    const lower = await t.db.expenseRecords.upsert(orgId, [{ ...record, description: 'older' }]);
    expect(lower.rejected).toEqual([
      { id: record.id, issues: [expect.objectContaining({ rule: 'VERSION_NOT_NEWER', path: ['version'] })] },
    ]);
    const conflict = await t.db.expenseRecords.upsert(orgId, [{ ...v2, description: 'other' }]);
    expect(conflict.rejected[0]?.issues[0]?.rule).toBe('VERSION_PAYLOAD_CONFLICT');
    expect((await t.db.expenseRecords.get(orgId, record.id))?.version).toBe(2);
    expect((await t.db.expenseRecords.get(orgId, record.id))?.description).toBe('Hotel');
  });

  it('accepts and refuses records one at a time: a refused record writes nothing, the rest are stored', async () => {
    const good = aRecord();
    const bad = {
      ...aRecord(),
      lines: [{ account: '7140', amountMinor: -5, vatCode: 'ZERO', vatAmountMinor: 0 }],
    };
    const duplicate = { ...good, description: 'again' };
    const result = await t.db.expenseRecords.upsert(orgId, [good, bad, duplicate, { nonsense: true }]);
    expect(result.upserted).toBe(1);
    expect(result.rejected.map((r) => [r.id, r.issues[0]?.rule])).toEqual([
      [bad.id, 'LINE_AMOUNT_POSITIVE_INTEGER'],
      [good.id, 'DUPLICATE_ID_IN_REQUEST'],
      [null, 'FIELD_REQUIRED'],
    ]);
    expect(result.rejected[2]?.issues.map((i) => i.rule)).toContain('UNKNOWN_FIELD');
    expect(await t.db.expenseRecords.get(orgId, bad.id)).toBeNull();
    expect((await t.db.expenseRecords.get(orgId, good.id))?.description).toBe('Hotel');
  });

  it('refuses an id another organization holds without showing it, and hides records across organizations', async () => {
    const record = aRecord();
    await t.db.expenseRecords.upsert(otherOrgId, [record]);
    const result = await t.db.expenseRecords.upsert(orgId, [{ ...record, version: 2 }]);
    expect(result.rejected[0]?.issues[0]?.rule).toBe('ID_IN_USE');
    expect(await t.db.expenseRecords.get(orgId, record.id)).toBeNull();
    expect((await t.db.expenseRecords.get(otherOrgId, record.id))?.version).toBe(1);
  });

  it('refuses the whole call for an unknown organization or over 1,000 records', async () => {
    await expect(t.db.expenseRecords.upsert(randomUUID(), [aRecord()])).rejects.toMatchObject({
      code: 'ORGANIZATION_NOT_FOUND',
    });
    await expect(t.db.expenseRecords.upsert('not-a-uuid', [aRecord()])).rejects.toMatchObject({
      code: 'ORGANIZATION_NOT_FOUND',
    });
    const many = Array.from({ length: 1_001 }, () => aRecord());
    await expect(t.db.expenseRecords.upsert(orgId, many)).rejects.toBeInstanceOf(DomainError);
    expect(await t.db.expenseRecords.get(orgId, (many[0] as ExpenseRecordInput).id)).toBeNull();
  });

  it('settles concurrent upserts of the same new records: stored once, the other call finds them unchanged', async () => {
    const o = (await givenOrganization(t.db)).id;
    const batch = Array.from({ length: 50 }, () => aRecord());
    const other = await t.openAnother();
    const [a, b] = await Promise.all([
      t.db.expenseRecords.upsert(o, batch),
      other.expenseRecords.upsert(o, batch),
    ]);
    expect([
      a.upserted + b.upserted,
      a.unchanged + b.unchanged,
      a.rejected.length + b.rejected.length,
    ]).toEqual([50, 50, 0]);
    const v2 = batch.map((r) => ({ ...r, version: 2, description: 'v2' }));
    const [c, d] = await Promise.all([t.db.expenseRecords.upsert(o, v2), other.expenseRecords.upsert(o, v2)]);
    expect([c.upserted + d.upserted, c.unchanged + d.unchanged]).toEqual([50, 50]);
    expect((await t.db.expenseRecords.get(o, (batch[0] as ExpenseRecordInput).id))?.description).toBe('v2');
  });

  it('stores a batch of 1,000 in one call', async () => {
    const batch = Array.from({ length: 1_000 }, (_, i) =>
      aRecord({ bookingDate: '2026-09-15', employeeNumber: `E${(i % 10) + 1}` }),
    );
    expect(await t.db.expenseRecords.upsert(orgId, batch)).toEqual({
      upserted: 1_000,
      unchanged: 0,
      rejected: [],
    });
    expect(await t.db.expenseRecords.upsert(orgId, batch)).toEqual({
      upserted: 0,
      unchanged: 1_000,
      rejected: [],
    });
  });

  describe('exports, withdrawal and posting', () => {
    let org: string;
    beforeAll(async () => {
      org = (await givenOrganization(t.db)).id;
    });

    it('exports every approved record with all its lines, VAT, dimensions, employee and receipt; never a withdrawn one', async () => {
      const plain = aRecord({ bookingDate: '2026-10-02' });
      const exempt = aRecord({
        bookingDate: '2026-10-03',
        lines: [{ account: '6800', amountMinor: 7, vatCode: 'EXEMPT', vatAmountMinor: 0 }],
      });
      const vat = aRecord({
        receiptUrl: 'https://receipts.example.com/vat.pdf',
        lines: [{ account: '7140', amountMinor: 100, vatCode: 'HIGH', vatAmountMinor: 25 }],
      });
      const dims = aRecord({
        lines: [
          {
            account: '7140',
            amountMinor: 100,
            vatCode: 'ZERO',
            vatAmountMinor: 0,
            dimensions: { project: 'P100' },
          },
        ],
      });
      const twoLines = aRecord({
        employeeNumber: 'E010',
        lines: [
          { account: '7140', amountMinor: 80_000, vatCode: 'HIGH', vatAmountMinor: 20_000 },
          {
            account: '7350',
            amountMinor: 10_000,
            vatCode: 'MEDIUM',
            vatAmountMinor: 1_500,
            dimensions: { department: 'OPS', project: 'P200' },
          },
          { account: '7130', amountMinor: 4_000, vatCode: 'LOW', vatAmountMinor: 480 },
        ],
      });
      const withdrawn = aRecord({ bookingDate: '2026-10-04' });
      await t.db.expenseRecords.upsert(org, [plain, exempt, vat, dims, twoLines, withdrawn]);
      expect(await t.db.expenseRecords.withdraw(org, [withdrawn.id])).toEqual({
        withdrawn: 1,
        unchanged: 0,
        rejected: [],
      });
      expect(await t.db.expenseRecords.withdraw(org, [withdrawn.id, randomUUID()])).toMatchObject({
        withdrawn: 0,
        unchanged: 1,
        rejected: [{ issues: [{ rule: 'RECORD_NOT_FOUND' }] }],
      });
      const sameDay = [vat, dims, twoLines].sort((a, b) => a.id.localeCompare(b.id));
      expect(await exported(t, org)).toEqual([
        { id: plain.id, amountMinor: 120_000, account: '7140' },
        { id: exempt.id, amountMinor: 7, account: '6800' },
        ...sameDay.map((r) => ({
          id: r.id,
          amountMinor: r.lines.reduce((sum, l) => sum + l.amountMinor + l.vatAmountMinor, 0),
          account: r.lines[0]?.account,
        })),
      ]);
      expect(await t.db.expenseRecords.countApproved({ organizationId: org, ...october })).toBe(5);
      const full = await exportedRecords(t, org, [withdrawn.id, vat.id, twoLines.id, dims.id]);
      expect(full).toEqual(
        [vat, dims, twoLines]
          .sort((a, b) => a.id.localeCompare(b.id))
          .map((r) => expect.objectContaining({ id: r.id })),
      );
      // Every line in line order, the gross total (net + VAT: 80,000 + 20,000 + 10,000 + 1,500 +
      // 4,000 + 480), line 1's account, the employee and the receipt.
      expect(full.find((r) => r.id === twoLines.id)).toEqual({
        id: twoLines.id,
        kind: 'expense_claim',
        amountMinor: 115_980,
        currency: 'NOK',
        bookingDate: '2026-10-05',
        account: '7140',
        description: 'Hotel',
        employeeNumber: 'E010',
        lines: twoLines.lines,
      });
      expect(full.find((r) => r.id === vat.id)).toMatchObject({
        amountMinor: 125,
        employeeNumber: 'E003',
        receiptUrl: 'https://receipts.example.com/vat.pdf',
        lines: vat.lines,
      });
      expect(full.find((r) => r.id === dims.id)?.lines).toEqual(dims.lines);
      expect(
        await t.db.expenseRecords.countApproved({
          organizationId: org,
          ...october,
          recordIds: [withdrawn.id, exempt.id, twoLines.id],
        }),
      ).toBe(2);
      // A new version re-approves a withdrawn record.
      await t.db.expenseRecords.upsert(org, [{ ...withdrawn, version: 2 }]);
      expect((await t.db.expenseRecords.get(org, withdrawn.id))?.state).toBe('approved');
    });

    it('marks what a success or partial sync posted, except what the ledger refused; posted records cannot change', async () => {
      const o = (await givenOrganization(t.db)).id;
      const [a, b, c] = [
        aRecord({ bookingDate: '2026-10-10' }),
        aRecord({ bookingDate: '2026-10-11' }),
        aRecord({ bookingDate: '2026-10-12' }),
      ] as const;
      await t.db.expenseRecords.upsert(o, [a, b, c], { now: '2026-11-01T00:00:00.000Z' });
      const { syncLog } = await t.db.syncLogs.create(aCreateCommand(o, october), {
        now: '2026-11-02T00:00:00.000Z',
      });
      await t.db.syncLogs.start(syncLog.id, { now: '2026-11-02T00:00:00.000Z' });
      // c changes while the sync runs: it may have gone out in either version, so it stays open.
      await t.db.expenseRecords.upsert(o, [{ ...c, version: 2 }], { now: '2026-11-02T00:00:30.000Z' });
      await t.db.syncLogs.complete(
        {
          id: syncLog.id,
          recordsSynced: 2,
          recordsFailed: 1,
          errorDetails: {
            code: 'RECORDS_REJECTED',
            message: '1 of 3 records were rejected',
            category: 'validation',
            retryable: false,
            recordFailures: [{ recordId: b.id, code: 'ACCOUNT_CLOSED', reason: 'closed' }],
          },
        },
        { now: '2026-11-02T00:01:00.000Z' },
      );
      const states = await t.db.expenseRecords.list({ organizationId: o });
      expect(states.items.map((v) => [v.id, v.state, v.postedBySyncLogId])).toEqual([
        [a.id, 'posted', syncLog.id],
        [b.id, 'approved', null],
        [c.id, 'approved', null],
      ]);
      const changed = await t.db.expenseRecords.upsert(o, [{ ...a, version: 2 }]);
      expect(changed).toEqual({
        upserted: 0,
        unchanged: 0,
        rejected: [{ id: a.id, issues: [expect.objectContaining({ rule: 'RECORD_ALREADY_POSTED' })] }],
      });
      // A retry of exactly what was posted is still `unchanged`.
      expect(await t.db.expenseRecords.upsert(o, [a])).toEqual({ upserted: 0, unchanged: 1, rejected: [] });
      expect((await t.db.expenseRecords.withdraw(o, [a.id])).rejected[0]?.issues[0]?.rule).toBe(
        'RECORD_ALREADY_POSTED',
      );
      expect((await t.db.expenseRecords.get(o, a.id))?.version).toBe(1);
      expect(
        (await t.db.expenseRecords.list({ organizationId: o, state: 'posted' })).items.map((v) => v.id),
      ).toEqual([a.id]);
    });

    it('marks nothing for a failed sync', async () => {
      const o = (await givenOrganization(t.db)).id;
      const a = aRecord();
      await t.db.expenseRecords.upsert(o, [a], { now: '2026-11-01T00:00:00.000Z' });
      const { syncLog } = await t.db.syncLogs.create(aCreateCommand(o, october), {
        now: '2026-11-02T00:00:00.000Z',
      });
      await t.db.syncLogs.start(syncLog.id, { now: '2026-11-02T00:00:00.000Z' });
      await t.db.syncLogs.fail(
        { id: syncLog.id, errorDetails: { code: 'X', message: 'x', category: 'unknown', retryable: false } },
        { now: '2026-11-02T00:01:00.000Z' },
      );
      expect((await t.db.expenseRecords.get(o, a.id))?.state).toBe('approved');
    });
  });

  it('lists by state and booking date in cursor pages, each record once', async () => {
    const o = (await givenOrganization(t.db)).id;
    const records = Array.from({ length: 7 }, (_, i) => aRecord({ bookingDate: `2026-08-0${i + 1}` }));
    await t.db.expenseRecords.upsert(o, records);
    await t.db.expenseRecords.withdraw(o, [(records[6] as ExpenseRecordInput).id]);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await t.db.expenseRecords.list({
        organizationId: o,
        state: 'approved',
        bookingDateFrom: '2026-08-02',
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items.map((v) => v.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(records.slice(1, 6).map((r) => r.id));
    const withdrawn = await t.db.expenseRecords.list({
      organizationId: o,
      state: 'withdrawn',
      bookingDateTo: '2026-08-31',
    });
    expect(withdrawn.items.map((v) => [v.id, v.state])).toEqual([
      [(records[6] as ExpenseRecordInput).id, 'withdrawn'],
    ]);
    await expect(t.db.expenseRecords.list({ organizationId: o, cursor: 'garbage' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});
