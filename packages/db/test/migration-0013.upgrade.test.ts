import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, migrateSqliteConnection } from '../src/migrations.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../src/testing/index.js';
import { migrateBefore } from './migrated-before.helpers.js';
import { rawError, rawExec, rawQuery } from './raw-sql.helpers.js';

describe.each(DIALECTS)('migration 0013 on a %s database with records', (dialect) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.drop();
    t = undefined;
  });

  it('puts every existing record in posting round 1, which no plain update moves', async () => {
    t = await createTestDatabase(dialect, { migrate: false });
    await migrateBefore(t, '0013');
    const org = randomUUID();
    await rawExec(t.db.raw, 'INSERT INTO organizations (id, name, created_at) VALUES (?, ?, ?)', [
      org,
      'Rounds AS',
      '2026-01-01T00:00:00.000Z',
    ]);
    const record = randomUUID();
    await rawExec(
      t.db.raw,
      `INSERT INTO expense_records (id, organization_id, kind, currency, booking_date, approval_state,
         version, employee_number, content_hash, updated_at)
       VALUES (?, ?, 'expense_claim', 'NOK', '2026-10-07', 'approved', 1, 'E007', 'h1', '2026-10-08T00:00:00.000Z')`,
      [record, org],
    );
    if (t.db.raw.dialect === 'sqlite') migrateSqliteConnection(t.db.raw.connection);
    else await migrate(t.url);

    const rows = await rawQuery<{ posting_round: number | string }>(
      t.db.raw,
      'SELECT posting_round FROM expense_records WHERE id = ?',
      [record],
    );
    expect(rows.map((r) => Number(r.posting_round))).toEqual([1]);
    // Not posted, the record still cannot move its round: only a release does.
    expect(
      await rawError(t.db.raw, 'UPDATE expense_records SET posting_round = 2 WHERE id = ?', [record]),
    ).toMatch(/RECORD_IMMUTABLE/);
  });
});
