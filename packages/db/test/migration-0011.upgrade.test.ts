import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../src/migrations.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../src/testing/index.js';
import { migrateBefore } from './migrated-before.helpers.js';
import { rawExec, rawQuery } from './raw-sql.helpers.js';

describe.each(DIALECTS)('migration 0011 on a %s database with records', (dialect) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.drop();
    t = undefined;
  });

  it('turns every record into one line at VAT ZERO with a demo employee and version 1; exports as before', async () => {
    t = await createTestDatabase(dialect, { migrate: false });
    await migrateBefore(t, '0011');
    const org = randomUUID();
    await rawExec(t.db.raw, 'INSERT INTO organizations (id, name, created_at) VALUES (?, ?, ?)', [
      org,
      'Old AS',
      '2026-01-01T00:00:00.000Z',
    ]);
    const ids = Array.from({ length: 12 }, () => randomUUID()).sort();
    for (const [i, id] of ids.entries())
      await rawExec(
        t.db.raw,
        `INSERT INTO expense_records (id, organization_id, kind, amount_minor, currency, booking_date, account, approval_state, description)
         VALUES (?, ?, 'expense_claim', ?, 'NOK', '2026-10-05', ?, ?, 'Old')`,
        [id, org, i === 11 ? 0 : 1_000 + i, `71${i}`, i === 10 ? 'draft' : 'approved'],
      );
    if (dialect === 'sqlite') {
      const { migrateSqliteConnection } = await import('../src/migrations.js');
      if (t.db.raw.dialect === 'sqlite') migrateSqliteConnection(t.db.raw.connection);
    } else await migrate(t.url);

    const lines = await rawQuery<{
      record_id: string;
      account: string;
      amount_minor: number | string;
      vat_code: string;
      vat_amount_minor: number | string;
    }>(
      t.db.raw,
      'SELECT record_id, account, amount_minor, vat_code, vat_amount_minor FROM expense_record_lines ORDER BY record_id',
    );
    expect(
      lines.map((l) => [
        l.record_id,
        l.account,
        Number(l.amount_minor),
        l.vat_code,
        Number(l.vat_amount_minor),
      ]),
    ).toEqual(ids.slice(0, 11).map((id, i) => [id, `71${i}`, 1_000 + i, 'ZERO', 0]));
    const records = await rawQuery<{
      id: string;
      version: number;
      employee_number: string;
      withdrawn_at: unknown;
    }>(t.db.raw, 'SELECT id, version, employee_number, withdrawn_at FROM expense_records ORDER BY id');
    expect(records.map((r) => r.employee_number)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `E${String(i + 1).padStart(3, '0')}`),
      'E001',
      'E002',
    ]);
    expect(records.every((r) => Number(r.version) === 1)).toBe(true);
    // The zero amount could not become a line: withdrawn, never exported.
    expect(records.map((r) => r.withdrawn_at !== null)).toEqual([...Array(11).fill(false), true]);

    const period = {
      organizationId: org,
      periodStart: '2026-10-01T00:00:00.000Z',
      periodEnd: '2026-10-31T23:59:59.999Z',
    };
    const exported = [];
    for await (const batch of t.db.expenseRecords.streamApproved(period, 100)) exported.push(...batch);
    expect(exported.map((r) => [r.id, r.amountMinor, r.account])).toEqual(
      ids.slice(0, 10).map((id, i) => [id, 1_000 + i, `71${i}`]),
    );
    // A migrated record goes out as its one line, at VAT ZERO, with its demo employee.
    expect(exported[1]).toEqual({
      id: ids[1],
      kind: 'expense_claim',
      amountMinor: 1_001,
      currency: 'NOK',
      bookingDate: '2026-10-05',
      account: '711',
      description: 'Old',
      employeeNumber: 'E002',
      lines: [{ account: '711', amountMinor: 1_001, vatCode: 'ZERO', vatAmountMinor: 0 }],
    });
    // A re-send of a migrated record's exact content is unchanged; another payload under version 1 is refused.
    const same = {
      id: ids[0],
      version: 1,
      kind: 'expense_claim',
      employeeNumber: 'E001',
      bookingDate: '2026-10-05',
      currency: 'NOK',
      description: 'Old',
      lines: [{ account: '710', amountMinor: 1_000, vatCode: 'ZERO', vatAmountMinor: 0 }],
    };
    expect(await t.db.expenseRecords.upsert(org, [same])).toEqual({
      upserted: 0,
      unchanged: 1,
      rejected: [],
    });
    const other = await t.db.expenseRecords.upsert(org, [{ ...same, description: 'New' }]);
    expect(other.rejected[0]?.issues[0]?.rule).toBe('VERSION_PAYLOAD_CONFLICT');
  });
});
