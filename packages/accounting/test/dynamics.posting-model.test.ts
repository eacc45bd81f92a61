import type { ExportRecord } from '@meander/domain';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_DYNAMICS_BALANCING_ACCOUNT,
  type RunningEmulators,
  startEmulators,
} from '../src/emulators/index.js';
import { createAdapter, documentNumberFor, postingKeyOf } from '../src/index.js';
import {
  DEMO_DYNAMICS_DIMENSIONS,
  DEMO_DYNAMICS_PURCHASE_VAT_ACCOUNT,
  DEMO_DYNAMICS_VAT_CODES,
} from '../src/systems/dynamics/emulator/dynamics-emulated-system.js';
import { balancesOf } from '../src/systems/dynamics/emulator/dynamics-ledger.js';
import { batchContext, fastOptions, makeRecords } from './support/fixtures.js';

/*
 * The Business Central posting model (issue 24 item 2). Sources, V = read there, I = inferred:
 * - V BCApps `APIV2JournalLines.Page.al`: `taxCode` validates into "VAT Prod. Posting Group" when the
 *   company uses VAT; `balanceAccountType` / `balancingAccountNumber` take any account type of table
 *   81 (Employee included); parts `dimensionSetLines` and `attachments`; `GET journalLines` lists
 *   only G/L and bank account lines (OnOpenPage filter) — so the employee is each line's balancing
 *   account, never a line of its own.
 * - V table 81 "Gen. Journal Line": `Amount` includes VAT; VAT Amount = Amount × VAT % / (100 + VAT %),
 *   rounded; the VAT % from the VAT Posting Setup. API v2.0 has no VAT Amount field, so a VAT other
 *   than Business Central's own cannot be sent (a VAT difference needs "Allow VAT Difference" and
 *   "Max. VAT Difference Allowed", UI only). I: rounding to 0.01, nearest.
 * - V table 5200 Employee / GenJnlPostLine `PostEmployee`: the employee posting group's payables
 *   account takes the G/L entry; an Employee Ledger Entry records the debt.
 * - V `APIV2DimensionSetLines.Page.al`: `code` + `valueCode`; labels 'The "code" does not match to a
 *   Dimension.', 'The "valueCode" does not match to a Dimension Value.', 'The dimension set line
 *   already exists. …'.
 * - I: the platform's table-relation message for an unknown `taxCode` / Employee balancing number.
 */

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const postingConnection = (extra: Record<string, string> = {}) => ({
  ...emulators.connections.dynamics,
  vatCodes: DEMO_DYNAMICS_VAT_CODES,
  dimensions: DEMO_DYNAMICS_DIMENSIONS,
  ...extra,
});
const adapter = (extra: Record<string, string> = {}) =>
  createAdapter('dynamics', postingConnection(extra), fastOptions());

/** A claim of two lines: meals 100.00 + 25 % VAT (SALES), fares 200.00 + 12 % VAT (project P100), owed to E003. */
function claim(id = 'claim-0001', overrides: Partial<ExportRecord> = {}): ExportRecord {
  return {
    id,
    kind: 'expense_claim',
    amountMinor: 34_900,
    currency: 'NOK',
    bookingDate: '2024-05-15',
    account: '7160',
    description: 'Sales trip',
    employeeNumber: 'E003',
    lines: [
      {
        account: '7160',
        amountMinor: 10_000,
        vatCode: 'HIGH',
        vatAmountMinor: 2_500,
        dimensions: { department: 'SALES' },
      },
      {
        account: '7140',
        amountMinor: 20_000,
        vatCode: 'LOW',
        vatAmountMinor: 2_400,
        dimensions: { project: 'P100' },
      },
    ],
    ...overrides,
  };
}

/** The emulator writes decimals as Business Central's JSON does: no trailing zeros of a whole amount. */
const zeroBalances = (balances: ReturnType<typeof balancesOf>) => {
  for (const value of Object.values(balances.accounts)) expect(value).toBe('0');
  for (const value of Object.values(balances.employees)) expect(value).toBe('0');
  for (const { base, amount } of Object.values(balances.vat)) {
    expect(base).toBe('0');
    expect(amount).toBe('0');
  }
};

