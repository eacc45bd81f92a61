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
    // One indexed read per organization; no count of its records and no create transaction.
    expect(second.calls.get('syncLogs.findByIdempotencyKey')).toBe(orgs.length);
    expect(second.calls.get('expenseRecords.countApproved') ?? 0).toBe(0);
    expect(second.calls.get('syncLogs.create') ?? 0).toBe(0);
    for (const org of orgs) {
      const { items } = await t.db.syncLogs.list({ organizationId: org.id });
      expect(items).toHaveLength(1);
    }
  });
});
