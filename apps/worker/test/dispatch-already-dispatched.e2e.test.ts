import type { RunningEmulators } from '@meander/accounting/emulators';
import type { Database } from '@meander/db';
import { createTestDatabase, type TestDatabase } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchDueSyncs } from '../src/dispatcher.js';
import { silentLogger } from '../src/logger.js';
import { emulators, givenConnectedOrganization } from './fixtures.js';

/** `db` with the calls to its stores' methods counted by name. */
function counting(db: Database): { db: Database; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const count = <T extends object>(store: T, prefix: string): T =>
    new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const name = `${prefix}.${String(prop)}`;
          calls.set(name, (calls.get(name) ?? 0) + 1);
          return value.apply(target, args);
        };
      },
    });
  const wrapped = new Proxy(db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop === 'syncLogs' || prop === 'expenseRecords') return count(value as object, prop);
      return value;
    },
  });
  return { db: wrapped, calls };
}

/** Every store call of one dispatch, by name, and their total. */
async function dispatchCounted(db: Database, window: Parameters<typeof dispatchDueSyncs>[1]) {
  const counted = counting(db);
  const created = await dispatchDueSyncs(counted.db, window);
  const total = [...counted.calls.values()].reduce((a, b) => a + b, 0);
  return { created, calls: counted.calls, total };
}

describe.each(['sqlite', 'postgres'] as const)('a burst dispatched by two nodes on %s', (dialect) => {
  let t: TestDatabase;
  let emu: RunningEmulators;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    emu = await emulators();
  });
  afterAll(async () => {
    await emu?.close();
    await t?.drop();
  });

  it('the second node skips organizations already dispatched for the firing without counting or creating', async () => {
    const orgs = await Promise.all(
      [0, 1, 2].map(() =>
        givenConnectedOrganization(t.db, emu, 'xledger', 2, {
          schedule: { cron: '0 2 * * *', timezone: 'UTC' },
        }),
      ),
    );
    const window = {
      since: new Date('2026-11-01T03:00:00.000Z'),
      now: new Date('2026-11-02T02:00:30.000Z'),
      logger: silentLogger,
    };
    const first = await dispatchDueSyncs(t.db, window);
    expect(first.map((s) => s.organizationId).sort()).toEqual(orgs.map((o) => o.id).sort());

    const second = counting(t.db);
    expect(await dispatchDueSyncs(second.db, window)).toEqual([]);
    // One batch call for all of them (which creates nothing); no per-organization read, count or create.
    expect(second.calls.get('syncLogs.createScheduled')).toBe(1);
    expect(second.calls.get('syncLogs.findByIdempotencyKey') ?? 0).toBe(0);
    expect(second.calls.get('expenseRecords.countApproved') ?? 0).toBe(0);
    expect(second.calls.get('syncLogs.create') ?? 0).toBe(0);
    for (const org of orgs) {
      const { items } = await t.db.syncLogs.list({ organizationId: org.id });
      expect(items).toHaveLength(1);
    }
  });

  it('dispatch costs a constant number of store calls per batch of organizations, however many organizations are due', async () => {
    const schedule = { schedule: { cron: '30 4 * * *', timezone: 'UTC' } };
    const window = {
      since: new Date('2026-11-03T04:00:00.000Z'),
      now: new Date('2026-11-03T04:30:30.000Z'),
      logger: silentLogger,
      batchSize: 8,
    };
    const make = (n: number) =>
      Promise.all(
        Array.from({ length: n }, () => givenConnectedOrganization(t.db, emu, 'xledger', 1, schedule)),
      );
    const few = await make(4);
    const small = await dispatchCounted(t.db, window);
    expect(small.created.map((s) => s.organizationId).sort()).toEqual(few.map((o) => o.id).sort());
    // The listing, then one batch: each store call is one transaction of a fixed number of statements.
    expect(Object.fromEntries(small.calls)).toEqual({ 'syncLogs.createScheduled': 1 });

    // Four times as many due at the next firing (the first four still have theirs pending, so the
    // batch skips them): two batches of 8, never a call per organization.
    const more = await make(12);
    const next = {
      ...window,
      since: new Date('2026-11-04T04:00:00.000Z'),
      now: new Date('2026-11-04T04:30:30.000Z'),
    };
    const large = await dispatchCounted(t.db, next);
    expect(large.created.map((s) => s.organizationId).sort()).toEqual(more.map((o) => o.id).sort());
    expect(Object.fromEntries(large.calls)).toEqual({ 'syncLogs.createScheduled': 2 });
  });
});