describe('Business Central posting model — lines, VAT, employee, dimensions', () => {
  it('posts each line on its G/L account with its VAT split off and its dimensions, the credit on the employee', async () => {
    const record = claim();
    const result = await adapter().pushBatch([record], batchContext());
    expect(result.rejected).toEqual([]);
    expect(result.accepted).toHaveLength(1);
    const entries = emulators.ledger('dynamics');
    const key = documentNumberFor(record.id);
    expect(entries.every((e) => e.description.startsWith(key))).toBe(true);
    expect(entries.map((e) => [e.accountNumber, e.debitAmount, e.creditAmount])).toEqual([
      ['7160', '100', '0'],
      [DEMO_DYNAMICS_PURCHASE_VAT_ACCOUNT, '25', '0'],
      [DEMO_DYNAMICS_BALANCING_ACCOUNT, '0', '125'],
      ['7140', '200', '0'],
      [DEMO_DYNAMICS_PURCHASE_VAT_ACCOUNT, '24', '0'],
      [DEMO_DYNAMICS_BALANCING_ACCOUNT, '0', '224'],
    ]);
    expect(entries[0]?.dimensions).toEqual({ DEPARTMENT: 'SALES' });
    expect(entries[3]?.dimensions).toEqual({ PROJECT: 'P100' });
    // externalId is still the expense-side entry of the record.
    expect(result.accepted[0]?.externalId).toBe(entries[0]?.id);
    expect(balancesOf(entries)).toEqual({
      accounts: {
        '7160': '100',
        [DEMO_DYNAMICS_PURCHASE_VAT_ACCOUNT]: '49',
        [DEMO_DYNAMICS_BALANCING_ACCOUNT]: '-349',
        '7140': '200',
      },
      vat: { S25: { base: '100', amount: '25' }, S12: { base: '200', amount: '24' } },
      employees: { E003: '-349' },
    });
    expect(emulators.openJournalLines()).toEqual([]);
  });

  it('counts the extra requests: one $batch of dimension set lines per slice, none for the old shape', async () => {
    const plain = createAdapter('dynamics', postingConnection(), fastOptions());
    await plain.pushBatch(makeRecords(5, 'old'), batchContext());
    const old = { ...plain.requests };
    emulators.reset();
    const rich = adapter();
    await rich.pushBatch(
      Array.from({ length: 5 }, (_, i) => claim(`claim-${i}`)),
      batchContext(),
    );
    // Same reads; one more write: the dimension set lines of all ten lines in one $batch.
    expect(rich.requests).toEqual({ reads: old.reads, writes: old.writes + 1 });
    expect(balancesOf(emulators.ledger('dynamics')).employees).toEqual({ E003: '-1745' });
  });

  it('100 two-line records with dimensions and receipts: 7 writes (2 line $batches, 3 part $batches, 1 content $batch, the post)', async () => {
    const records = Array.from({ length: 100 }, (_, i) =>
      claim(`big-${String(i).padStart(3, '0')}`, { receiptUrl: `https://receipts.example.com/${i}` }),
    );
    const plainAdapter = createAdapter('dynamics', postingConnection(), fastOptions());
    await plainAdapter.pushBatch(makeRecords(100, 'plain'), batchContext());
    emulators.reset();
    const a = adapter();
    const result = await a.pushBatch(records, batchContext());
    expect(result.accepted).toHaveLength(100);
    expect(plainAdapter.requests).toEqual({ reads: 13, writes: 2 });
    expect(a.requests).toEqual({ reads: 13, writes: 7 });
    const preflight = adapter();
    await preflight.preflight(records, { organizationId: 'o', syncLogId: 's' });
    // accounts, periods, taxGroups, employees, and per mapped dimension its look-up and its values.
    expect(preflight.requests.reads).toBe(1 + 1 + 1 + 1 + 1 + 2 * 2);
  });

  it('a record without an employee, or with employeeCredit=balancing_account, credits the balancing account', async () => {
    const records = [claim('c-1', { employeeNumber: undefined }), claim('c-2')];
    delete records[0]?.employeeNumber;
    await adapter({ employeeCredit: 'balancing_account' }).pushBatch(records, batchContext());
    const balances = balancesOf(emulators.ledger('dynamics'));
    expect(balances.employees).toEqual({});
    expect(balances.accounts[DEMO_DYNAMICS_BALANCING_ACCOUNT]).toBe('-698');
  });

  it('Business Central computes the VAT itself from the gross amount (table 81): 0 % codes write a VAT entry of zero', async () => {
    const record = claim('zero', {
      amountMinor: 5_000,
      lines: [{ account: '6800', amountMinor: 5_000, vatCode: 'ZERO', vatAmountMinor: 0 }],
    });
    await adapter().pushBatch([record], batchContext());
    const balances = balancesOf(emulators.ledger('dynamics'));
    expect(balances.vat).toEqual({ S0: { base: '50', amount: '0' } });
    expect(balances.accounts[DEMO_DYNAMICS_PURCHASE_VAT_ACCOUNT]).toBeUndefined();
  });
});

