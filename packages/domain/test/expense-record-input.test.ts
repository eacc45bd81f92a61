import { describe, expect, it } from 'vitest';
import {
  checkExpenseRecordInput,
  currencyMinorDigits,
  type ExpenseRecordInput,
  expenseRecordFingerprint,
  exportRecordProblem,
} from '../src/index.js';

const good = (): ExpenseRecordInput => ({
  id: '0b9e8f8e-7c1e-4b5a-9d3f-1a2b3c4d5e6f',
  version: 1,
  kind: 'expense_claim',
  employeeNumber: 'E001',
  bookingDate: '2026-11-03',
  currency: 'NOK',
  description: 'Taxi to the airport',
  receiptUrl: 'https://receipts.example.com/r/1.pdf',
  lines: [
    {
      account: '7100',
      amountMinor: 40_000,
      vatCode: 'HIGH',
      vatAmountMinor: 10_000,
      dimensions: { department: 'SALES', project: 'P100' },
    },
  ],
});

/** `good()` with one field replaced (or removed, for `undefined`) at a path. */
function withField(path: (string | number)[], value: unknown): Record<string, unknown> {
  const record = good() as unknown as Record<string, unknown>;
  let target: Record<string | number, unknown> = record;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return record;
}

describe('expense record input: every field refused on its own, with its rule', () => {
  it('accepts a well-formed record, optional fields and all', () => {
    expect(checkExpenseRecordInput(good())).toEqual({ ok: true, record: good() });
  });

  const cases: [string, (string | number)[], unknown, string][] = [
    ['id not a uuid', ['id'], 'rec-1', 'ID_UUID'],
    ['id missing', ['id'], undefined, 'FIELD_REQUIRED'],
    ['version 0', ['version'], 0, 'VERSION_POSITIVE_INTEGER'],
    ['version a fraction', ['version'], 1.5, 'VERSION_POSITIVE_INTEGER'],
    ['version as text', ['version'], '2', 'VERSION_POSITIVE_INTEGER'],
    ['kind unknown', ['kind'], 'mileage', 'KIND_ENUM'],
    ['employee number empty', ['employeeNumber'], '', 'EMPLOYEE_NUMBER_FORMAT'],
    ['employee number too long', ['employeeNumber'], 'E'.repeat(21), 'EMPLOYEE_NUMBER_FORMAT'],
    ['employee number with a newline', ['employeeNumber'], 'E0\n01', 'EMPLOYEE_NUMBER_FORMAT'],
    ['booking date not a date', ['bookingDate'], '03.11.2026', 'BOOKING_DATE_FORMAT'],
    ['booking date impossible', ['bookingDate'], '2026-02-30', 'BOOKING_DATE_FORMAT'],
    ['currency lower case', ['currency'], 'nok', 'CURRENCY_ISO_4217'],
    ['currency not ISO 4217', ['currency'], 'XYZ', 'CURRENCY_ISO_4217'],
    ['description with a control character', ['description'], 'a\u0007b', 'DESCRIPTION_TEXT'],
    ['description with a bidi override', ['description'], 'a\u202eb', 'DESCRIPTION_TEXT'],
    ['description too long', ['description'], 'x'.repeat(501), 'DESCRIPTION_TEXT'],
    ['receipt over http', ['receiptUrl'], 'http://receipts.example.com/r/1.pdf', 'RECEIPT_URL_HTTPS'],
    ['receipt not a url', ['receiptUrl'], 'receipt.pdf', 'RECEIPT_URL_HTTPS'],
    ['receipt javascript:', ['receiptUrl'], 'javascript:alert(1)', 'RECEIPT_URL_HTTPS'],
    ['no lines', ['lines'], [], 'LINES_COUNT'],
    ['51 lines', ['lines'], Array.from({ length: 51 }, () => good().lines[0]), 'LINES_COUNT'],
    ['account empty', ['lines', 0, 'account'], '', 'LINE_ACCOUNT_FORMAT'],
    ['account too long', ['lines', 0, 'account'], '7'.repeat(21), 'LINE_ACCOUNT_FORMAT'],
    ['amount zero', ['lines', 0, 'amountMinor'], 0, 'LINE_AMOUNT_POSITIVE_INTEGER'],
    ['amount negative', ['lines', 0, 'amountMinor'], -100, 'LINE_AMOUNT_POSITIVE_INTEGER'],
    ['amount a float', ['lines', 0, 'amountMinor'], 10.5, 'LINE_AMOUNT_POSITIVE_INTEGER'],
    ['amount as a string', ['lines', 0, 'amountMinor'], '100', 'LINE_AMOUNT_POSITIVE_INTEGER'],
    ['amount beyond safe integers', ['lines', 0, 'amountMinor'], 2 ** 53, 'LINE_AMOUNT_POSITIVE_INTEGER'],
    ['vat code unknown', ['lines', 0, 'vatCode'], 'STANDARD', 'LINE_VAT_CODE_ENUM'],
    ['vat negative', ['lines', 0, 'vatAmountMinor'], -1, 'LINE_VAT_AMOUNT_NON_NEGATIVE_INTEGER'],
    ['vat a float', ['lines', 0, 'vatAmountMinor'], 0.5, 'LINE_VAT_AMOUNT_NON_NEGATIVE_INTEGER'],
    ['vat missing', ['lines', 0, 'vatAmountMinor'], undefined, 'FIELD_REQUIRED'],
    [
      'department too long',
      ['lines', 0, 'dimensions', 'department'],
      'D'.repeat(21),
      'LINE_DIMENSION_FORMAT',
    ],
    ['project with a tab', ['lines', 0, 'dimensions', 'project'], 'P\t1', 'LINE_DIMENSION_FORMAT'],
    ['cost centre empty', ['lines', 0, 'dimensions', 'costCentre'], '', 'LINE_DIMENSION_FORMAT'],
    ['unknown dimension', ['lines', 0, 'dimensions', 'region'], 'NORTH', 'UNKNOWN_FIELD'],
    ['unknown field', ['amount'], 5, 'UNKNOWN_FIELD'],
  ];
  it.each(cases)('%s → %s', (_name, path, value, rule) => {
    const verdict = checkExpenseRecordInput(withField(path, value));
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    // One finding for the field (an overflowing amount also overflows the record's total).
    expect(verdict.issues.filter((i) => i.rule !== 'RECORD_TOTAL_SAFE_INTEGER')).toHaveLength(1);
    expect(verdict.issues[0]?.rule).toBe(rule);
    expect(verdict.issues[0]?.path).toEqual(rule === 'LINES_COUNT' ? ['lines'] : path);
    expect(verdict.issues[0]?.message.length).toBeGreaterThan(5);
  });

  it('refuses a record whose total overflows, naming the total rule', () => {
    const big = Number.MAX_SAFE_INTEGER - 10;
    const verdict = checkExpenseRecordInput(
      withField(['lines'], [good().lines[0], { ...good().lines[0], amountMinor: big }]),
    );
    expect(verdict).toMatchObject({
      ok: false,
      issues: [{ rule: 'RECORD_TOTAL_SAFE_INTEGER', path: ['lines'] }],
    });
  });

  it('refuses what is not an object', () => {
    for (const value of [null, 'x', [good()], 5])
      expect(checkExpenseRecordInput(value)).toMatchObject({ ok: false, issues: [{ rule: 'RECORD_SHAPE' }] });
  });
});

