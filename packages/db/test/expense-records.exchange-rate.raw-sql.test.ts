import { randomUUID } from 'node:crypto';
import { EXCHANGE_RATE_PATTERN } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, givenOrganization, type TestDatabase } from '../src/testing/index.js';
import { rawError, rawQuery } from './raw-sql.helpers.js';

const ACCEPTED = ['11.4835', '0.000001', '123456789.123456', '1', '11.50', '0.5'];
const REFUSED = [
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
  '1.2.3',
  'abc',
];

/**
 * The database refuses an exchange rate the intake refuses (migration 0014), even from a raw caller
 * that skips the store: the CHECK is the domain's pattern on both dialects (GLOB on SQLite).
 */
describe.each(DIALECTS)('the database checks expense_records.exchange_rate on %s', (dialect) => {
  let t: TestDatabase;
  let orgId: string;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    orgId = (await givenOrganization(t.db)).id;
  });
  afterAll(async () => t?.drop());

  const insert = (exchangeRate: string | null) =>
    rawError(
      t.db.raw,
      `INSERT INTO expense_records (id, organization_id, kind, currency, booking_date, approval_state, version,
         employee_number, content_hash, updated_at, exchange_rate)
       VALUES (?, ?, 'expense_claim', 'EUR', '2026-10-01', 'approved', 1, 'E001', 'h1', '2026-10-01T00:00:00.000Z', ?)`,
      [randomUUID(), orgId, exchangeRate],
    );

  it('takes no rate, and every rate the domain takes, as the text it was', async () => {
    expect(await insert(null)).toBeNull();
    for (const rate of ACCEPTED) {
      expect(EXCHANGE_RATE_PATTERN.test(rate), rate).toBe(true);
      expect(await insert(rate), rate).toBeNull();
    }
    const stored = await rawQuery<{ exchange_rate: string }>(
      t.db.raw,
      'SELECT exchange_rate FROM expense_records WHERE exchange_rate IS NOT NULL ORDER BY exchange_rate',
    );
    expect(stored.map((r) => r.exchange_rate).sort()).toEqual([...ACCEPTED].sort());
  });

  it('refuses zero, a sign, an exponent, a comma, too many digits, a leading zero, a bare point', async () => {
    for (const rate of REFUSED)
      expect(await insert(rate), JSON.stringify(rate)).toMatch(/ck_expense_records_exchange_rate/);
  });
});