describe('Business Central posting model — the receipt (V: APIV2JournalLines part attachments, APIV2Attachments.Page.al)', () => {
  it('attaches an Internet shortcut holding the link to the first line, never fetching the receipt', async () => {
    const url = 'https://receipts.example.com/r/123?sig=a b';
    const records = [claim('with-receipt', { receiptUrl: url }), claim('plain')];
    const a = adapter();
    const result = await a.pushBatch(records, batchContext());
    expect(result.accepted).toHaveLength(2);
    const entries = emulators.ledger('dynamics').filter((e) => e.attachments !== undefined);
    // One attachment, on the record's first expense entry; the URL normalised (no raw space or line break).
    expect(entries).toHaveLength(1);
    expect(entries[0]?.description.startsWith(documentNumberFor('with-receipt'))).toBe(true);
    expect(entries[0]?.accountNumber).toBe('7160');
    expect(entries[0]?.attachments).toEqual([
      {
        id: expect.any(String),
        fileName: 'receipt.url',
        content: '[InternetShortcut]\r\nURL=https://receipts.example.com/r/123?sig=a%20b\r\n',
      },
    ]);
    // Requests: the dimension lines and the attachment in one $batch, the content in one more.
    emulators.reset();
    const plain = adapter();
    await plain.pushBatch([claim('with-receipt'), claim('plain')], batchContext());
    expect(a.requests).toEqual({ reads: plain.requests.reads, writes: plain.requests.writes + 1 });
  });

  it('refuses a receipt link that is not http(s) before anything is sent', async () => {
    const result = await adapter().pushBatch(
      [claim('bad-receipt', { receiptUrl: 'file:///etc/passwd' })],
      batchContext(),
    );
    expect(result.rejected[0]).toMatchObject({
      code: 'PREFLIGHT_RECEIPT_URL_INVALID',
      category: 'validation',
    });
    expect(emulators.stats('dynamics').writes).toBe(0);
  });
});

