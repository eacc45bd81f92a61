import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { EXPORT_RECORD_KINDS, exportRecordProblem, exportRecordSchema } from '../src/index.js';

const RECORD = {
  id: 'rec-2026-10-0001',
  kind: 'expense_claim',
  amountMinor: 12_345,
  currency: 'NOK',
  bookingDate: '2026-10-05',
  account: '6800',
  description: 'Taxi to the client',
} as const;

/** Field values near and across every bound the schema draws, plus wrong types. */
const fieldValue = {
  id: fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,70}$/),
    fc.string({ maxLength: 70 }),
    fc.constantFrom('', 'a', '-lead', 'x'.repeat(64), 'x'.repeat(65), 'ünï', 'a b'),
    fc.anything(),
  ),
  kind: fc.oneof(fc.constantFrom(...EXPORT_RECORD_KINDS, 'refund', 'EXPENSE_CLAIM', ''), fc.anything()),
  amountMinor: fc.oneof(
    fc.integer(),
    fc.double(),
    fc.constantFrom(0, -1, 2 ** 53 - 1, 2 ** 53, -(2 ** 53), 1.5, Number.NaN, Number.POSITIVE_INFINITY, -0),
    fc.bigInt(),
    fc.anything(),
  ),
  currency: fc.oneof(
    fc.constantFrom('NOK', 'EUR', 'nok', 'NO', 'NOKK', ''),
    fc.string({ maxLength: 4 }),
    fc.anything(),
  ),
  bookingDate: fc.oneof(
    fc.constantFrom(
      '2026-10-05',
      '2026-02-29',
      '2024-02-29',
      '2026-13-01',
      '2026-10-5',
      '2026-10-05T00:00:00Z',
      '',
    ),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    fc.string({ maxLength: 12 }),
    fc.anything(),
  ),
  account: fc.oneof(
    fc.string({ maxLength: 45 }),
    fc.constantFrom('', '6800', 'a'.repeat(40), 'a'.repeat(41)),
    fc.anything(),
  ),
  description: fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 20 }),
    fc.constantFrom('d'.repeat(500), 'd'.repeat(501)),
    fc.anything(),
  ),
  employeeNumber: fc.oneof(
    fc.constant(undefined),
    fc.constantFrom('E001', '', 'e'.repeat(20), 'e'.repeat(21)),
    fc.string({ maxLength: 22 }),
    fc.anything(),
  ),
  receiptUrl: fc.oneof(
    fc.constant(undefined),
    fc.constantFrom('https://receipts.example.com/1.pdf', '', 'h'.repeat(2_048), 'h'.repeat(2_049)),
    fc.string({ maxLength: 30 }),
    fc.anything(),
  ),
  lines: fc.oneof(
    fc.constant(undefined),
    fc.array(
      fc.record(
        {
          account: fc.oneof(fc.constantFrom('7100', '', 'a'.repeat(40), 'a'.repeat(41)), fc.anything()),
          amountMinor: fc.oneof(
            fc.integer({ min: -2, max: 100_000 }),
            fc.constantFrom(1.5, 2 ** 53),
            fc.anything(),
          ),
          vatCode: fc.oneof(fc.constantFrom('HIGH', 'ZERO', 'EXEMPT', 'high', ''), fc.anything()),
          vatAmountMinor: fc.oneof(fc.integer({ min: -2, max: 30_000 }), fc.constantFrom(0.5), fc.anything()),
          dimensions: fc.oneof(
            fc.record(
              {
                department: fc.oneof(
                  fc.constantFrom('SALES', '', 'd'.repeat(20), 'd'.repeat(21)),
                  fc.anything(),
                ),
                project: fc.constantFrom('P100', ''),
                costCentre: fc.string({ maxLength: 22 }),
              },
              { requiredKeys: [] },
            ),
            fc.dictionary(
              fc.constantFrom('department', 'project', 'other', '__proto__'),
              fc.string({ maxLength: 3 }),
            ),
            fc.anything(),
          ),
          extra: fc.anything(),
        },
        { requiredKeys: ['account', 'amountMinor', 'vatCode', 'vatAmountMinor'] },
      ),
      { maxLength: 3 },
    ),
    fc.constant(
      Array.from({ length: 51 }, () => ({
        account: '7100',
        amountMinor: 1,
        vatCode: 'ZERO',
        vatAmountMinor: 0,
      })),
    ),
    fc.anything(),
  ),
  postingRound: fc.oneof(
    fc.constant(undefined),
    fc.integer({ min: -2, max: 5 }),
    fc.constantFrom(1, 2, 2 ** 53 - 1, 2 ** 53, 1.5, '2', Number.NaN, -0),
    fc.anything(),
  ),
};

