import type { ExportRecord } from '@meander/domain';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_XLEDGER_POSTING_MODEL,
  type RunningEmulators,
  startEmulators,
  xledgerBalancesOf,
} from '../src/emulators/index.js';
import { realSleep } from '../src/http/clock.js';
import {
  createAdapter,
  GL_IMPORT_ITEM_ERROR,
  XLEDGER_DIMENSION_UNMAPPED,
  XLEDGER_MASTER_DATA_UNKNOWN,
  XLEDGER_VAT_CATEGORY_UNMAPPED,
  xledgerConnectionSchema,
} from '../src/index.js';
import { batchContext, fastOptions, makeRecords } from './support/fixtures.js';

// The posting model (issue 24): one balanced voucher per record, each line on its expense account
// with its tax rule (GL import item `taxRule { code }` + `taxAmount`, V: grasp-labs
// `glImportItems/create/metadata.json` fields `taxRule_code`, `taxAmount`; go-xledger
// `GLImportItemInput`), its dimensions in `glObject1`…`glObject5` / `project` (V: same metadata,
// `glObject1_code`…, `project_code`), and the credit line on the contra account with the employee
// as sub-ledger (`subledger { code }`, V: same metadata `subledger_code`; grasp-labs
// `employees/read` metadata gives each employee a `subledger_dbId`). I: Xledger books the VAT a
// line includes to its tax rule's account; the emulator does, so balances can be read.

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const adapter = (settings: Record<string, string> = {}) =>
  createAdapter(
    'xledger',
    { ...emulators.connections.xledger, ...DEMO_XLEDGER_POSTING_MODEL, ...settings },
    fastOptions(),
  );
const balances = () => xledgerBalancesOf(emulators.xledgerJournalEntries());
const ctx = { organizationId: batchContext().organizationId };

/** A travel claim: hotel at 25 % (SALES, P100), meals at 12 % (OPS), per diem without VAT; gross 287.00. */
function claim(id: string, overrides: Partial<ExportRecord> = {}): ExportRecord {
  return {
    id,
    kind: 'expense_claim',
    amountMinor: 28_700,
    currency: 'NOK',
    bookingDate: '2024-05-15',
    account: '7140',
    description: 'Trip to Bergen',
    employeeNumber: 'E003',
    lines: [
      {
        account: '7140',
        amountMinor: 10_000,
        vatCode: 'HIGH',
        vatAmountMinor: 2_500,
        dimensions: { department: 'SALES', project: 'P100' },
      },
      {
        account: '7160',
        amountMinor: 10_000,
        vatCode: 'LOW',
        vatAmountMinor: 1_200,
        dimensions: { department: 'OPS' },
      },
      { account: '7150', amountMinor: 5_000, vatCode: 'ZERO', vatAmountMinor: 0 },
    ],
    ...overrides,
  };
}

