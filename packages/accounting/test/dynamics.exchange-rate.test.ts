import type { ExportRecord } from '@meander/domain';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { convertsSafely } from '../src/decimal-amount.js';
import { type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { createAdapter, DynamicsAdapter } from '../src/index.js';
import { localAmount } from '../src/systems/dynamics/dynamics-money.js';
import { DEMO_DYNAMICS_VAT_CODES } from '../src/systems/dynamics/emulator/dynamics-emulated-system.js';
import { balancesOf } from '../src/systems/dynamics/emulator/dynamics-ledger.js';
import { postedCounts } from './support/dynamics.js';
import { batchContext, fastOptions, makeRecords } from './support/fixtures.js';

/*
 * A record's own exchange rate (issue 24, foreign currency). V BCApps `APIV2JournalLines.Page.al`:
 * the journal line API has no currency field, so every amount is sent in the company's local
 * currency — converted by the adapter, at the record's own rate when it has one.
 */

describe('localAmount at the record’s own rate — decimal arithmetic, half away from zero', () => {
  it('prefers the record’s rate over the connection’s fixed one', () => {
    const eur = { amountMinor: 10_000, currency: 'EUR', exchangeRate: '11.4835' };
    expect(localAmount(eur, 'NOK', { EUR: '11.5' })).toBe('1148.35');
    expect(localAmount(eur, 'NOK', undefined)).toBe('1148.35');
    expect(localAmount({ amountMinor: 10_000, currency: 'EUR' }, 'NOK', { EUR: '11.5' })).toBe('1150.00');
  });

  it('rounds half away from zero to the local minor unit, for both signs and six rate decimals', () => {
    expect(localAmount({ amountMinor: 1, currency: 'EUR', exchangeRate: '0.5' }, 'NOK', undefined)).toBe(
      '0.01',
    );
    expect(localAmount({ amountMinor: -1, currency: 'EUR', exchangeRate: '0.5' }, 'NOK', undefined)).toBe(
      '-0.01',
    );
    expect(localAmount({ amountMinor: 1, currency: 'EUR', exchangeRate: '0.499999' }, 'NOK', undefined)).toBe(
      '0.00',
    );
    // 123.45 × 11.483517 = 1417.6402… ; 0.1 + 0.2-style float error would show in the last digit.
    expect(
      localAmount({ amountMinor: 12_345, currency: 'EUR', exchangeRate: '11.483517' }, 'NOK', undefined),
    ).toBe('1417.64');
    // To a 0-decimal local currency: EUR 12.34 × 162.123 = JPY 2000.598… → 2001.
    expect(
      localAmount({ amountMinor: 1_234, currency: 'EUR', exchangeRate: '162.123' }, 'JPY', undefined),
    ).toBe('2001');
    // From a 3-decimal currency: KWD 1.005 × 34.5 = NOK 34.6725 → 34.67.
    expect(localAmount({ amountMinor: 1_005, currency: 'KWD', exchangeRate: '34.5' }, 'NOK', undefined)).toBe(
      '34.67',
    );
  });

  it('never converts a record in the local currency, whatever rate it carries', () => {
    expect(localAmount({ amountMinor: 10_000, currency: 'NOK', exchangeRate: '2' }, 'NOK', undefined)).toBe(
      '100.00',
    );
  });

  it('knows when a total at its rate leaves the safe integers', () => {
    expect(convertsSafely(10_000_000_000, 'EUR', 'NOK', '999999')).toBe(false);
    expect(convertsSafely(9_000_000, 'EUR', 'NOK', '999999')).toBe(true);
    expect(convertsSafely(-10_000_000_000, 'EUR', 'NOK', '999999')).toBe(false);
  });
});

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const euro = (id: string, exchangeRate?: string): ExportRecord =>
  ({
    ...makeRecords(1, id, { currency: 'EUR', amountMinor: 10_000 })[0],
    ...(exchangeRate ? { exchangeRate } : {}),
  }) as ExportRecord;

describe('Business Central books a foreign record at its own rate', () => {
  it('posts at the record’s rate, the record without one at the fixed rate, and refuses one with neither', async () => {
    const own = euro('own', '11.4835');
    const fixed = euro('fixed');
    const connection = { ...emulators.connections.dynamics, currencyRates: 'EUR=11.5' };
    const result = await createAdapter('dynamics', connection, fastOptions()).pushBatch(
      [own, fixed],
      batchContext(),
    );
    expect(result.rejected).toEqual([]);
    const debits = emulators
      .ledger('dynamics')
      .filter((e) => e.debitAmount !== '0')
      .map((e) => e.debitAmount);
    expect(debits).toEqual(['1148.35', '1150']);

    emulators.reset();
    const plain = await createAdapter('dynamics', emulators.connections.dynamics, fastOptions()).pushBatch(
      [own, fixed],
      batchContext(),
    );
    expect(plain.accepted.map((a) => a.recordId)).toEqual([own.id]);
    expect(plain.rejected).toEqual([
      expect.objectContaining({ recordId: fixed.id, code: 'PREFLIGHT_FOREIGN_CURRENCY', retryable: false }),
    ]);
    expect(plain.rejected[0]?.reason).toMatch(/exchangeRate.*currencyRates/);
    expect(postedCounts(emulators, [fixed]).get(fixed.id)).toBe(0);
  });

  it('books every line and its VAT at the rate: the employee is owed the converted gross', async () => {
    const claim: ExportRecord = {
      id: 'claim-eur',
      kind: 'expense_claim',
      amountMinor: 34_900,
      currency: 'EUR',
      exchangeRate: '11.4835',
      bookingDate: '2024-05-15',
      account: '7160',
      employeeNumber: 'E003',
      lines: [
        { account: '7160', amountMinor: 10_000, vatCode: 'HIGH', vatAmountMinor: 2_500 },
        { account: '7140', amountMinor: 20_000, vatCode: 'LOW', vatAmountMinor: 2_400 },
      ],
    };
    const connection = { ...emulators.connections.dynamics, vatCodes: DEMO_DYNAMICS_VAT_CODES };
    const result = await createAdapter('dynamics', connection, fastOptions()).pushBatch(
      [claim],
      batchContext(),
    );
    expect(result.rejected).toEqual([]);
    // 125.00 × 11.4835 = 1435.44 (1435.4375), 224.00 × 11.4835 = 2572.30 (2572.304): 4007.74 owed.
    expect(balancesOf(emulators.ledger('dynamics')).employees).toEqual({ E003: '-4007.74' });
  });

  it('shows the converted amount in the pre-flight, writing nothing', async () => {
    const own = euro('own', '11.4835');
    const result = await new DynamicsAdapter(emulators.connections.dynamics, fastOptions()).preflight([own], {
      organizationId: '22222222-2222-4222-8222-222222222222',
    });
    expect(result.rejected).toEqual([]);
    expect(result.documents[0]?.lines.map((l) => [l.amount, l.currency])).toEqual([
      ['1148.35', 'NOK'],
      ['-1148.35', 'NOK'],
    ]);
    expect(emulators.stats('dynamics').writes).toBe(0);
  });

  it('refuses a record whose total at its rate is beyond what can be booked, and posts the rest', async () => {
    const huge = { ...euro('huge', '999999999'), amountMinor: 9_000_000_000 };
    const fine = euro('fine', '11.4835');
    const result = await createAdapter('dynamics', emulators.connections.dynamics, fastOptions()).pushBatch(
      [huge, fine],
      batchContext(),
    );
    expect(result.accepted.map((a) => a.recordId)).toEqual([fine.id]);
    expect(result.rejected).toEqual([
      expect.objectContaining({
        recordId: huge.id,
        code: 'PREFLIGHT_FOREIGN_CURRENCY',
        category: 'validation',
      }),
    ]);
    expect(result.rejected[0]?.reason).toMatch(/rate 999999999 exceeds/);
  });
});