describe('fingerprint and minor digits', () => {
  it('ignores key order and id case, sees every content change', () => {
    const a = good();
    const reordered = Object.fromEntries(
      Object.entries({ ...a, id: a.id.toUpperCase() }).reverse(),
    ) as ExpenseRecordInput;
    expect(expenseRecordFingerprint(reordered)).toBe(expenseRecordFingerprint(a));
    expect(expenseRecordFingerprint({ ...a, description: 'Other' })).not.toBe(expenseRecordFingerprint(a));
    const line = { ...(a.lines[0] as ExpenseRecordInput['lines'][number]), vatAmountMinor: 9_999 };
    expect(expenseRecordFingerprint({ ...a, lines: [line] })).not.toBe(expenseRecordFingerprint(a));
  });
  it('knows the ISO 4217 minor digits', () => {
    expect([currencyMinorDigits('NOK'), currencyMinorDigits('JPY'), currencyMinorDigits('KWD')]).toEqual([
      2, 0, 3,
    ]);
  });
});

describe('exchangeRate: the record’s own rate, a decimal string', () => {
  const euro = (exchangeRate: unknown) => ({ ...withField(['currency'], 'EUR'), exchangeRate });

  it('accepts a positive decimal string of at most 9 integer and 6 fractional digits', () => {
    for (const rate of ['11.4835', '0.000001', '123456789.123456', '1', '11.50']) {
      const verdict = checkExpenseRecordInput(euro(rate));
      expect(verdict.ok ? verdict.record.exchangeRate : verdict.issues).toBe(rate);
    }
  });

  it('refuses a number, zero, a sign, an exponent, too many digits — with EXCHANGE_RATE_FORMAT on exchangeRate', () => {
    for (const rate of [
      11.4835,
      '0',
      '0.000000',
      '-1.2',
      '+1.2',
      '1e3',
      '1.1234567',
      '1234567890',
      '011.5',
      '11.',
      '.5',
      '11,48',
      ' 11.48',
      '',
    ]) {
      const verdict = checkExpenseRecordInput(euro(rate));
      expect(verdict.ok, String(rate)).toBe(false);
      if (!verdict.ok) {
        expect(verdict.issues).toHaveLength(1);
        expect(verdict.issues[0]).toMatchObject({ rule: 'EXCHANGE_RATE_FORMAT', path: ['exchangeRate'] });
        expect(verdict.issues[0]?.message).toMatch(/exchangeRate/);
      }
    }
  });

  it('is part of the fingerprint, in its canonical text, and absent leaves the fingerprint as before', () => {
    const base = good();
    const rated = (exchangeRate: string): ExpenseRecordInput => ({ ...base, currency: 'EUR', exchangeRate });
    expect(expenseRecordFingerprint(rated('11.4835'))).not.toBe(expenseRecordFingerprint(rated('11.4836')));
    expect(expenseRecordFingerprint(rated('11.50'))).toBe(expenseRecordFingerprint(rated('11.5')));
    expect(expenseRecordFingerprint(rated('2.000'))).toBe(expenseRecordFingerprint(rated('2')));
    expect(expenseRecordFingerprint(rated('20'))).not.toBe(expenseRecordFingerprint(rated('2')));
    const unrated = { ...base, currency: 'EUR' };
    // Hashes stored before the field existed (migration 0014) are of exactly this array.
    expect(JSON.parse(expenseRecordFingerprint(unrated))).toHaveLength(9);
    expect(JSON.parse(expenseRecordFingerprint(rated('11.5'))).at(-1)).toBe('11.5');
  });
});

describe('ExportRecord.exchangeRate', () => {
  const record = {
    id: 'r-1',
    kind: 'expense_claim',
    amountMinor: 10_000,
    currency: 'EUR',
    bookingDate: '2026-11-03',
    account: '7100',
  };
  it('takes the same decimal string and refuses a number', () => {
    expect(exportRecordProblem({ ...record, exchangeRate: '11.4835' })).toBeUndefined();
    expect(exportRecordProblem({ ...record, exchangeRate: 11.4835 })).toMatch(/^exchangeRate: /);
    expect(exportRecordProblem({ ...record, exchangeRate: '0' })).toMatch(/greater than zero/);
  });
});