describe('Xledger posting model — the voucher', () => {
  it('posts each line with its tax rule, VAT and dimensions, and the credit to the employee’s sub-ledger', async () => {
    const result = await adapter().pushBatch([claim('exp-0001')], batchContext());
    expect(result.rejected).toEqual([]);
    const items = emulators.ledger('xledger');
    expect(
      items.map((i) => [
        i.extIdentifier,
        i.accountCode,
        i.amount,
        i.taxRule,
        i.taxAmount,
        i.dimensions,
        i.subledger,
      ]),
    ).toEqual([
      ['exp-0001', '7140', '125.00', '1', '25.00', { glObject1: 'SALES', project: 'P100' }, null],
      ['exp-0001:2', '7160', '112.00', '13', '12.00', { glObject1: 'OPS' }, null],
      ['exp-0001:3', '7150', '50.00', '0', '0.00', {}, null],
      ['exp-0001:contra', '2910', '-287.00', null, null, {}, 'E003'],
    ]);
    expect(items.every((i) => i.status === 'processed' && i.invoiceNumber === 'exp-0001')).toBe(true);
    expect(balances()).toEqual({
      accounts: { '2710': '37.00', '2910': '-287.00', '7140': '100.00', '7150': '50.00', '7160': '100.00' },
      subledgers: { E003: '-287.00' },
    });
  });

  it('a posting and its reversal bring every balance — GL, VAT and employee — back to zero; a repeated reversal posts nothing', async () => {
    const records = [claim('exp-0001'), claim('exp-0002', { employeeNumber: 'E010' })];
    await adapter().pushBatch(records, batchContext());
    expect(balances().subledgers).toEqual({ E003: '-287.00', E010: '-287.00' });
    const reversals = records.map((r) => ({ ...r, reversal: true as const }));
    const first = await adapter().pushBatch(reversals, batchContext());
    expect(first.accepted.map((a) => a.alreadyPosted)).toEqual([undefined, undefined]);
    const zero = {
      accounts: { '2710': '0.00', '2910': '0.00', '7140': '0.00', '7150': '0.00', '7160': '0.00' },
      subledgers: { E003: '0.00', E010: '0.00' },
    };
    expect(balances()).toEqual(zero);
    expect(
      emulators
        .ledger('xledger')
        .filter((i) => i.extIdentifier?.startsWith('exp-0001:reversal'))
        .map((i) => [i.extIdentifier, i.amount, i.taxAmount]),
    ).toEqual([
      ['exp-0001:reversal', '-125.00', '-25.00'],
      ['exp-0001:reversal:2', '-112.00', '-12.00'],
      ['exp-0001:reversal:3', '-50.00', '0.00'],
      ['exp-0001:reversal:contra', '287.00', null],
    ]);
    const again = await adapter().pushBatch(reversals, batchContext());
    expect(again.accepted.map((a) => a.alreadyPosted)).toEqual([true, true]);
    expect(emulators.ledger('xledger')).toHaveLength(16);
    expect(balances()).toEqual(zero);
  });

  it('with employeeCredit balancing_account, or without an employee, the credit is the contra account alone', async () => {
    await adapter({ employeeCredit: 'balancing_account' }).pushBatch([claim('exp-0001')], batchContext());
    const { employeeNumber: _, ...anonymous } = claim('exp-0002');
    await adapter().pushBatch([anonymous], batchContext());
    expect(emulators.ledger('xledger').filter((i) => i.subledger !== null)).toEqual([]);
    expect(balances().accounts['2910']).toBe('-574.00');
  });

  it('carries the receipt link as the credit line’s text and fetches nothing', async () => {
    const receiptUrl = 'https://receipts.example.com/r/exp-0001.pdf';
    await adapter().pushBatch([claim('exp-0001', { receiptUrl })], batchContext());
    const texts = emulators.ledger('xledger').map((i) => [i.extIdentifier, i.text]);
    expect(texts).toContainEqual(['exp-0001:contra', receiptUrl]);
    expect(texts).toContainEqual(['exp-0001', 'Trip to Bergen']);
  });
});