/** A record with some fields replaced, removed, or an extra key added. */
const candidate = fc
  .record({
    replace: fc.subarray(Object.keys(fieldValue) as (keyof typeof fieldValue)[]),
    drop: fc.subarray(Object.keys(RECORD) as (keyof typeof RECORD)[], { maxLength: 2 }),
    extra: fc.option(
      fc.tuple(fc.constantFrom('amount', 'constructor', 'toString', '__proto__', 'x'), fc.anything()),
    ),
    values: fc.record(fieldValue),
  })
  .map(({ replace, drop, extra, values }) => {
    const value: Record<string, unknown> = { ...RECORD };
    for (const key of replace) value[key] = values[key];
    for (const key of drop) delete value[key];
    if (extra)
      Object.defineProperty(value, extra[0], {
        value: extra[1],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return value;
  });

const schemaVerdict = (value: unknown) => {
  const parsed = exportRecordSchema.safeParse(value);
  return parsed.success
    ? undefined
    : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
};

describe('exportRecordProblem: the schema’s verdict, without running the schema on a plain record', () => {
  it('recognises a posting-model record (lines with VAT and dimensions, employee, receipt) without the schema', () => {
    const record = {
      ...RECORD,
      amountMinor: 11_120,
      employeeNumber: 'E007',
      receiptUrl: 'https://receipts.example.com/1.pdf',
      lines: [
        {
          account: '7140',
          amountMinor: 8_000,
          vatCode: 'HIGH',
          vatAmountMinor: 2_000,
          dimensions: { department: 'SALES' },
        },
        { account: '7130', amountMinor: 1_000, vatCode: 'LOW', vatAmountMinor: 120 },
      ],
    };
    const schema = vi.spyOn(exportRecordSchema, 'safeParse');
    try {
      expect(exportRecordProblem(record)).toBeUndefined();
      expect(schema).not.toHaveBeenCalled();
      // An unknown dimension key is the schema's to refuse.
      const [first, second] = record.lines;
      expect(
        exportRecordProblem({ ...record, lines: [{ ...first, dimensions: { region: 'NORTH' } }, second] }),
      ).toMatch(/^lines\.0\.dimensions: /);
      expect(schema).toHaveBeenCalled();
    } finally {
      schema.mockRestore();
    }
  });

  it('agrees with exportRecordSchema on every input, valid or not (fast-check, 5,000 cases)', () => {
    fc.assert(
      fc.property(fc.oneof(candidate, fc.anything()), (value) => {
        expect(exportRecordProblem(value)).toEqual(schemaVerdict(value));
      }),
      { numRuns: 5_000 },
    );
  });

  it('names the field and the rule when a record is not one', () => {
    expect(exportRecordProblem(RECORD)).toBeUndefined();
    expect(exportRecordProblem({ ...RECORD, amountMinor: 12.5 })).toMatch(/^amountMinor: /);
    expect(exportRecordProblem({ ...RECORD, currency: 'nok' })).toBe(
      'currency: Currency must be an ISO-4217 code such as NOK',
    );
    expect(exportRecordProblem({ ...RECORD, bookingDate: '2026-02-30' })).toMatch(/^bookingDate: /);
    expect(exportRecordProblem({ ...RECORD, account: 'a'.repeat(41) })).toMatch(/^account: /);
    expect(exportRecordProblem({ ...RECORD, payee: 'Kari Nordmann' })).toMatch(/payee/);
    expect(exportRecordProblem(Object.assign(Object.create({ inherited: true }), RECORD))).toMatch(
      /inherited/,
    );
    expect(exportRecordProblem(null)).toMatch(/expected object/);
    expect(exportRecordProblem({ ...RECORD, postingRound: 2 })).toBeUndefined();
    expect(exportRecordProblem({ ...RECORD, postingRound: 0 })).toMatch(/^postingRound: /);
    expect(exportRecordProblem({ ...RECORD, postingRound: 1.5 })).toMatch(/^postingRound: /);
  });
});