describe('Business Central posting model — reversal', () => {
  it('a reversal posts every amount negated under its own key and brings every balance back to zero', async () => {
    const record = claim();
    await adapter().pushBatch([record], batchContext());
    const reversal = { ...record, reversal: true as const };
    expect(postingKeyOf(reversal)).not.toBe(postingKeyOf(record));
    expect(postingKeyOf(reversal)).toBe(documentNumberFor(`${record.id}:reversal`));
    const result = await adapter().pushBatch([reversal], batchContext({ batchNumber: 2 }));
    expect(result.accepted).toEqual([expect.objectContaining({ recordId: record.id })]);
    expect(result.accepted[0]?.alreadyPosted).toBeUndefined();
    const entries = emulators.ledger('dynamics');
    const reversed = entries.filter((e) => e.description.startsWith(postingKeyOf(reversal)));
    expect(reversed.map((e) => [e.accountNumber, e.debitAmount, e.creditAmount])).toEqual([
      ['7160', '0', '100'],
      [DEMO_DYNAMICS_PURCHASE_VAT_ACCOUNT, '0', '25'],
      [DEMO_DYNAMICS_BALANCING_ACCOUNT, '125', '0'],
      ['7140', '0', '200'],
      [DEMO_DYNAMICS_PURCHASE_VAT_ACCOUNT, '0', '24'],
      [DEMO_DYNAMICS_BALANCING_ACCOUNT, '224', '0'],
    ]);
    zeroBalances(balancesOf(entries));
    expect(Object.keys(balancesOf(entries).employees)).toEqual(['E003']);
  });

  it('a repeated reversal push is found by its key and posts nothing twice; the original is never taken for it', async () => {
    const record = claim();
    const reversal = { ...record, reversal: true as const };
    // The reversal pushed first is no "already posted" of the original, nor the other way round.
    await adapter().pushBatch([record], batchContext());
    const first = await adapter().pushBatch([reversal], batchContext({ readBackFirst: true }));
    expect(first.accepted[0]?.alreadyPosted).toBeUndefined();
    const count = emulators.ledger('dynamics').length;
    const again = await adapter().pushBatch([reversal], batchContext({ readBackFirst: true }));
    expect(again.accepted).toEqual([expect.objectContaining({ recordId: record.id, alreadyPosted: true })]);
    const unasked = await adapter().pushBatch([reversal], batchContext());
    expect(unasked.accepted[0]?.alreadyPosted).toBe(true);
    expect(emulators.ledger('dynamics')).toHaveLength(count);
    zeroBalances(balancesOf(emulators.ledger('dynamics')));
  });

  it('an old-shape record reverses too (one line, the balancing account)', async () => {
    const [record] = makeRecords(1);
    if (!record) throw new Error('no record');
    await adapter().pushBatch([record], batchContext());
    await adapter().pushBatch([{ ...record, reversal: true }], batchContext());
    const entries = emulators.ledger('dynamics');
    expect(entries).toHaveLength(4);
    zeroBalances(balancesOf(entries));
  });
});

