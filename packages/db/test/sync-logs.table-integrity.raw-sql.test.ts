import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aCreateCommand,
  allowFinishedRowInserts,
  createTestDatabase,
  DIALECTS,
  givenOrganization,
  type TestDatabase,
} from '../src/testing/index.js';
import { jsonParam, rawError, rawQuery } from './raw-sql.helpers.js';

/**
 * The sync log table's own integrity, as the first migrations laid it down: terminal rows are
 * immutable, one active row per organization, counts, periods and timestamps in order, known
 * statuses, runners and organizations, deletions only with a tombstone, the spec's indexes. These
 * writes bypass the store entirely, as a buggy service or a hand-typed SQL session would. (The
 * rules the domain decides from a row are sync-logs.domain-rules.raw-sql.test.ts.)
 */
describe.each(DIALECTS)('the %s sync log table keeps its integrity on raw SQL', (dialect) => {
  let t: TestDatabase;
  let orgId: string;
  const insert = `INSERT INTO accounting_sync_logs (id, organization_id, accounting_system, sync_type, status,
    period_start, period_end, records_total, records_synced, records_failed, started_at, completed_at, created_at, error_details)
    VALUES (?, ?, 'xledger', 'api', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  const row = (overrides: Partial<Record<string, unknown>> = {}) => {
    const v = {
      id: randomUUID(),
      org: orgId,
      status: 'failed',
      periodStart: '2026-10-01T00:00:00.000Z',
      periodEnd: '2026-10-31T23:59:59.999Z',
      total: 1,
      synced: 0,
      failed: 1,
      startedAt: '2026-11-01T00:00:00.000Z',
      completedAt: '2026-11-01T00:00:01.000Z',
      errorDetails: { code: 'X', message: 'x', category: 'unknown', retryable: false } as unknown,
      ...overrides,
    };
    return [
      v.id,
      v.org,
      v.status,
      v.periodStart,
      v.periodEnd,
      v.total,
      v.synced,
      v.failed,
      v.startedAt,
      v.completedAt,
      v.startedAt,
      jsonParam(dialect, v.errorDetails),
    ];
  };

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    orgId = (await givenOrganization(t.db)).id;
    // These tests write finished rows directly to test one row rule at a time; the rule that a row
    // is created pending (0010) has its own test file.
    await allowFinishedRowInserts(t.db.raw);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('refuses an UPDATE of a terminal row', async () => {
    const { syncLog } = await t.db.syncLogs.create(aCreateCommand(orgId));
    await t.db.syncLogs.fail({
      id: syncLog.id,
      errorDetails: { code: 'X', message: 'x', category: 'unknown', retryable: false },
    });
    expect(
      await rawError(t.db.raw, 'UPDATE accounting_sync_logs SET records_synced = 99 WHERE id = ?', [
        syncLog.id,
      ]),
    ).toMatch(/RECORD_IMMUTABLE/);
    expect(
      await rawError(t.db.raw, "UPDATE accounting_sync_logs SET status = 'success' WHERE id = ?", [
        syncLog.id,
      ]),
    ).toMatch(/RECORD_IMMUTABLE/);
    expect((await t.db.syncLogs.get(syncLog.id))?.recordsSynced).toBe(0);
  });

  it('refuses a second active row for one organization', async () => {
    const org = await givenOrganization(t.db);
    await t.db.syncLogs.create(aCreateCommand(org.id));
    const error = await rawError(
      t.db.raw,
      insert,
      row({ org: org.id, status: 'pending', completedAt: null, synced: 0, failed: 0 }),
    );
    expect(error).toMatch(/23505|UNIQUE/);
  });

  it('refuses negative counts', async () => {
    expect(await rawError(t.db.raw, insert, row({ synced: -1 }))).toMatch(
      /ck_records_counts_non_negative|23514/,
    );
    expect(await rawError(t.db.raw, insert, row({ total: -5 }))).toMatch(
      /ck_records_counts_non_negative|23514/,
    );
  });

  it('refuses a reversed period', async () => {
    expect(
      await rawError(
        t.db.raw,
        insert,
        row({ periodStart: '2026-11-01T00:00:00.000Z', periodEnd: '2026-10-01T00:00:00.000Z' }),
      ),
    ).toMatch(/ck_period_end_after_period_start/);
  });

  it('refuses completed before started', async () => {
    expect(await rawError(t.db.raw, insert, row({ completedAt: '2026-10-31T00:00:00.000Z' }))).toMatch(
      /ck_completed_at_after_started_at/,
    );
  });

  it('refuses completed_at on an active row and a terminal row without completed_at', async () => {
    expect(await rawError(t.db.raw, insert, row({ status: 'pending' }))).toMatch(
      /ck_completed_at_null_while_active/,
    );
    expect(await rawError(t.db.raw, insert, row({ completedAt: null }))).toMatch(
      /ck_completed_at_null_while_active/,
    );
  });

  it('refuses an unknown status', async () => {
    expect(await rawError(t.db.raw, insert, row({ status: 'done' }))).toMatch(
      /ck_accounting_sync_logs_status/,
    );
  });

  it('refuses an unknown runner', async () => {
    const other = (await givenOrganization(t.db)).id;
    const withRunner = `INSERT INTO accounting_sync_logs (id, organization_id, accounting_system, sync_type, status,
      period_start, period_end, records_total, records_synced, records_failed, started_at, created_at, runner)
      VALUES (?, ?, 'xledger', 'api', 'pending', '2026-10-01T00:00:00.000Z', '2026-10-31T23:59:59.999Z', 1, 0, 0,
      '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', ?)`;
    expect(await rawError(t.db.raw, withRunner, [randomUUID(), other, 'cron'])).toMatch(
      /ck_accounting_sync_logs_runner/,
    );
  });

  it('refuses an unknown organization', async () => {
    expect(
      await rawError(
        t.db.raw,
        insert,
        row({ org: randomUUID(), status: 'pending', completedAt: null, failed: 0 }),
      ),
    ).toMatch(/23503|FOREIGN KEY/);
  });

  it('refuses a DELETE without a tombstone', async () => {
    const org = await givenOrganization(t.db);
    const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org.id));
    expect(await rawError(t.db.raw, 'DELETE FROM accounting_sync_logs WHERE id = ?', [syncLog.id])).toMatch(
      /TOMBSTONE_REQUIRED/,
    );
    expect(await t.db.syncLogs.get(syncLog.id)).not.toBeNull();
  });

  it('has the five spec indexes with their exact names', async () => {
    const names =
      dialect === 'sqlite'
        ? (
            await rawQuery<{ name: string }>(
              t.db.raw,
              "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'accounting_sync_logs'",
            )
          ).map((r) => r.name)
        : (
            await rawQuery<{ indexname: string }>(
              t.db.raw,
              "SELECT indexname FROM pg_indexes WHERE tablename = 'accounting_sync_logs'",
            )
          ).map((r) => r.indexname);
    expect(names).toEqual(
      expect.arrayContaining([
        'idx_accounting_sync_logs_org_started',
        'idx_accounting_sync_logs_org_status',
        'idx_accounting_sync_logs_triggered_by',
        'idx_accounting_sync_logs_period',
        'idx_accounting_sync_logs_status',
        'uq_accounting_sync_logs_one_active_per_org',
      ]),
    );
  });
});
