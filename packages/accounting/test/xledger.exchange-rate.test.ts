import { canonicalExchangeRate, type ExportRecord } from '@meander/domain';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_XLEDGER_POSTING_MODEL,
  type RunningEmulators,
  startEmulators,
  xledgerBalancesOf,
} from '../src/emulators/index.js';
import { createAdapter } from '../src/index.js';
import { batchContext, fastOptions, makeRecords } from './support/fixtures.js';

// A record's own exchange rate (issue 24, foreign currency). V: the GL import item input takes
// `currency`, `amount`, `invoiceAmount` and `exchangeRate` (grasp-labs
// `glImportItems/create/metadata.json`: `exchangeRate` "float", `invoiceAmount`, `amount`,
// `currency_code`; go-xledger `types.go` GLImportItem read fields `amount`, `invoiceAmount`,
// `currency`, `exchangeRate`). I: `amount` in the entity's currency, `invoiceAmount` in `currency`.

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const adapter = (settings: Record<string, string> = {}) =>
  createAdapter(
    'xledger',
    {
      ...emulators.connections.xledger,
      ...DEMO_XLEDGER_POSTING_MODEL,
      acceptedCurrencies: 'EUR',
      ...settings,
    },
    fastOptions(),
  );

/** The posting-model claim (gross 287.00: 125.00 at 25 %, 112.00 at 12 %, 50.00 without VAT), in EUR. */
function euroClaim(id: string, overrides: Partial<ExportRecord> = {}): ExportRecord {
  return {
    id,
    kind: 'expense_claim',
    amountMinor: 28_700,
    currency: 'EUR',
    exchangeRate: '11.4835',
    bookingDate: '2024-05-15',
    account: '7140',
    employeeNumber: 'E003',
    lines: [
      { account: '7140', amountMinor: 10_000, vatCode: 'HIGH', vatAmountMinor: 2_500 },
      { account: '7160', amountMinor: 10_000, vatCode: 'LOW', vatAmountMinor: 1_200 },
      { account: '7150', amountMinor: 5_000, vatCode: 'ZERO', vatAmountMinor: 0 },
    ],
    ...overrides,
  };
}

describe('Xledger books a foreign record at its own rate', () => {
  it('sends the local amount, the amount in the record’s currency and the rate on every item; the emulator keeps them', async () => {
    const result = await adapter().pushBatch([euroClaim('eur-0001')], batchContext());
    expect(result.rejected).toEqual([]);
    const items = emulators.ledger('xledger');
    expect(
      items.map((i) => [i.extIdentifier, i.amount, i.taxAmount, i.currency, i.invoiceAmount, i.exchangeRate]),
    ).toEqual([
      // 125 × 11.4835 = 1435.4375, VAT 25 × 11.4835 = 287.0875; 112 → 1286.152, 12 → 137.802; 50 → 574.175.
      ['eur-0001', '1435.44', '287.09', 'EUR', '125.00', '11.4835'],
      ['eur-0001:2', '1286.15', '137.80', 'EUR', '112.00', '11.4835'],
      ['eur-0001:3', '574.18', '0.00', 'EUR', '50.00', '11.4835'],
      // The negated sum of the converted lines (287.00 × 11.4835 would be 3295.76): the voucher balances.
      ['eur-0001:contra', '-3295.77', null, 'EUR', '-287.00', '11.4835'],
    ]);
    expect(items.every((i) => i.status === 'processed')).toBe(true);
    expect(xledgerBalancesOf(emulators.xledgerJournalEntries()).subledgers).toEqual({ E003: '-3295.77' });
  });

  it('sends a record without its own rate as before: its amount in its currency, no rate', async () => {
    const [plain] = makeRecords(1, 'eur', { currency: 'EUR' });
    const result = await adapter().pushBatch([plain as ExportRecord], batchContext());
    expect(result.rejected).toEqual([]);
    expect(
      emulators.ledger('xledger').map((i) => [i.amount, i.currency, i.invoiceAmount, i.exchangeRate]),
    ).toEqual([
      ['100.01', 'EUR', null, null],
      ['-100.01', 'EUR', null, null],
    ]);
  });

  it('never converts a record in the local currency, whatever rate it carries', async () => {
    const [nok] = makeRecords(1, 'nok', { exchangeRate: '2' });
    await adapter().pushBatch([nok as ExportRecord], batchContext());
    expect(emulators.ledger('xledger').map((i) => [i.amount, i.currency, i.exchangeRate])).toEqual([
      ['100.01', 'NOK', null],
      ['-100.01', 'NOK', null],
    ]);
  });

  it('shows the converted amounts in the local currency in the pre-flight, writing nothing', async () => {
    const result = await adapter().preflight([euroClaim('eur-0002')], {
      organizationId: batchContext().organizationId,
    });
    expect(result.rejected).toEqual([]);
    expect(result.documents[0]?.lines.map((l) => [l.amount, l.currency])).toEqual([
      ['1435.44', 'NOK'],
      ['1286.15', 'NOK'],
      ['574.18', 'NOK'],
      ['-3295.77', 'NOK'],
    ]);
    expect(emulators.ledger('xledger')).toEqual([]);
  });

  it('refuses a record whose total at its rate is beyond what can be booked, and posts the rest', async () => {
    const huge = euroClaim('eur-huge', {
      exchangeRate: '999999999',
      amountMinor: 10_000_000_000,
      lines: [{ account: '7150', amountMinor: 10_000_000_000, vatCode: 'ZERO', vatAmountMinor: 0 }],
    });
    const result = await adapter().pushBatch([huge, euroClaim('eur-0003')], batchContext());
    expect(result.accepted.map((a) => a.recordId)).toEqual(['eur-0003']);
    expect(result.rejected).toEqual([
      expect.objectContaining({
        recordId: 'eur-huge',
        code: 'PREFLIGHT_FOREIGN_CURRENCY',
        category: 'validation',
      }),
    ]);
    expect(result.rejected[0]?.reason).toMatch(/rate 999999999 exceeds/);
  });

  it('the Float on the wire is the rate’s own digits: every rate of the domain’s format survives JSON as a number', () => {
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const rates = ['999999999.999999', '0.000001', '123456789.123456', '11.4835', '0.1', '100000000.000001'];
    for (let i = 0; i < 5_000; i += 1) {
      const whole = String(next(1_000_000_000));
      const fraction = String(next(1_000_000))
        .padStart(6, '0')
        .slice(0, 1 + next(6));
      rates.push(`${whole}.${fraction}`);
    }
    for (const rate of rates.filter((r) => /[1-9]/.test(r)))
      expect(JSON.stringify(Number(rate)), rate).toBe(canonicalExchangeRate(rate));
  });
});