describe('Business Central posting model — refusals before anything is sent, and the ledger’s own', () => {
  it('pre-flight shows the document with VAT, dimensions and the employee', async () => {
    const record = claim();
    const result = await adapter().preflight([record, { ...record, id: 'rev', reversal: true }], {
      organizationId: 'o',
    });
    expect(result.rejected).toEqual([]);
    expect(result.documents[0]).toEqual({
      documentNumber: documentNumberFor(record.id),
      postingDate: '2024-05-15',
      recordIds: [record.id],
      lines: [
        {
          account: '7160',
          amount: '125.00',
          currency: 'NOK',
          recordId: record.id,
          vatCategory: 'HIGH',
          vatCode: 'S25',
          vatAmount: '25.00',
          dimensions: { DEPARTMENT: 'SALES' },
        },
        {
          account: '7140',
          amount: '224.00',
          currency: 'NOK',
          recordId: record.id,
          vatCategory: 'LOW',
          vatCode: 'S12',
          vatAmount: '24.00',
          dimensions: { PROJECT: 'P100' },
        },
        { account: 'E003', amount: '-349.00', currency: 'NOK', accountType: 'employee' },
      ],
    });
    expect(result.documents[1]).toMatchObject({
      documentNumber: postingKeyOf({ id: 'rev', reversal: true }),
      reversal: true,
      lines: [{ amount: '-125.00', vatAmount: '-25.00' }, { amount: '-224.00' }, { amount: '349.00' }],
    });
  });

  it('refuses unmapped categories and dimension keys (configuration) and unknown codes, values and employees', async () => {
    const unmappedVat = claim('unmapped-vat');
    const unmappedDimension = claim('unmapped-dim', {
      lines: [
        {
          account: '7160',
          amountMinor: 100,
          vatCode: 'EXEMPT',
          vatAmountMinor: 0,
          dimensions: { costCentre: 'CC1' },
        },
      ],
      amountMinor: 100,
    });
    const unknownEmployee = claim('no-employee', { employeeNumber: 'E999' });
    const unknownValue = claim('no-value', {
      lines: [
        {
          account: '7160',
          amountMinor: 100,
          vatCode: 'HIGH',
          vatAmountMinor: 25,
          dimensions: { department: 'HR' },
        },
      ],
      amountMinor: 125,
    });
    const fine = claim('fine');
    const result = await adapter({ vatCodes: 'HIGH=S25,ZERO=S0' }).preflight(
      [unmappedVat, unmappedDimension, unknownEmployee, unknownValue, fine],
      { organizationId: 'o' },
    );
    const byId = new Map(result.rejected.map((r) => [r.recordId, r]));
    expect(byId.get('unmapped-vat')).toMatchObject({
      code: 'PREFLIGHT_VAT_CATEGORY_UNMAPPED',
      category: 'configuration',
      reason: expect.stringContaining('LOW=<VAT Prod. Posting Group>'),
    });
    expect(byId.get('unmapped-dim')).toMatchObject({
      code: 'PREFLIGHT_DIMENSION_UNMAPPED',
      category: 'configuration',
    });
    // LOW is unmapped for these too: give it a code, then the ledger's own refusals show.
    const ledgerSide = await adapter({ vatCodes: 'HIGH=S25,LOW=S99' }).preflight(
      [unknownEmployee, unknownValue, claim('bad-vat')],
      { organizationId: 'o' },
    );
    const ledger = new Map(ledgerSide.rejected.map((r) => [r.recordId, r]));
    expect(ledger.get('no-employee')).toMatchObject({
      code: 'PREFLIGHT_UNKNOWN_EMPLOYEE',
      reason: expect.stringContaining("No.='E999'"),
    });
    expect(ledger.get('no-value')).toMatchObject({
      code: 'PREFLIGHT_UNKNOWN_DIMENSION_VALUE',
      reason: expect.stringContaining("Code='HR'"),
    });
    expect(ledger.get('bad-vat')).toMatchObject({ code: 'PREFLIGHT_UNKNOWN_VAT_CODE' });
    // `fine` has a LOW line, unmapped here: nothing of this batch would be posted.
    expect(result.documents).toEqual([]);
    expect(byId.get('fine')).toMatchObject({ code: 'PREFLIGHT_VAT_CATEGORY_UNMAPPED' });
  });

  it('a push refuses what Business Central refuses — employee, dimension value — and books nothing of those records', async () => {
    const records = [
      claim('no-employee', { employeeNumber: 'E999' }),
      claim('no-value', {
        lines: [
          {
            account: '7160',
            amountMinor: 100,
            vatCode: 'HIGH',
            vatAmountMinor: 25,
            dimensions: { department: 'HR' },
          },
          { account: '7140', amountMinor: 100, vatCode: 'LOW', vatAmountMinor: 12 },
        ],
        amountMinor: 237,
      }),
      claim('fine'),
    ];
    const result = await adapter().pushBatch(records, batchContext());
    expect(result.accepted.map((a) => a.recordId)).toEqual(['fine']);
    const byId = new Map(result.rejected.map((r) => [r.recordId, r]));
    expect(byId.get('no-employee')?.reason).toContain(
      'contains a value (E999) that cannot be found in the related table (Employee)',
    );
    expect(byId.get('no-value')?.reason).toContain('The "valueCode" does not match to a Dimension Value.');
    const entries = emulators.ledger('dynamics');
    expect(entries.every((e) => e.description.startsWith(documentNumberFor('fine')))).toBe(true);
    expect(emulators.openJournalLines()).toEqual([]);
  });

  it('a record whose second line Business Central refuses has its first line deleted again: nothing of it is posted', async () => {
    const halfBad = claim('half-bad', {
      lines: [
        { account: '7160', amountMinor: 1_000, vatCode: 'HIGH', vatAmountMinor: 250 },
        { account: '7999', amountMinor: 1_000, vatCode: 'HIGH', vatAmountMinor: 250 },
      ],
      amountMinor: 2_500,
    });
    const result = await adapter().pushBatch([halfBad, claim('fine')], batchContext());
    expect(result.rejected).toEqual([
      expect.objectContaining({
        recordId: 'half-bad',
        reason: expect.stringContaining('The "accountNumber" does not match to an Account.'),
      }),
    ]);
    const entries = emulators.ledger('dynamics');
    expect(entries.some((e) => e.description.startsWith(documentNumberFor('half-bad')))).toBe(false);
    expect(balancesOf(entries).employees).toEqual({ E003: '-349' });
    expect(emulators.openJournalLines()).toEqual([]);
  });

  it('a category without a code goes without VAT only when it carries none (ZERO/EXEMPT of 0)', async () => {
    const record = claim('exempt', {
      amountMinor: 700,
      lines: [{ account: '6800', amountMinor: 700, vatCode: 'EXEMPT', vatAmountMinor: 0 }],
    });
    const result = await adapter({ vatCodes: 'HIGH=S25' }).pushBatch([record], batchContext());
    expect(result.accepted).toHaveLength(1);
    expect(balancesOf(emulators.ledger('dynamics')).vat).toEqual({});
    const needed = claim('needed');
    const refused = await adapter({ vatCodes: 'HIGH=S25' }).pushBatch([needed], batchContext());
    expect(refused.rejected[0]).toMatchObject({ code: 'PREFLIGHT_VAT_CATEGORY_UNMAPPED' });
    expect(emulators.ledger('dynamics')).toHaveLength(2);
  });
});

