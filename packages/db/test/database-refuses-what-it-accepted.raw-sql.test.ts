import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, givenOrganization, type TestDatabase } from '../src/testing/index.js';
import { jsonParam, rawError, rawExec, rawQuery } from './raw-sql.helpers.js';

const DETAILS = { code: 'RECORDS_REJECTED', message: '1 of 2 records were rejected', category: 'validation' };

/**
 * Migration 0010 (issue 23): what a raw-SQL probe found both dialects still accepted. Each case
 * walks a row the way a writer bypassing the store would, and the database refuses the step.
 */
describe.each(DIALECTS)('the %s database refuses what it still accepted (0010)', (dialect) => {
  let t: TestDatabase;
  let orgId: string;
  let disabledOrgId: string;
  const insertPending = `INSERT INTO accounting_sync_logs (id, organization_id, accounting_system, sync_type, status,
    period_start, period_end, records_total, records_synced, records_failed, started_at, created_at)
    VALUES (?, ?, 'xledger', 'api', ?, '2026-10-01T00:00:00.000Z', '2026-10-31T23:59:59.999Z', ?, 0, 0,
    '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z')`;
  /** A pending row, moved to in_progress: what a runner holds before it finishes (own organization each). */
  const running = async (total = 2) => {
    const id = randomUUID();
    const organizationId = (await givenOrganization(t.db)).id;
    await rawExec(t.db.raw, insertPending, [id, organizationId, 'pending', total]);
    // A claim holds a lease (0007): the organization's first epoch, expiring in the future.
    await rawExec(
      t.db.raw,
      "UPDATE accounting_sync_logs SET status = 'in_progress', lease_epoch = 1, lease_expires_at = '2099-01-01T00:00:00.000Z' WHERE id = ?",
      [id],
    );
    return id;
  };
  const finish = (id: string, status: string, synced: number, failed: number, details: unknown) =>
    rawError(
      t.db.raw,
      `UPDATE accounting_sync_logs SET status = ?, records_synced = ?, records_failed = ?, error_details = ?,
        completed_at = '2026-11-01T00:01:00.000Z', chain_seq = ?, prev_hash = 'p', chain_hash = 'h' WHERE id = ?`,
      [status, synced, failed, jsonParam(dialect, details), -Math.floor(Math.random() * 1e9) - 1, id],
    );

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    orgId = (await givenOrganization(t.db)).id;
    disabledOrgId = (await givenOrganization(t.db, { enabled: false })).id;
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('refuses an INSERT of a row that is already success, partial, failed or in_progress', async () => {
    for (const status of ['success', 'partial', 'failed', 'in_progress']) {
      expect(await rawError(t.db.raw, insertPending, [randomUUID(), orgId, status, 1])).toMatch(
        /INVALID_STATUS_TRANSITION/,
      );
    }
  });

  it('refuses it for a disabled module too, and applies the module check to a pending insert', async () => {
    expect(await rawError(t.db.raw, insertPending, [randomUUID(), disabledOrgId, 'success', 1])).toMatch(
      /INVALID_STATUS_TRANSITION/,
    );
    expect(await rawError(t.db.raw, insertPending, [randomUUID(), disabledOrgId, 'pending', 1])).toMatch(
      /ACCOUNTING_MODULE_DISABLED/,
    );
  });

  it('refuses a terminal row whose synced + failed exceeds total', async () => {
    const id = await running(2);
    expect(await finish(id, 'failed', 2, 1, DETAILS)).toMatch(/ck_records_within_total/);
    const explained = { ...DETAILS, warnings: [{ rule: 'records_count_consistency', message: '3 ≠ 2' }] };
    expect(await finish(id, 'partial', 3, 0, explained)).toMatch(/ck_records_within_total/);
    expect(await finish(id, 'partial', 1, 1, DETAILS)).toBeNull();
  });

  it('refuses failed or partial whose error_details lacks code or message', async () => {
    for (const details of [
      {},
      { code: 'X' },
      { message: 'x' },
      { code: '', message: 'x' },
      { code: 1, message: 'x' },
    ]) {
      const id = await running(2);
      expect(await finish(id, 'failed', 0, 0, details)).toMatch(/ck_error_details_code_and_message/);
      expect(await finish(id, 'partial', 1, 1, details)).toMatch(/ck_error_details_code_and_message/);
    }
    const ok = await running(2);
    expect(await finish(ok, 'failed', 0, 0, { code: 'WORKER_LOST', message: 'No heartbeat' })).toBeNull();
  });

  it('refuses a partial whose counts do not add up unless records_count_consistency explains it', async () => {
    const id = await running(5);
    expect(await finish(id, 'partial', 1, 1, DETAILS)).toMatch(/ck_partial_counts_explained/);
    const explained = {
      ...DETAILS,
      warnings: [{ rule: 'records_count_consistency', message: '1 + 1 does not equal 5' }],
    };
    expect(await finish(id, 'partial', 1, 1, explained)).toBeNull();
  });

  it('refuses a sync for another system than the organization books to (as the domain does)', async () => {
    const dynamicsOrg = (await givenOrganization(t.db, { accountingSystem: 'dynamics' })).id;
    expect(await rawError(t.db.raw, insertPending, [randomUUID(), dynamicsOrg, 'pending', 1])).toMatch(
      /ck_accounting_system_matches_module/,
    );
    const xledgerOrg = (await givenOrganization(t.db)).id;
    expect(await rawError(t.db.raw, insertPending, [randomUUID(), xledgerOrg, 'pending', 1])).toBeNull();
  });

  it('refuses a deletion record credited to anything but the audit-log-service, or half signed', async () => {
    const insertDeletion = `INSERT INTO accounting_sync_log_deletions (sync_log_id, organization_id, deleted_by,
      deleted_via, deleted_at, reason, legal_basis, redacted_row, signature, key_id)
      VALUES (?, ?, ?, ?, '2026-11-02T00:00:00.000Z', 'x', 'compliance', ?, ?, ?)`;
    const redacted = jsonParam(dialect, { id: 'x' });
    const admin = randomUUID();
    expect(
      await rawError(t.db.raw, insertDeletion, [
        randomUUID(),
        orgId,
        admin,
        'org-admin-ui',
        redacted,
        null,
        null,
      ]),
    ).toMatch(/ck_deletions_deleted_via/);
    expect(
      await rawError(t.db.raw, insertDeletion, [
        randomUUID(),
        orgId,
        admin,
        'audit-log-service',
        redacted,
        'sig',
        null,
      ]),
    ).toMatch(/ck_deletions_signed_together/);
    const rows = await rawQuery<{ n: number | string }>(
      t.db.raw,
      'SELECT COUNT(*) AS n FROM accounting_sync_log_deletions',
    );
    expect(Number(rows[0]?.n)).toBe(0);
  });
});
