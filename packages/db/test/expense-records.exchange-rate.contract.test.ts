import { randomUUID } from 'node:crypto';
import type { ExpenseRecordInput, ExportRecord } from '@meander/domain';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrate, migrateSqliteConnection } from '../src/migrations.js';
import { createTestDatabase, DIALECTS, givenOrganization, type TestDatabase } from '../src/testing/index.js';
import { migrateBefore } from './migrated-before.helpers.js';
import { rawExec } from './raw-sql.helpers.js';

const aRecord = (overrides: Partial<ExpenseRecordInput> = {}): ExpenseRecordInput => ({
  id: randomUUID(),
  version: 1,
  kind: 'expense_claim',
  employeeNumber: 'E003',
  bookingDate: '2026-10-05',
  currency: 'EUR',
  lines: [{ account: '7140', amountMinor: 12_345, vatCode: 'ZERO', vatAmountMinor: 0 }],
  ...overrides,
});

const october = { periodStart: '2026-10-01T00:00:00.000Z', periodEnd: '2026-10-31T23:59:59.999Z' };

async function exported(t: TestDatabase, organizationId: string): Promise<Map<string, ExportRecord>> {
  const out = new Map<string, ExportRecord>();
  for await (const batch of t.db.expenseRecords.streamApproved({ organizationId, ...october }, 2))
    for (const record of batch) out.set(record.id, record);
  return out;
}

describe.each(DIALECTS)('the record’s own exchange rate on %s', (dialect) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(async () => t?.drop());

  it('stores the rate as the text it was sent, reads it back and streams it to the adapters', async () => {
    const orgId = (await givenOrganization(t.db)).id;
    const rated = aRecord({ exchangeRate: '11.4835' });
    const unrated = aRecord({ currency: 'NOK' });
    const trailing = aRecord({ exchangeRate: '0.50' });
    expect(await t.db.expenseRecords.upsert(orgId, [rated, unrated, trailing])).toEqual({
      upserted: 3,
      unchanged: 0,
      rejected: [],
    });
    expect((await t.db.expenseRecords.get(orgId, rated.id))?.exchangeRate).toBe('11.4835');
    expect(await t.db.expenseRecords.get(orgId, unrated.id)).not.toHaveProperty('exchangeRate');
    const stream = await exported(t, orgId);
    expect(stream.get(rated.id)).toMatchObject({
      currency: 'EUR',
      exchangeRate: '11.4835',
      amountMinor: 12_345,
    });
    expect(stream.get(trailing.id)?.exchangeRate).toBe('0.50');
    expect(stream.get(unrated.id)).not.toHaveProperty('exchangeRate');
  });

  it('compares the rate as part of the payload: the same rate is unchanged, another needs a higher version', async () => {
    const orgId = (await givenOrganization(t.db)).id;
    const record = aRecord({ exchangeRate: '11.50' });
    await t.db.expenseRecords.upsert(orgId, [record]);
    // The same rate written otherwise is the same payload.
    expect(await t.db.expenseRecords.upsert(orgId, [{ ...record, exchangeRate: '11.5' }])).toMatchObject({
      upserted: 0,
      unchanged: 1,
    });
    const conflict = await t.db.expenseRecords.upsert(orgId, [{ ...record, exchangeRate: '11.6' }]);
    expect(conflict.rejected[0]?.issues[0]?.rule).toBe('VERSION_PAYLOAD_CONFLICT');
    const dropped = await t.db.expenseRecords.upsert(
      orgId,
      [{ ...record }].map(({ exchangeRate: _, ...r }) => r),
    );
    expect(dropped.rejected[0]?.issues[0]?.rule).toBe('VERSION_PAYLOAD_CONFLICT');

    // A higher version changes the rate, then drops it: the stored row follows.
    await t.db.expenseRecords.upsert(orgId, [{ ...record, version: 2, exchangeRate: '11.6' }]);
    expect((await exported(t, orgId)).get(record.id)?.exchangeRate).toBe('11.6');
    const { exchangeRate: _, ...withoutRate } = record;
    await t.db.expenseRecords.upsert(orgId, [{ ...withoutRate, version: 3 }]);
    expect((await exported(t, orgId)).get(record.id)).not.toHaveProperty('exchangeRate');
    expect((await t.db.expenseRecords.get(orgId, record.id))?.version).toBe(3);
  });

  it('refuses a rate that is a number or not a positive decimal, naming EXCHANGE_RATE_FORMAT, and writes nothing of it', async () => {
    const orgId = (await givenOrganization(t.db)).id;
    const bad = [
      { ...aRecord(), exchangeRate: 11.4835 },
      { ...aRecord(), exchangeRate: '0' },
      { ...aRecord(), exchangeRate: '1.1234567' },
    ];
    const good = aRecord({ exchangeRate: '1.1' });
    const result = await t.db.expenseRecords.upsert(orgId, [...bad, good]);
    expect(result.upserted).toBe(1);
    expect(result.rejected.map((r) => [r.id, r.issues.map((i) => [i.rule, i.path.join('.')])])).toEqual(
      bad.map((r) => [r.id, [['EXCHANGE_RATE_FORMAT', 'exchangeRate']]]),
    );
    expect([...(await exported(t, orgId)).keys()]).toEqual([good.id]);
  });
});

describe.each(DIALECTS)('migration 0014 on a %s database migrated before it', (dialect) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.drop();
    t = undefined;
  });

  // drizzle's migrator applies only migrations whose journal `when` is later than the last applied
  // one's: a `when` below 0012's would leave this database without the column.
  it('is applied after 0012: old records stream without a rate, new versions store one', async () => {
    t = await createTestDatabase(dialect, { migrate: false });
    await migrateBefore(t, '0014');
    const org = randomUUID();
    await rawExec(t.db.raw, 'INSERT INTO organizations (id, name, created_at) VALUES (?, ?, ?)', [
      org,
      'Before AS',
      '2026-01-01T00:00:00.000Z',
    ]);
    const old = randomUUID();
    await rawExec(
      t.db.raw,
      `INSERT INTO expense_records (id, organization_id, kind, currency, booking_date, approval_state,
         version, employee_number, content_hash, updated_at)
       VALUES (?, ?, 'expense_claim', 'EUR', '2026-10-07', 'approved', 1, 'E007', 'h1', '2026-10-08T00:00:00.000Z')`,
      [old, org],
    );
    await rawExec(
      t.db.raw,
      `INSERT INTO expense_record_lines (record_id, line_no, account, amount_minor, vat_code, vat_amount_minor)
       VALUES (?, 1, '7140', 8000, 'ZERO', 0)`,
      [old],
    );
    if (t.db.raw.dialect === 'sqlite') migrateSqliteConnection(t.db.raw.connection);
    else await migrate(t.url);

    expect((await exported(t, org)).get(old)).not.toHaveProperty('exchangeRate');
    const next = aRecord({ id: old, version: 2, bookingDate: '2026-10-07', exchangeRate: '11.4835' });
    expect(await t.db.expenseRecords.upsert(org, [next])).toMatchObject({ upserted: 1, rejected: [] });
    expect((await exported(t, org)).get(old)?.exchangeRate).toBe('11.4835');
  });
});
