import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aCreateCommand,
  allowFinishedRowInserts,
  createTestDatabase,
  DIALECTS,
  givenOrganization,
  type TestDatabase,
} from '../src/testing/index.js';
import { rawError, rawQuery } from './raw-sql.helpers.js';

/**
 * Migration 0007 on raw SQL: the database itself keeps the lease rules, whatever a buggy service
 * or a hand-typed session writes — an in_progress row holds a positive epoch and an expiry, a
 * pending one none, a claim's epoch grows past every earlier one of its organization, and a
 * running attempt's epoch never changes.
 */
describe.each(DIALECTS)('the %s database keeps the lease rules on raw SQL', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await t?.drop();
  });
  const LEASE = '2026-11-01T00:02:00.000Z';
  const claim = (id: string, epoch: unknown, expires: unknown = LEASE) =>
    rawError(
      t.db.raw,
      `UPDATE accounting_sync_logs SET status = 'in_progress', lease_epoch = ?, lease_expires_at = ? WHERE id = ?`,
      [epoch, expires, id],
    );
  async function pending(orgId?: string) {
    const org = orgId ?? (await givenOrganization(t.db)).id;
    const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org));
    return { org, id: syncLog.id };
  }

  it('refuses a claim without a lease, with a zero or negative epoch, or without an expiry', async () => {
    const { id } = await pending();
    expect(
      await rawError(t.db.raw, "UPDATE accounting_sync_logs SET status = 'in_progress' WHERE id = ?", [id]),
    ).toMatch(/LEASE_REQUIRED|MS006/);
    expect(await claim(id, 0)).toMatch(/LEASE_REQUIRED|MS006/);
    expect(await claim(id, -3)).toMatch(/LEASE_REQUIRED|MS006/);
    expect(await claim(id, 1, null)).toMatch(/LEASE_REQUIRED|MS006/);
    expect(await claim(id, 1)).toBeNull();
    const [row] = await rawQuery<{ status: string; lease_epoch: number | string }>(
      t.db.raw,
      'SELECT status, lease_epoch FROM accounting_sync_logs WHERE id = ?',
      [id],
    );
    expect(row?.status).toBe('in_progress');
    expect(Number(row?.lease_epoch)).toBe(1);
  });

  it('refuses a lease on a pending row', async () => {
    const { id } = await pending();
    expect(
      await rawError(t.db.raw, 'UPDATE accounting_sync_logs SET lease_epoch = 4 WHERE id = ?', [id]),
    ).toMatch(/LEASE_REQUIRED|MS006/);
  });

  it("refuses a claim whose epoch does not exceed the organization's earlier epochs", async () => {
    const first = await pending();
    expect(await claim(first.id, 5)).toBeNull();
    await t.db.syncLogs.fail({
      id: first.id,
      errorDetails: { code: 'WORKER_LOST', message: 'lost', category: 'unavailable', retryable: true },
    });
    const second = await pending(first.org);
    expect(await claim(second.id, 5)).toMatch(/LEASE_EPOCH_NOT_GROWING|MS006/);
    expect(await claim(second.id, 3)).toMatch(/LEASE_EPOCH_NOT_GROWING|MS006/);
    expect(await claim(second.id, 6)).toBeNull();
    // The store's own claim takes the next epoch after that.
    await t.db.syncLogs.complete({ id: second.id, recordsSynced: 1, recordsFailed: 0 });
    const third = await pending(first.org);
    await t.db.syncLogs.start(third.id);
    expect((await t.db.syncLogs.leaseOf(third.id))?.epoch).toBe(7);
  });

  it("refuses a change of a running attempt's epoch, but lets its expiry move", async () => {
    const { id } = await pending();
    expect(await claim(id, 1)).toBeNull();
    expect(
      await rawError(t.db.raw, 'UPDATE accounting_sync_logs SET lease_epoch = 2 WHERE id = ?', [id]),
    ).toMatch(/LEASE_EPOCH_NOT_GROWING|MS006/);
    expect(
      await rawError(t.db.raw, 'UPDATE accounting_sync_logs SET lease_epoch = NULL WHERE id = ?', [id]),
    ).toMatch(/LEASE_REQUIRED|LEASE_EPOCH_NOT_GROWING|MS006/);
    expect(
      await rawError(t.db.raw, 'UPDATE accounting_sync_logs SET lease_expires_at = ? WHERE id = ?', [
        '2026-11-01T00:05:00.000Z',
        id,
      ]),
    ).toBeNull();
  });

  it('refuses an in_progress row inserted without a lease', async () => {
    const org = (await givenOrganization(t.db)).id;
    // Such an insert is refused twice over: every row is born pending (0010). With that rule
    // switched off, as the database owner could, the lease rule still holds.
    expect(
      await rawError(
        t.db.raw,
        `INSERT INTO accounting_sync_logs (id, organization_id, accounting_system, sync_type, status,
          period_start, period_end, records_total, records_synced, records_failed, started_at, created_at)
          VALUES (?, ?, 'xledger', 'api', 'in_progress', '2026-10-01T00:00:00.000Z', '2026-10-31T23:59:59.999Z',
          1, 0, 0, '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z')`,
        [crypto.randomUUID(), org],
      ),
    ).toMatch(/INVALID_STATUS_TRANSITION|LEASE_REQUIRED|MS00[36]/);
    const restore = await allowFinishedRowInserts(t.db.raw);
    const error = await rawError(
      t.db.raw,
      `INSERT INTO accounting_sync_logs (id, organization_id, accounting_system, sync_type, status,
        period_start, period_end, records_total, records_synced, records_failed, started_at, created_at)
        VALUES (?, ?, 'xledger', 'api', 'in_progress', ?, ?, 1, 0, 0, ?, ?)`,
      [
        crypto.randomUUID(),
        org,
        '2026-10-01T00:00:00.000Z',
        '2026-10-31T23:59:59.999Z',
        '2026-11-01T00:00:00.000Z',
        '2026-11-01T00:00:00.000Z',
      ],
    );
    await restore();
    expect(error).toMatch(/LEASE_REQUIRED|MS006/);
  });

  if (dialect === 'sqlite') {
    it('refuses a lease expiry that is not canonical ISO text (so text order stays time order)', async () => {
      const { id } = await pending();
      expect(await claim(id, 1, '2026-11-01 00:02:00')).toMatch(/LEASE_REQUIRED/);
      expect(await claim(id, 1.5, LEASE)).toMatch(/LEASE_REQUIRED/);
    });
  }
});
