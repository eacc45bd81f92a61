import { DomainError } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduledSyncInput } from '../src/index.js';
import {
  aCreateCommand,
  createTestDatabase,
  DIALECTS,
  givenOrganization,
  type TestDatabase,
} from '../src/testing/index.js';

// Issue 26: a burst of schedules is dispatched in a constant number of round trips per batch of
// organizations — `createScheduled` is one transaction of two statements — with the rules the
// one-by-one create keeps: one sync per schedule slot, one active sync per organization, nothing
// for a period a success covers or a module that is off.

const SLOT = 'schedule:2026-11-01T02:00:00.000Z';
const PERIOD = { periodStart: '2026-10-01T00:00:00.000Z', periodEnd: '2026-10-31T23:59:59.999Z' };
const NOW = '2026-11-01T02:00:05.000Z';

const entry = (organizationId: string, overrides: Partial<ScheduledSyncInput> = {}): ScheduledSyncInput => ({
  organizationId,
  accountingSystem: 'xledger',
  ...PERIOD,
  idempotencyKey: SLOT,
  ...overrides,
});

describe.each(DIALECTS)('createScheduled (a batch of scheduled syncs) on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await t?.drop();
  });

  async function organizationsWithRecords(n: number, records: (i: number) => number) {
    const orgs: string[] = [];
    for (let i = 0; i < n; i += 1) {
      const org = await givenOrganization(t.db);
      orgs.push(org.id);
      await t.db.expenseRecords.insertMany(
        Array.from({ length: records(i) }, (_, k) => ({
          id: crypto.randomUUID(),
          organizationId: org.id,
          kind: 'expense_claim' as const,
          amountMinor: 100 + k,
          currency: 'NOK',
          bookingDate: `2026-10-${String((k % 28) + 1).padStart(2, '0')}`,
          account: '7100',
          approvalState: k % 5 === 4 ? ('draft' as const) : ('approved' as const),
        })),
      );
    }
    return orgs;
  }

  // Found by the clean-clone CI after the merge: the batched count still counted withdrawn records,
  // so the demo's scheduled syncs streamed 300 of 312 and ended partial.
  it('counts what an export sends: withdrawn records are not in the total, as countApproved agrees', async () => {
    const [org] = (await organizationsWithRecords(1, () => 10)) as [string];
    const stored = await t.db.expenseRecords.list({ organizationId: org, limit: 100 });
    const withdrawn = stored.items
      .filter((r) => r.state === 'approved')
      .slice(0, 3)
      .map((r) => r.id);
    expect((await t.db.expenseRecords.withdraw(org, withdrawn)).withdrawn).toBe(3);
    const [sync] = await t.db.syncLogs.createScheduled([entry(org)], { now: NOW });
    const exportable = await t.db.expenseRecords.countApproved({
      organizationId: org,
      periodStart: PERIOD.periodStart,
      periodEnd: PERIOD.periodEnd,
    });
    expect(exportable).toBe(8 - 3); // 10 records, every fifth a draft, three withdrawn
    expect(sync?.recordsTotal).toBe(exportable);
  });

  it('creates one pending scheduled sync per organization, counting its approved records of the period', async () => {
    const orgs = await organizationsWithRecords(5, (i) => i * 5);
    const created = await t.db.syncLogs.createScheduled(
      orgs.map((id) => entry(id)),
      { now: NOW },
    );
    expect(created.map((s) => s.organizationId).sort()).toEqual([...orgs].sort());
    for (const [i, org] of orgs.entries()) {
      const sync = created.find((s) => s.organizationId === org);
      expect(sync).toMatchObject({
        status: 'pending',
        syncType: 'scheduled',
        accountingSystem: 'xledger',
        triggeredBy: null,
        recordsTotal: i * 4, // every fifth record is a draft
        recordsSynced: 0,
        recordsFailed: 0,
        createdAt: NOW,
        startedAt: NOW,
        ...PERIOD,
      });
      expect(await t.db.syncLogs.findByIdempotencyKey(org, SLOT)).toEqual(sync);
      expect(await t.db.syncLogs.getActive(org)).toEqual(sync);
    }
  });

  it('is idempotent per schedule slot: the same batch again creates nothing, even after the syncs ended', async () => {
    const orgs = await organizationsWithRecords(3, () => 2);
    const first = await t.db.syncLogs.createScheduled(orgs.map((id) => entry(id)));
    expect(first).toHaveLength(3);
    expect(await t.db.syncLogs.createScheduled(orgs.map((id) => entry(id)))).toEqual([]);
    // The first one finished (not a success, so nothing covers the period): the slot still has its sync.
    const done = first[0];
    if (!done) throw new Error('no sync');
    await t.db.syncLogs.start(done.id);
    await t.db.syncLogs.fail({
      id: done.id,
      errorDetails: { code: 'X', message: 'x', category: 'unavailable', retryable: true },
    });
    expect(await t.db.syncLogs.createScheduled(orgs.map((id) => entry(id)))).toEqual([]);
    // A later slot of the same organization is a new sync.
    const next = await t.db.syncLogs.createScheduled([
      entry(done.organizationId, { idempotencyKey: 'schedule:2026-11-02T02:00:00.000Z' }),
    ]);
    expect(next.map((s) => s.organizationId)).toEqual([done.organizationId]);
  });

  it('two nodes dispatching the same batch at once create each sync once', async () => {
    const orgs = await organizationsWithRecords(40, () => 1);
    const other = await t.openAnother();
    const batch = orgs.map((id) => entry(id));
    const [a, b] = await Promise.all([
      t.db.syncLogs.createScheduled(batch),
      other.syncLogs.createScheduled([...batch].reverse()),
    ]);
    expect(a.length + b.length).toBe(40);
    expect(new Set([...a, ...b].map((s) => s.organizationId)).size).toBe(40);
  });

  it('skips an organization with an active sync, a success covering the period, a module off or of another system', async () => {
    const [active, covered, fresh] = await organizationsWithRecords(3, () => 1);
    if (!active || !covered || !fresh) throw new Error('fixture');
    const off = (await givenOrganization(t.db, { enabled: false })).id;
    const dynamics = (await givenOrganization(t.db, { accountingSystem: 'dynamics' })).id;
    const manual = await t.db.syncLogs.create(aCreateCommand(active));
    const done = await t.db.syncLogs.create(aCreateCommand(covered));
    await t.db.syncLogs.start(done.syncLog.id);
    await t.db.syncLogs.complete({ id: done.syncLog.id, recordsSynced: 10, recordsFailed: 0 });

    const created = await t.db.syncLogs.createScheduled([
      entry(active),
      entry(covered),
      entry(fresh),
      entry(off),
      entry(dynamics),
    ]);
    expect(created.map((s) => s.organizationId)).toEqual([fresh]);
    expect(await t.db.syncLogs.getActive(active)).toMatchObject({ id: manual.syncLog.id });
    expect(await t.db.syncLogs.getActive(covered)).toBeNull();
    expect(await t.db.syncLogs.getActive(off)).toBeNull();
    expect(await t.db.syncLogs.getActive(dynamics)).toBeNull();
  });

  it('refuses bad input naming the field, and writes nothing', async () => {
    const [org] = await organizationsWithRecords(1, () => 1);
    if (!org) throw new Error('fixture');
    let error: unknown;
    try {
      await t.db.syncLogs.createScheduled([
        entry(org),
        entry(org, { periodStart: 'yesterday', idempotencyKey: 'schedule:x' }),
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('VALIDATION_FAILED');
    expect((error as DomainError).issues.map((i) => i.path.join('.'))).toContain('periodStart');
    await expect(t.db.syncLogs.createScheduled([entry(org), entry(org)])).rejects.toThrow(/twice/);
    expect(await t.db.syncLogs.getActive(org)).toBeNull();
  });

  it('an empty batch is a no-op', async () => {
    expect(await t.db.syncLogs.createScheduled([])).toEqual([]);
  });
});
