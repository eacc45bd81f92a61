import { randomUUID } from 'node:crypto';
import { canTransition, DomainError, SYNC_STATUSES, type SyncStatus } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aCreateCommand,
  allowFinishedRowInserts,
  createTestDatabase,
  DIALECTS,
  givenOrganization,
  type TestDatabase,
} from '../src/testing/index.js';
import { jsonParam, rawError, rawExec, rawQuery } from './raw-sql.helpers.js';

const DETAILS = { code: 'X', message: 'x', category: 'unknown' as const, retryable: false };

async function domainErrorOf(work: () => Promise<unknown>): Promise<DomainError> {
  try {
    await work();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

/**
 * Migration 0003: the rules the domain decides from one row (or one row and its organization) are
 * held by the database too, on both dialects, for writers that bypass the store.
 */
describe.each(DIALECTS)('the %s database refuses what the domain refuses (0003)', (dialect) => {
  let t: TestDatabase;
  let orgId: string;
  const columns = `id, organization_id, accounting_system, sync_type, status, triggered_by, period_start, period_end,
    records_total, records_synced, records_failed, error_details, started_at, completed_at, created_at, chain_seq, chain_hash`;
  const insert = `INSERT INTO accounting_sync_logs (${columns}) VALUES (?, ?, 'xledger', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  let seq = 0;
  /** A terminal `failed` row by default, valid under every rule; override one thing to break one rule. */
  const row = (o: Record<string, unknown> = {}) => {
    const v = {
      id: randomUUID(),
      org: orgId,
      syncType: 'api',
      status: 'failed',
      triggeredBy: null as string | null,
      periodStart: '2026-10-01T00:00:00.000Z',
      periodEnd: '2026-10-31T23:59:59.999Z',
      total: 1 as unknown,
      synced: 0 as unknown,
      failed: 1 as unknown,
      errorDetails: DETAILS as unknown,
      startedAt: '2026-11-01T00:00:00.000Z' as unknown,
      completedAt: '2026-11-01T00:00:01.000Z' as unknown,
      sealed: true,
      ...o,
    };
    seq += 1;
    return [
      v.id,
      v.org,
      v.syncType,
      v.status,
      v.triggeredBy,
      v.periodStart,
      v.periodEnd,
      v.total,
      v.synced,
      v.failed,
      jsonParam(dialect, v.errorDetails),
      v.startedAt,
      v.completedAt,
      v.startedAt,
      v.sealed ? -seq : null,
      v.sealed ? `h${seq}` : null,
    ];
  };
  const LEASE_EXPIRY = '2026-11-01T00:02:00.000Z';
  const active = (o: Record<string, unknown> = {}) =>
    row({ status: 'pending', failed: 0, errorDetails: null, completedAt: null, sealed: false, ...o });

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

  it('accepts the valid baseline row (so each refusal below is about one rule)', async () => {
    expect(await rawError(t.db.raw, insert, row())).toBeNull();
  });

  it('refuses a failed or partial row without error_details (failed_sync_retains_error_details)', async () => {
    expect(await rawError(t.db.raw, insert, row({ errorDetails: null }))).toMatch(
      /ck_failed_sync_retains_error_details/,
    );
    expect(
      await rawError(
        t.db.raw,
        insert,
        row({ status: 'partial', synced: 1, failed: 0, total: 2, errorDetails: null }),
      ),
    ).toMatch(/ck_failed_sync_retains_error_details/);
  });

  it('refuses success unless synced + failed = total and failed = 0 (records_count_consistency)', async () => {
    const success = { status: 'success', errorDetails: null };
    expect(await rawError(t.db.raw, insert, row({ ...success, total: 2, synced: 1, failed: 0 }))).toMatch(
      /ck_records_count_consistency/,
    );
    expect(await rawError(t.db.raw, insert, row({ ...success, total: 2, synced: 1, failed: 1 }))).toMatch(
      /ck_records_count_consistency/,
    );
    expect(await rawError(t.db.raw, insert, row({ ...success, total: 2, synced: 2, failed: 0 }))).toBeNull();
  });

  it('refuses a manual row without triggered_by and a scheduled row with one', async () => {
    expect(await rawError(t.db.raw, insert, row({ syncType: 'manual' }))).toMatch(
      /ck_triggered_by_matches_sync_type/,
    );
    expect(
      await rawError(t.db.raw, insert, row({ syncType: 'scheduled', triggeredBy: randomUUID() })),
    ).toMatch(/ck_triggered_by_matches_sync_type/);
    expect(
      await rawError(t.db.raw, insert, row({ syncType: 'manual', triggeredBy: randomUUID() })),
    ).toBeNull();
  });

  it('allows exactly the status moves of the domain machine (every pair from an active status)', async () => {
    const outcomes: string[] = [];
    for (const from of ['pending', 'in_progress'] as const) {
      for (const to of SYNC_STATUSES) {
        if (to === from) continue;
        const org = (await givenOrganization(t.db)).id;
        const id = randomUUID();
        await rawExec(t.db.raw, insert, active({ id, org, total: 1 }));
        if (from === 'in_progress')
          await rawExec(
            t.db.raw,
            "UPDATE accounting_sync_logs SET status = 'in_progress', lease_epoch = 1, lease_expires_at = ? WHERE id = ?",
            [LEASE_EXPIRY, id],
          );
        const terminal = !['pending', 'in_progress'].includes(to);
        // Every CHECK holds for the target, so only the status machine can refuse the move.
        const error = await rawError(
          t.db.raw,
          `UPDATE accounting_sync_logs SET status = ?, records_synced = ?, records_failed = ?, error_details = ?,
             completed_at = ?, chain_seq = ?, chain_hash = ?, lease_epoch = ?, lease_expires_at = ? WHERE id = ?`,
          [
            to,
            to === 'success' ? 1 : 0,
            to === 'partial' || to === 'failed' ? 1 : 0,
            to === 'success' || !terminal ? null : jsonParam(dialect, DETAILS),
            terminal ? '2026-11-01T00:00:05.000Z' : null,
            terminal ? 1 : null,
            terminal ? 'h' : null,
            // A claim takes a lease (migration 0007), which the attempt keeps from then on.
            to === 'in_progress' || from === 'in_progress' ? 1 : null,
            to === 'in_progress' || from === 'in_progress' ? LEASE_EXPIRY : null,
            id,
          ],
        );
        const allowed = canTransition(from as SyncStatus, to);
        outcomes.push(`${from}->${to}:${allowed ? 'ok' : 'refused'}`);
        if (allowed) expect(error, `${from} -> ${to}`).toBeNull();
        else expect(error, `${from} -> ${to}`).toMatch(/INVALID_STATUS_TRANSITION|MS003/);
      }
    }
    expect(outcomes).toContain('pending->success:refused');
    expect(outcomes).toContain('in_progress->pending:refused');
    expect(outcomes).toContain('pending->in_progress:ok');
  });

  it('refuses a new active row for an organization whose accounting module is disabled or absent', async () => {
    const disabled = (await givenOrganization(t.db, { enabled: false })).id;
    expect(await rawError(t.db.raw, insert, active({ org: disabled }))).toMatch(/ACCOUNTING_MODULE_DISABLED/);
    const bare = (await t.db.organizations.create({ name: 'No module' })).id;
    expect(await rawError(t.db.raw, insert, active({ org: bare }))).toMatch(/ACCOUNTING_MODULE_DISABLED/);
    // History may still be recorded for it (an import of terminal rows), and an enabled module allows a sync.
    expect(await rawError(t.db.raw, insert, row({ org: disabled }))).toBeNull();
    const enabled = (await givenOrganization(t.db)).id;
    expect(await rawError(t.db.raw, insert, active({ org: enabled }))).toBeNull();
  });

  it('refuses progress above records_total and progress that goes down', async () => {
    const org = (await givenOrganization(t.db)).id;
    const id = randomUUID();
    await rawExec(t.db.raw, insert, active({ id, org, total: 10 }));
    const progress = 'UPDATE accounting_sync_logs SET records_synced = ?, records_failed = ? WHERE id = ?';
    expect(await rawError(t.db.raw, progress, [5, 1, id])).toBeNull();
    expect(await rawError(t.db.raw, progress, [10, 1, id])).toMatch(/ck_records_progress_within_total/);
    expect(await rawError(t.db.raw, progress, [4, 1, id])).toMatch(/RECORDS_PROGRESS_DECREASED|MS004/);
    expect(await rawError(t.db.raw, progress, [5, 0, id])).toMatch(/RECORDS_PROGRESS_DECREASED|MS004/);
    expect(
      await rawQuery(
        t.db.raw,
        'SELECT records_synced, records_failed FROM accounting_sync_logs WHERE id = ?',
        [id],
      ),
    ).toEqual([{ records_synced: 5, records_failed: 1 }]);
  });

  it('refuses JSON that is not an object', async () => {
    const notObjects: unknown[] =
      dialect === 'sqlite' ? ['not json', '"a string"', '[1,2]', '42'] : ['a string', 42];
    for (const value of notObjects) {
      const error = await rawError(
        t.db.raw,
        insert,
        row({ errorDetails: null }).map((v, i) => (i === 10 ? value : v)),
      );
      expect(error, String(value)).toMatch(/ck_accounting_sync_logs_error_details_object/);
    }
  });

  it('stores JSON as objects a SQL reader can navigate', async () => {
    const org = (await givenOrganization(t.db)).id;
    const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org));
    await t.db.syncLogs.fail({ id: syncLog.id, errorDetails: { ...DETAILS, code: 'AUTH_EXPIRED' } });
    const sql =
      dialect === 'sqlite'
        ? "SELECT json_type(error_details) AS kind, json_extract(error_details, '$.code') AS code FROM accounting_sync_logs WHERE id = ?"
        : "SELECT jsonb_typeof(error_details) AS kind, error_details->>'code' AS code FROM accounting_sync_logs WHERE id = ?";
    expect(await rawQuery(t.db.raw, sql, [syncLog.id])).toEqual([{ kind: 'object', code: 'AUTH_EXPIRED' }]);
    const config =
      dialect === 'sqlite'
        ? "SELECT json_extract(config, '$.accountingSystem') AS system FROM module_configurations WHERE organization_id = ?"
        : "SELECT config->>'accountingSystem' AS system FROM module_configurations WHERE organization_id = ?";
    expect(await rawQuery(t.db.raw, config, [org])).toEqual([{ system: 'xledger' }]);
  });

  it('refuses counts that are not 32-bit integers', async () => {
    for (const total of ['abc', 1.5, 2_147_483_648]) {
      expect(
        await rawError(t.db.raw, insert, row({ total, failed: 0, synced: 0 })),
        String(total),
      ).not.toBeNull();
    }
  });

  it.runIf(dialect === 'sqlite')('refuses datetimes that are not canonical ISO-8601 UTC text', async () => {
    for (const startedAt of [
      'yesterday',
      '2026-11-01 00:00:00',
      '2026-11-01T02:00:00.000+02:00',
      '2026-11-01T00:00:00Z',
      '2026-02-30T00:00:00.000Z',
      1_800_000_000,
    ]) {
      // An active row has no completed_at, so no other CHECK compares started_at.
      const org = (await givenOrganization(t.db)).id;
      expect(await rawError(t.db.raw, insert, active({ org, startedAt })), String(startedAt)).toMatch(
        /ck_accounting_sync_logs_datetimes_canonical/,
      );
    }
  });

  it('never holds an upper-case UUID', async () => {
    const upper = randomUUID().toUpperCase();
    const error = await rawError(
      t.db.raw,
      "INSERT INTO organizations (id, name, created_at) VALUES (?, 'Upper', '2026-11-01T00:00:00.000Z')",
      [upper],
    );
    if (dialect === 'sqlite') {
      expect(error).toMatch(/UUID_NOT_CANONICAL/);
      expect(await rawError(t.db.raw, insert, row({ triggeredBy: upper }))).toMatch(/UUID_NOT_CANONICAL/);
    } else {
      // PostgreSQL's uuid type stores the canonical form whatever case it was given.
      expect(error).toBeNull();
      expect(
        await rawQuery(t.db.raw, 'SELECT id::text AS id FROM organizations WHERE id = ?', [upper]),
      ).toEqual([{ id: upper.toLowerCase() }]);
    }
  });

  it('finds the same rows whatever the case of the ids a caller sends', async () => {
    const org = await givenOrganization(t.db);
    const user = randomUUID();
    const { syncLog } = await t.db.syncLogs.create(
      aCreateCommand(org.id.toUpperCase(), { syncType: 'manual', triggeredBy: user.toUpperCase() }),
    );
    expect(syncLog).toMatchObject({ organizationId: org.id, triggeredBy: user });
    expect((await t.db.syncLogs.get(syncLog.id.toUpperCase()))?.id).toBe(syncLog.id);
    expect((await t.db.syncLogs.getActive(org.id.toUpperCase()))?.id).toBe(syncLog.id);
    expect((await t.db.organizations.get(org.id.toUpperCase()))?.id).toBe(org.id);
    const page = await t.db.syncLogs.list({
      organizationId: org.id.toUpperCase(),
      triggeredBy: user.toUpperCase(),
    });
    expect(page.items.map((i) => i.id)).toEqual([syncLog.id]);
  });

  it('reportProgress refuses counts above the total or going down with a typed error, writing nothing', async () => {
    const org = (await givenOrganization(t.db)).id;
    const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org, { recordsTotal: 10 }));
    await t.db.syncLogs.start(syncLog.id);
    await t.db.syncLogs.reportProgress({ id: syncLog.id, recordsSynced: 6, recordsFailed: 1 });
    const above = await domainErrorOf(() =>
      t.db.syncLogs.reportProgress({ id: syncLog.id, recordsSynced: 6, recordsFailed: 5 }),
    );
    expect(above.code).toBe('VALIDATION_FAILED');
    expect(above.issues[0]).toMatchObject({ rule: 'records_progress_bounded', path: ['recordsFailed'] });
    const down = await domainErrorOf(() =>
      t.db.syncLogs.reportProgress({ id: syncLog.id, recordsSynced: 5, recordsFailed: 1 }),
    );
    expect(down.code).toBe('VALIDATION_FAILED');
    expect(down.issues[0]).toMatchObject({ rule: 'records_progress_bounded', path: ['recordsSynced'] });
    expect(await t.db.syncLogs.get(syncLog.id)).toMatchObject({ recordsSynced: 6, recordsFailed: 1 });
  });
});