describe('Xledger posting model — refusals', () => {
  it('refuses, per record and before anything is sent, an unmapped VAT category or dimension key', async () => {
    const records = [
      claim('exp-0001'),
      claim('exp-0002'),
      claim('exp-0003', {
        lines: [
          {
            account: '7140',
            amountMinor: 28_700,
            vatCode: 'ZERO',
            vatAmountMinor: 0,
            dimensions: { costCentre: 'CC1' },
          },
        ],
      }),
    ];
    const result = await adapter({ vatCodes: 'HIGH=1,ZERO=0' }).pushBatch(records, batchContext());
    expect(result.accepted).toEqual([]);
    expect(result.rejected.map((r) => [r.recordId, r.code, r.category, r.retryable])).toEqual([
      ['exp-0001', XLEDGER_VAT_CATEGORY_UNMAPPED, 'configuration', false],
      ['exp-0002', XLEDGER_VAT_CATEGORY_UNMAPPED, 'configuration', false],
      ['exp-0003', XLEDGER_DIMENSION_UNMAPPED, 'configuration', false],
    ]);
    expect(result.rejected[0]?.reason).toBe(
      'Line 2 has VAT category LOW with VAT 12.00, and the connection setting vatCodes maps no Xledger tax rule to LOW',
    );
    expect(result.rejected[2]?.reason).toMatch(/costCentre CC1.*setting dimensions/);
    expect(emulators.stats('xledger').writes).toBe(0);
  });

  it('a ZERO or EXEMPT line without VAT and without a mapping posts without a tax rule', async () => {
    const record = claim('exp-0001', {
      amountMinor: 5_000,
      lines: [{ account: '7150', amountMinor: 5_000, vatCode: 'EXEMPT', vatAmountMinor: 0 }],
    });
    const result = await adapter({ vatCodes: 'HIGH=1' }).pushBatch([record], batchContext());
    expect(result.rejected).toEqual([]);
    expect(emulators.ledger('xledger')[0]).toMatchObject({ taxRule: null, taxAmount: null, amount: '50.00' });
  });

  it('the emulator refuses an unknown tax rule, dimension value or employee as import item errors, booking nothing of that voucher', async () => {
    const records = [
      claim('exp-0001'),
      claim('exp-0002', { employeeNumber: 'E999' }),
      claim('exp-0003', {
        lines: [
          {
            account: '7140',
            amountMinor: 28_700,
            vatCode: 'ZERO',
            vatAmountMinor: 0,
            dimensions: { project: 'P999' },
          },
        ],
      }),
      claim('exp-0004', {
        lines: [
          {
            account: '7140',
            amountMinor: 28_700,
            vatCode: 'ZERO',
            vatAmountMinor: 0,
            dimensions: { department: 'HR' },
          },
        ],
      }),
    ];
    const result = await adapter().pushBatch(records, batchContext());
    expect(result.accepted.map((a) => a.recordId)).toEqual(['exp-0001']);
    expect(result.rejected.map((r) => [r.recordId, r.code, r.reason])).toEqual([
      ['exp-0002', GL_IMPORT_ITEM_ERROR, expect.stringContaining("Subledger 'E999' does not exist")],
      ['exp-0003', GL_IMPORT_ITEM_ERROR, expect.stringContaining("Project 'P999' does not exist")],
      ['exp-0004', GL_IMPORT_ITEM_ERROR, expect.stringContaining("Value 'HR' does not exist for glObject1")],
    ]);
    const wrongRule = await adapter({ vatCodes: 'HIGH=99,LOW=13,ZERO=0' }).pushBatch(
      [claim('exp-0005')],
      batchContext(),
    );
    expect(wrongRule.rejected[0]?.reason).toContain("Tax rule '99' does not exist");
    expect(new Set(emulators.xledgerJournalEntries().map((e) => e.invoiceNumber))).toEqual(
      new Set(['exp-0001']),
    );
  });

  it('the connection setting dimensions must name GL import item fields', () => {
    const base = { ...emulators.connections.xledger };
    expect(xledgerConnectionSchema.parse({ ...base, dimensions: 'department=GLOBJECT2' }).dimensions).toEqual(
      {
        department: 'glObject2',
      },
    );
    const bad = xledgerConnectionSchema.safeParse({ ...base, dimensions: 'department=Department' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/not a GL import item field \(glObject1, .*project\)/);
  });
});

describe('Xledger posting model — the pre-flight shows VAT, dimensions and the employee', () => {
  it('plans the voucher with account types, VAT categories, tax rules, VAT and dimensions by field', async () => {
    const { documents, rejected } = await adapter().preflight(
      [claim('exp-0001', { receiptUrl: 'https://r.example/1' })],
      ctx,
    );
    expect(rejected).toEqual([]);
    expect(documents).toEqual([
      {
        documentNumber: 'exp-0001',
        postingDate: '2024-05-15',
        recordIds: ['exp-0001'],
        receiptUrl: 'https://r.example/1',
        lines: [
          {
            account: '7140',
            amount: '125.00',
            currency: 'NOK',
            recordId: 'exp-0001',
            accountType: 'gl_account',
            vatCategory: 'HIGH',
            vatCode: '1',
            vatAmount: '25.00',
            dimensions: { glObject1: 'SALES', project: 'P100' },
          },
          {
            account: '7160',
            amount: '112.00',
            currency: 'NOK',
            recordId: 'exp-0001',
            accountType: 'gl_account',
            vatCategory: 'LOW',
            vatCode: '13',
            vatAmount: '12.00',
            dimensions: { glObject1: 'OPS' },
          },
          {
            account: '7150',
            amount: '50.00',
            currency: 'NOK',
            recordId: 'exp-0001',
            accountType: 'gl_account',
            vatCategory: 'ZERO',
            vatCode: '0',
            vatAmount: '0.00',
          },
          { account: 'E003', amount: '-287.00', currency: 'NOK', accountType: 'employee' },
        ],
      },
    ]);
    expect(emulators.stats('xledger').writes).toBe(0);
  });

  it('names unmapped categories and unknown line accounts per record', async () => {
    const { documents, rejected } = await adapter({ vatCodes: 'ZERO=0' }).preflight(
      [
        claim('exp-0001'),
        claim('exp-0002', {
          lines: [{ account: '9999', amountMinor: 28_700, vatCode: 'ZERO', vatAmountMinor: 0 }],
        }),
      ],
      ctx,
    );
    expect(documents).toEqual([]);
    expect(rejected.map((r) => [r.recordId, r.code])).toEqual([
      ['exp-0001', XLEDGER_VAT_CATEGORY_UNMAPPED],
      ['exp-0002', 'PREFLIGHT_UNKNOWN_ACCOUNT'],
    ]);
  });
});

describe('Xledger posting model — the pre-flight predicts unknown employees and dimension values', () => {
  it('names the first unknown employee, project or GL object value per record, reading each kind once per sync', async () => {
    const records = [
      claim('exp-0001'),
      claim('exp-0002', { employeeNumber: 'E999' }),
      claim('exp-0003', {
        lines: [
          {
            account: '7140',
            amountMinor: 28_700,
            vatCode: 'ZERO',
            vatAmountMinor: 0,
            dimensions: { project: 'P999' },
          },
        ],
      }),
      claim('exp-0004', {
        lines: [
          {
            account: '7140',
            amountMinor: 28_700,
            vatCode: 'ZERO',
            vatAmountMinor: 0,
            dimensions: { department: 'HR' },
          },
        ],
      }),
    ];
    const planner = adapter();
    const sync = { ...ctx, syncLogId: batchContext().syncLogId };
    const { documents, rejected } = await planner.preflight(records, sync);
    expect(documents.map((d) => d.documentNumber)).toEqual(['exp-0001']);
    expect(rejected.map((r) => [r.recordId, r.code, r.reason])).toEqual([
      ['exp-0002', XLEDGER_MASTER_DATA_UNKNOWN, 'Employee E999 does not exist in Xledger'],
      ['exp-0003', XLEDGER_MASTER_DATA_UNKNOWN, 'Project P999 does not exist in Xledger'],
      ['exp-0004', XLEDGER_MASTER_DATA_UNKNOWN, 'glObject1 value HR does not exist in Xledger'],
    ]);
    // accounts, employees, projects, GL object values: one read each.
    expect(planner.requests).toEqual({ reads: 4, writes: 0 });
    await planner.preflight(records, sync);
    expect(planner.requests).toEqual({ reads: 4, writes: 0 });
  });
});

describe('Xledger posting model — requests and exactly once', () => {
  it('records with lines cost the requests two-line records cost (one read-back, one import, one processing check)', async () => {
    const legacy = adapter();
    await legacy.pushBatch(makeRecords(10), batchContext());
    const withLines = adapter();
    await withLines.pushBatch(
      Array.from({ length: 10 }, (_, i) => claim(`exp-${String(i + 1).padStart(4, '0')}`)),
      batchContext(),
    );
    expect(withLines.requests).toEqual(legacy.requests);
    expect(legacy.requests).toEqual({ reads: 2, writes: 1 });
  });

  it('keeps every mutation within 500 nodes (help centre article 8715787519634) when records have many lines', async () => {
    const fifty = Array.from({ length: 50 }, () => ({
      account: '7140',
      amountMinor: 100,
      vatCode: 'HIGH' as const,
      vatAmountMinor: 25,
    }));
    const records = Array.from({ length: 20 }, (_, i) =>
      claim(`big-${String(i + 1).padStart(4, '0')}`, { amountMinor: 6_250, lines: fifty }),
    );
    const result = await adapter().pushBatch(records, batchContext());
    expect(result.accepted).toHaveLength(20);
    // 51 nodes a record: 9 records (459 nodes) per mutation → 9 + 9 + 2.
    expect(emulators.stats('xledger').writes).toBe(3);
    expect(emulators.ledger('xledger')).toHaveLength(20 * 51);
    expect(balances().accounts).toEqual({ '2710': '250.00', '2910': '-1250.00', '7140': '1000.00' });
  });

  it('a dropped answer and late processing: every line of every voucher is booked once', async () => {
    emulators.setFaults('xledger', { dropAfterWrite: 1, processingDelayMs: 50 });
    const records = Array.from({ length: 5 }, (_, i) => claim(`exp-${String(i + 1).padStart(4, '0')}`));
    const result = await createAdapter(
      'xledger',
      { ...emulators.connections.xledger, ...DEMO_XLEDGER_POSTING_MODEL },
      fastOptions({ sleep: realSleep, xledgerProcessingWait: { firstPollMs: 20, maxWaitMs: 20_000 } }),
    ).pushBatch(records, batchContext());
    expect(result.rejected).toEqual([]);
    expect(result.accepted).toHaveLength(5);
    const keys = emulators.ledger('xledger').map((i) => i.extIdentifier);
    expect(keys).toHaveLength(20);
    expect(new Set(keys).size).toBe(20);
    expect(balances().subledgers).toEqual({ E003: '-1435.00' });
  });
});
