import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, givenOrganization, type TestDatabase } from '../src/testing/index.js';
import { rawError, rawExec, rawQuery } from './raw-sql.helpers.js';

/**
 * The database refuses what the intake refuses (migration 0011), even from a raw caller that skips
 * the store: non-positive amounts, negative VAT, unknown VAT codes and holds, a version that goes
 * down, another payload under the same version, and any change to a posted record or its lines.
 */
describe.each(DIALECTS)('the database enforces the intake rules on %s', (dialect) => {
  let t: TestDatabase;
  let orgId: string;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    orgId = (await givenOrganization(t.db)).id;
  });
  afterAll(async () => t?.drop());

  /** A stored one-line record, inserted raw. */
  async function aRow(overrides: Record<string, unknown> = {}): Promise<string> {
    const id = randomUUID();
    const row = {
      id,
      organization_id: orgId,
      kind: 'expense_claim',
      currency: 'NOK',
      booking_date: '2026-10-01',
      approval_state: 'approved',
      version: 1,
      employee_number: 'E001',
      content_hash: 'h1',
      updated_at: '2026-10-01T00:00:00.000Z',
      ...overrides,
    };
    const columns = Object.keys(row);
    await rawExec(
      t.db.raw,
      `INSERT INTO expense_records (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      Object.values(row),
    );
    await rawExec(
      t.db.raw,
      `INSERT INTO expense_record_lines (record_id, line_no, account, amount_minor, vat_code, vat_amount_minor) VALUES (?, 1, '7100', 100, 'ZERO', 0)`,
      [id],
    );
    return id;
  }

  const line = (recordId: string, values: string) =>
    rawError(
      t.db.raw,
      `INSERT INTO expense_record_lines (record_id, line_no, account, amount_minor, vat_code, vat_amount_minor) VALUES (?, ${values})`,
      [recordId],
    );

  it('refuses a line whose net amount is not positive, negative VAT, an unknown VAT code or line number', async () => {
    const id = await aRow();
    expect(await line(id, `2, '7100', 0, 'ZERO', 0`)).toMatch(/ck_expense_record_lines_amount_positive/);
    expect(await line(id, `2, '7100', -5, 'ZERO', 0`)).toMatch(/ck_expense_record_lines_amount_positive/);
    expect(await line(id, `2, '7100', 5, 'ZERO', -1`)).toMatch(/ck_expense_record_lines_vat_non_negative/);
    expect(await line(id, `2, '7100', 5, 'STANDARD', 0`)).toMatch(/ck_expense_record_lines_vat_code/);
    expect(await line(id, `51, '7100', 5, 'ZERO', 0`)).toMatch(/ck_expense_record_lines_line_no/);
    expect(await line(id, `1, '7100', 5, 'ZERO', 0`)).not.toBeNull(); // one row per line number
    expect(await line(id, `2, '7100', 5, 'HIGH', 1`)).toBeNull();
  });

  it('refuses a version below 1 and a non-https receipt; the posting hold is gone (0012)', async () => {
    expect(
      await rawError(t.db.raw, 'UPDATE expense_records SET version = 0 WHERE id = ?', [await aRow()]),
    ).toMatch(/ck_expense_records_version_positive|VERSION_NOT_NEWER/);
    expect(
      await rawError(t.db.raw, `UPDATE expense_records SET receipt_url = 'http://x.example/r' WHERE id = ?`, [
        await aRow(),
      ]),
    ).toMatch(/ck_expense_records_receipt_url_https/);
    expect(
      await rawError(t.db.raw, `UPDATE expense_records SET posting_hold = 'vat' WHERE id = ?`, [
        await aRow(),
      ]),
    ).toMatch(/posting_hold/);
  });

  it('keeps one row per id: a second insert of the same id is refused', async () => {
    const id = await aRow();
    const error = await rawError(
      t.db.raw,
      `INSERT INTO expense_records (id, organization_id, kind, currency, booking_date, approval_state, version, employee_number, content_hash, updated_at)
       VALUES (?, ?, 'expense_claim', 'NOK', '2026-10-01', 'approved', 2, 'E001', 'h2', '2026-10-01T00:00:00.000Z')`,
      [id, orgId],
    );
    expect(error).toMatch(/UNIQUE|duplicate key|23505/i);
  });

  it('refuses a lower version and another payload under the same version; a higher version passes', async () => {
    const id = await aRow({ version: 3 });
    expect(await rawError(t.db.raw, 'UPDATE expense_records SET version = 2 WHERE id = ?', [id])).toMatch(
      /VERSION_NOT_NEWER/,
    );
    expect(
      await rawError(t.db.raw, `UPDATE expense_records SET content_hash = 'other' WHERE id = ?`, [id]),
    ).toMatch(/VERSION_PAYLOAD_CONFLICT/);
    expect(
      await rawError(
        t.db.raw,
        `UPDATE expense_records SET version = 4, content_hash = 'other' WHERE id = ?`,
        [id],
      ),
    ).toBeNull();
  });

  it('refuses every change to a posted record and its lines, and its deletion', async () => {
    const id = await aRow();
    const sync = randomUUID();
    await rawExec(t.db.raw, 'UPDATE expense_records SET posted_by_sync_log_id = ? WHERE id = ?', [sync, id]);
    const refusals = [
      await rawError(t.db.raw, `UPDATE expense_records SET version = 2, content_hash = 'x' WHERE id = ?`, [
        id,
      ]),
      await rawError(t.db.raw, `UPDATE expense_records SET posted_by_sync_log_id = NULL WHERE id = ?`, [id]),
      await rawError(t.db.raw, 'DELETE FROM expense_records WHERE id = ?', [id]),
      await rawError(t.db.raw, 'UPDATE expense_record_lines SET amount_minor = 1 WHERE record_id = ?', [id]),
      await rawError(t.db.raw, 'DELETE FROM expense_record_lines WHERE record_id = ?', [id]),
      await line(id, `2, '7100', 5, 'ZERO', 0`),
    ];
    for (const refusal of refusals) expect(refusal).toMatch(/RECORD_ALREADY_POSTED/);
    const [row] = await rawQuery<{ version: number; n: number | string }>(
      t.db.raw,
      'SELECT version, (SELECT COUNT(*) FROM expense_record_lines WHERE record_id = ?) AS n FROM expense_records WHERE id = ?',
      [id, id],
    );
    expect([Number(row?.version), Number(row?.n)]).toEqual([1, 1]);
  });

  it('refuses a posted record that is withdrawn or not approved', async () => {
    const withdrawn = await aRow({ withdrawn_at: '2026-10-02T00:00:00.000Z' });
    expect(
      await rawError(t.db.raw, 'UPDATE expense_records SET posted_by_sync_log_id = ? WHERE id = ?', [
        randomUUID(),
        withdrawn,
      ]),
    ).toMatch(/ck_expense_records_posted_not_withdrawn/);
    const draft = await aRow({ approval_state: 'draft' });
    expect(
      await rawError(t.db.raw, 'UPDATE expense_records SET posted_by_sync_log_id = ? WHERE id = ?', [
        randomUUID(),
        draft,
      ]),
    ).toMatch(/ck_expense_records_posted_is_approved/);
  });
});
