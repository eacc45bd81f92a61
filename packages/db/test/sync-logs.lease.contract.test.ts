import { DomainError } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aCreateCommand,
  createTestDatabase,
  DIALECTS,
  givenOrganization,
  type TestDatabase,
} from '../src/testing/index.js';

async function errorOf(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

const at = (second: number) => new Date(Date.UTC(2026, 10, 1, 0, 0, second)).toISOString();
const LOST = { code: 'WORKER_LOST', message: 'lost', category: 'unavailable', retryable: true } as const;

describe.each(DIALECTS)('the sync lease (fencing) on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await t?.drop();
  });

  /** A claimed sync of a new organization, started at second `s` with a lease of `lease` seconds. */
  async function claimed(s = 0, lease = 60, orgId?: string) {
    const org = orgId ?? (await givenOrganization(t.db)).id;
    const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org), { now: at(s) });
    await t.db.syncLogs.start(syncLog.id, { now: at(s), leaseSeconds: lease, workerId: 'w1' });
    return { org, id: syncLog.id };
  }

  it('a claim takes epoch 1 and a lease of leaseSeconds; every later claim in the organization a higher epoch', async () => {
    const first = await claimed(0, 60);
    expect(await t.db.syncLogs.leaseOf(first.id)).toEqual({
      syncLogId: first.id,
      epoch: 1,
      expiresAt: at(60),
    });
    await t.db.syncLogs.fail({ id: first.id, errorDetails: LOST }, { now: at(61) });
    // A terminal row holds no lease any more.
    expect(await t.db.syncLogs.leaseOf(first.id)).toBeNull();
    const second = await claimed(62, 30, first.org);
    expect((await t.db.syncLogs.leaseOf(second.id))?.epoch).toBe(2);
    // claimNextPending takes the next epoch too.
    await t.db.syncLogs.complete({ id: second.id, recordsSynced: 1, recordsFailed: 0 }, { now: at(63) });
    const { syncLog: third } = await t.db.syncLogs.create(aCreateCommand(first.org), { now: at(64) });
    let picked = await t.db.syncLogs.claimNextPending('w2', { now: at(65), leaseSeconds: 10 });
    // Other tests' organizations may have older pending rows: claim until ours comes up.
    while (picked && picked.id !== third.id)
      picked = await t.db.syncLogs.claimNextPending('w2', { now: at(65), leaseSeconds: 10 });
    expect(await t.db.syncLogs.leaseOf(third.id)).toEqual({
      syncLogId: third.id,
      epoch: 3,
      expiresAt: at(75),
    });
    // Epochs are per organization: another organization starts at 1.
    expect((await t.db.syncLogs.leaseOf((await claimed(0)).id))?.epoch).toBe(1);
  });

  it('assertLease passes for the holding epoch before expiry and throws LEASE_LOST otherwise, naming why', async () => {
    const { id } = await claimed(0, 60);
    await expect(t.db.syncLogs.assertLease(id, 1, at(59))).resolves.toBeUndefined();
    const expired = await errorOf(t.db.syncLogs.assertLease(id, 1, at(60)));
    expect(expired.code).toBe('LEASE_LOST');
    expect(expired.message).toMatch(/expired/);
    const superseded = await errorOf(t.db.syncLogs.assertLease(id, 2, at(1)));
    expect(superseded.code).toBe('LEASE_LOST');
    expect(superseded.message).toMatch(/epoch 2 was superseded by epoch 1/);
    await t.db.syncLogs.fail({ id, errorDetails: LOST }, { now: at(2) });
    const ended = await errorOf(t.db.syncLogs.assertLease(id, 1, at(3)));
    expect(ended.code).toBe('LEASE_LOST');
    expect(ended.message).toMatch(/the sync is failed/);
    expect((await errorOf(t.db.syncLogs.assertLease('not-a-uuid', 1))).code).toBe('LEASE_LOST');
  });

  it('renewLease moves the expiry for the holder only, and never revives an expired lease', async () => {
    const { id } = await claimed(0, 60);
    expect(await t.db.syncLogs.renewLease(id, 1, { now: at(30), leaseSeconds: 60 })).toEqual({
      syncLogId: id,
      epoch: 1,
      expiresAt: at(90),
    });
    expect((await t.db.syncLogs.leaseOf(id))?.expiresAt).toBe(at(90));
    expect((await errorOf(t.db.syncLogs.renewLease(id, 7, { now: at(31) }))).code).toBe('LEASE_LOST');
    const late = await errorOf(t.db.syncLogs.renewLease(id, 1, { now: at(90), leaseSeconds: 60 }));
    expect(late.code).toBe('LEASE_LOST');
    expect(late.message).toMatch(/expired/);
    // Nothing moved: the expired lease stays expired.
    expect((await t.db.syncLogs.leaseOf(id))?.expiresAt).toBe(at(90));
  });

  it('findStale needs a stale heartbeat AND an expired lease', async () => {
    const { id } = await claimed(0, 100);
    // Heartbeat stale (older than second 50), lease still running until second 100.
    expect((await t.db.syncLogs.findStale(at(50), { now: at(99) })).map((s) => s.id)).not.toContain(id);
    expect((await t.db.syncLogs.findStale(at(50), { now: at(100) })).map((s) => s.id)).toContain(id);
    // Lease expired but heartbeat fresh (an external runner reporting progress): not stale.
    expect((await t.db.syncLogs.findStale(at(-1), { now: at(200) })).map((s) => s.id)).not.toContain(id);
  });

  it('latestFencedLeaseExpiry names the lease of a reaped overlapping attempt only', async () => {
    const { org, id } = await claimed(0, 60);
    await t.db.syncLogs.fail({ id, errorDetails: LOST }, { now: at(61) });
    const next = await claimed(62, 60, org);
    const period = aCreateCommand(org);
    const ask = (since: string, except = next.id, from = period.periodStart, to = period.periodEnd) =>
      t.db.syncLogs.latestFencedLeaseExpiry(org, from, to, except, since);
    expect(await ask(at(30))).toBe(at(60));
    // A lease that ran out before `since` can have nothing in flight any more.
    expect(await ask(at(60))).toBeNull();
    // Another period does not overlap.
    expect(await ask(at(30), next.id, '2030-01-01T00:00:00.000Z', '2030-01-31T00:00:00.000Z')).toBeNull();
    // A sync that failed on its own (not reaped) left nothing in flight.
    await t.db.syncLogs.fail(
      { id: next.id, errorDetails: { ...LOST, code: 'WORKER_ERROR' } },
      { now: at(63) },
    );
    const third = await claimed(64, 60, org);
    expect(await ask(at(61), third.id)).toBeNull();
    expect(await ask(at(30), third.id)).toBe(at(60));
  });
});