describe('Business Central posting model — exactly once under faults (lines, dimensions, receipt)', () => {
  const faults = [
    { dropAfterWrite: 1 },
    { dropAfterWrite: 2 },
    { dropAfterWrite: 3 },
    { dropAfterWrite: 5 },
    { serverErrors: 3 },
    { malformed: 2 },
  ];
  for (const fault of faults) {
    it(`${JSON.stringify(fault)}: every document posted once, whole, and the journal left empty`, async () => {
      emulators.setFaults('dynamics', fault);
      const records = Array.from({ length: 4 }, (_, i) =>
        claim(`fault-${i}`, { receiptUrl: `https://receipts.example.com/${i}` }),
      );
      const result = await adapter().pushBatch(records, batchContext());
      // Whatever the fault hit, a record ends accepted (posted once) or rejected unverified — never twice.
      const entries = emulators.ledger('dynamics');
      for (const record of records) {
        const mine = entries.filter((e) => e.description.startsWith(documentNumberFor(record.id)));
        const accepted = result.accepted.some((a) => a.recordId === record.id);
        expect(mine.length === 6 || (mine.length === 0 && !accepted)).toBe(true);
        if (mine.length === 6) {
          expect(mine.filter((e) => e.attachments !== undefined)).toHaveLength(1);
          expect(mine.filter((e) => e.dimensions !== undefined).length).toBeGreaterThanOrEqual(2);
        }
      }
      const posted = records.filter((r) =>
        entries.some((e) => e.description.startsWith(documentNumberFor(r.id))),
      ).length;
      expect(balancesOf(entries).employees.E003 ?? '0').toBe(posted === 0 ? '0' : `-${349 * posted}`);
      expect(result.accepted.length + result.rejected.length).toBe(4);
      emulators.setFaults('dynamics', {});
      // A second push settles the rest, posting nothing twice.
      const again = await adapter().pushBatch(records, batchContext({ readBackFirst: true }));
      expect(again.accepted).toHaveLength(4);
      const after = emulators.ledger('dynamics');
      for (const record of records)
        expect(after.filter((e) => e.description.startsWith(documentNumberFor(record.id)))).toHaveLength(6);
      expect(emulators.openJournalLines()).toEqual([]);
    });
  }
});
