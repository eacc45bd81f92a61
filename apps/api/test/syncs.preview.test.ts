import { DEMO_POSTING_SETTINGS } from '@meander/accounting';
import { type RunningEmulators, startEmulators } from '@meander/accounting/emulators';
import { DIALECTS } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture, dataOf, PERIOD } from './fixtures.js';

interface Preview {
  recordsTotal: number;
  documentCount: number;
  rejectedCount: number;
  documents: {
    documentNumber: string;
    recordIds: string[];
    receiptUrl?: string;
    lines: { account: string; amount: string; recordId?: string; accountType?: string }[];
  }[];
  rejected: { recordId: string; code: string; reason: string }[];
  truncated: boolean;
}

describe.each(DIALECTS)('syncs.preview — a dry run that writes nothing, on %s', (dialect) => {
  let f: ApiFixture;
  let emu: RunningEmulators;
  let unknownAccountId: string;
  let euroId: string;
  beforeAll(async () => {
    f = await createApiFixture(dialect);
    emu = await startEmulators();
    await f.db.organizations.configureAccounting({
      organizationId: f.orgId,
      enabled: true,
      config: { accountingSystem: 'xledger', connection: emu.connections.xledger },
    });
    const base = {
      organizationId: f.orgId,
      kind: 'expense_claim' as const,
      amountMinor: 2_500,
      bookingDate: '2026-10-20',
      approvalState: 'approved' as const,
    };
    unknownAccountId = crypto.randomUUID();
    euroId = crypto.randomUUID();
    await f.db.expenseRecords.insertMany([
      { ...base, id: unknownAccountId, currency: 'NOK', account: '9999' },
      { ...base, id: euroId, currency: 'EUR', account: '7100' },
    ]);
  });
  afterAll(async () => {
    await emu?.close();
    await f?.drop();
  });

  it('lists the balanced vouchers and the predicted rejections, and writes no sync log and nothing to the ledger', async () => {
    const logsBefore = (await f.db.syncLogs.list({ organizationId: f.orgId, limit: 100 })).items.length;
    const res = await f.query('syncs.preview', { organizationId: f.orgId, ...PERIOD }, 'orgAdminOwn');
    const preview = dataOf<Preview>(res);
    expect(preview).toMatchObject({
      recordsTotal: 12,
      documentCount: 10,
      rejectedCount: 2,
      truncated: false,
    });
    expect(new Map(preview.rejected.map((r) => [r.recordId, r.code]))).toEqual(
      new Map([
        [unknownAccountId, 'PREFLIGHT_UNKNOWN_ACCOUNT'],
        [euroId, 'PREFLIGHT_FOREIGN_CURRENCY'],
      ]),
    );
    for (const document of preview.documents) {
      const [expense, contra] = document.lines;
      expect(expense?.account).toBe('7100');
      // The records carry their employee (E001 for records written before the intake): the credit
      // goes to the employee's sub-ledger on the contra account, shown as the employee.
      expect(contra).toMatchObject({ account: 'E001', accountType: 'employee' });
      expect(contra?.amount).toBe(`-${expense?.amount}`);
      expect(document.documentNumber).toBe(document.recordIds[0]);
    }
    // Writes nothing: no sync log row, no import item, no mutation reached the ledger.
    expect((await f.db.syncLogs.list({ organizationId: f.orgId, limit: 100 })).items).toHaveLength(
      logsBefore,
    );
    expect(await f.db.syncLogs.getActive(f.orgId)).toBeNull();
    expect(emu.ledger('xledger')).toHaveLength(0);
    expect(emu.stats('xledger').writes).toBe(0);
  });

  it('plans a record with several lines, VAT, dimensions and a receipt like any other: its gross total on the expense side', async () => {
    const org = await f.db.organizations.create({ name: 'Preview posting model AS' });
    await f.db.organizations.configureAccounting({
      organizationId: org.id,
      enabled: true,
      config: {
        accountingSystem: 'xledger',
        connection: { ...emu.connections.xledger, ...DEMO_POSTING_SETTINGS.xledger },
      },
    });
    const record = {
      id: crypto.randomUUID(),
      version: 1,
      kind: 'expense_claim',
      employeeNumber: 'E004',
      bookingDate: '2026-10-21',
      currency: 'NOK',
      receiptUrl: 'https://receipts.example.com/preview.pdf',
      lines: [
        {
          account: '7100',
          amountMinor: 8_000,
          vatCode: 'HIGH',
          vatAmountMinor: 2_000,
          dimensions: { department: 'SALES' },
        },
        {
          account: '7100',
          amountMinor: 1_000,
          vatCode: 'LOW',
          vatAmountMinor: 120,
          dimensions: { project: 'P200' },
        },
      ],
    };
    expect(await f.db.expenseRecords.upsert(org.id, [record])).toMatchObject({ upserted: 1, rejected: [] });
    const res = await f.query('syncs.preview', { organizationId: org.id, ...PERIOD }, 'globalAdmin');
    const preview = dataOf<Preview>(res);
    expect(preview).toMatchObject({ recordsTotal: 1, documentCount: 1, rejectedCount: 0, truncated: false });
    const [document] = preview.documents;
    expect(document?.recordIds).toEqual([record.id]);
    // The expense side (the record's G/L lines, VAT included) is the gross total: 8,000 + 2,000 +
    // 1,000 + 120 øre; the employee's or the balancing line takes it back, so the document balances.
    const expense = (document?.lines ?? []).filter(
      (l) => l.recordId !== undefined && (l.accountType ?? 'gl_account') === 'gl_account',
    );
    // Decimal strings read exactly (NOK has two decimals), never through a float.
    const minor = (amount: string) => {
      const [whole = '0', fraction = ''] = amount.replace('-', '').split('.');
      const value = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
      return amount.startsWith('-') ? -value : value;
    };
    expect(expense.reduce((sum, l) => sum + minor(l.amount), 0n)).toBe(11_120n);
    expect((document?.lines ?? []).reduce((sum, l) => sum + minor(l.amount), 0n)).toBe(0n);
    // Whatever the adapter tells about the lines reaches the caller unchanged (no output schema strips it).
    if (document?.receiptUrl !== undefined) expect(document.receiptUrl).toBe(record.receiptUrl);
    expect(emu.stats('xledger').writes).toBe(0);
  });

  it('is for admins of the organization only', async () => {
    const other = await f.query('syncs.preview', { organizationId: f.orgId, ...PERIOD }, 'orgAdminOther');
    expect(other.status).toBe(403);
    const service = await f.query('syncs.preview', { organizationId: f.orgId, ...PERIOD }, 'service');
    expect(service.status).toBe(403);
  });

  it('answers a typed 412 naming the missing posting settings, not a 500', async () => {
    const res = await f.query('syncs.preview', { organizationId: f.otherOrgId, ...PERIOD }, 'globalAdmin');
    expect(res.status).toBe(412);
    expect(res.body.error?.message).toMatch(/contraAccount is missing/);
    expect(res.body.error?.message).not.toMatch(/\bx\b.*apiToken/);
  });
});
