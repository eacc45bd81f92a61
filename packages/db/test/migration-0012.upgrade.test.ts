import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, migrateSqliteConnection } from '../src/migrations.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../src/testing/index.js';
import { migrateBefore } from './migrated-before.helpers.js';
import { rawExec, rawQuery } from './raw-sql.helpers.js';

describe.each(DIALECTS)('migration 0012 on a %s database with held records', (dialect) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.drop();
    t = undefined;
  });

  it('drops the posting hold: a record held for VAT and several lines is exported with all its lines', async () => {
    t = await createTestDatabase(dialect, { migrate: false });
    await migrateBefore(t, '0012');
    const org = randomUUID();
    await rawExec(t.db.raw, 'INSERT INTO organizations (id, name, created_at) VALUES (?, ?, ?)', [
      org,
      'Held AS',
      '2026-01-01T00:00:00.000Z',
    ]);
    const held = randomUUID();
    await rawExec(
      t.db.raw,
      `INSERT INTO expense_records (id, organization_id, kind, currency, booking_date, approval_state,
         version, employee_number, receipt_url, posting_hold, content_hash, updated_at)
       VALUES (?, ?, 'expense_claim', 'NOK', '2026-10-07', 'approved', 1, 'E007', 'https://r.example.com/1.pdf',
         'multiple_lines', 'h1', '2026-10-08T00:00:00.000Z')`,
      [held, org],
    );
    await rawExec(
      t.db.raw,
      `INSERT INTO expense_record_lines (record_id, line_no, account, amount_minor, vat_code, vat_amount_minor, department, project)
       VALUES (?, 1, '7140', 8000, 'HIGH', 2000, 'SALES', NULL), (?, 2, '7130', 1000, 'LOW', 120, NULL, 'P100')`,
      [held, held],
    );
    if (t.db.raw.dialect === 'sqlite') migrateSqliteConnection(t.db.raw.connection);
    else await migrate(t.url);

    const columns =
      dialect === 'sqlite'
        ? await rawQuery<{ name: string }>(t.db.raw, `SELECT name FROM pragma_table_info('expense_records')`)
        : await rawQuery<{ name: string }>(
            t.db.raw,
            `SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'expense_records'`,
          );
    expect(columns.map((c) => c.name)).not.toContain('posting_hold');
    const period = {
      organizationId: org,
      periodStart: '2026-10-01T00:00:00.000Z',
      periodEnd: '2026-10-31T23:59:59.999Z',
    };
    expect(await t.db.expenseRecords.countApproved(period)).toBe(1);
    const exported = [];
    for await (const batch of t.db.expenseRecords.streamApproved(period, 10)) exported.push(...batch);
    expect(exported).toEqual([
      {
        id: held,
        kind: 'expense_claim',
        amountMinor: 11_120,
        currency: 'NOK',
        bookingDate: '2026-10-07',
        account: '7140',
        employeeNumber: 'E007',
        receiptUrl: 'https://r.example.com/1.pdf',
        lines: [
          {
            account: '7140',
            amountMinor: 8_000,
            vatCode: 'HIGH',
            vatAmountMinor: 2_000,
            dimensions: { department: 'SALES' },
          },
          {
            account: '7130',
            amountMinor: 1_000,
            vatCode: 'LOW',
            vatAmountMinor: 120,
            dimensions: { project: 'P100' },
          },
        ],
      },
    ]);
  });
});
