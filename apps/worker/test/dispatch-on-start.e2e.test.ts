import type { RunningEmulators } from '@meander/accounting/emulators';
import { createTestDatabase, type TestDatabase } from '@meander/db/testing';
import type { SyncLog } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchDueSyncs, scheduleSlotKey } from '../src/dispatcher.js';
import { silentLogger } from '../src/logger.js';
import { lastFiredBetween, previousMonthPeriod } from '../src/schedule-period.js';
import { startWorker } from '../src/worker.js';
import { emulators, eventually, FAST_RETRIES, givenConnectedOrganization, terminal } from './fixtures.js';

/** Move an organization's fixture records (October 2026) into the month before `now`. */
async function intoPreviousMonth(t: TestDatabase, organizationId: string, now: Date): Promise<void> {
  const month = previousMonthPeriod(now, 'UTC').periodStart.slice(0, 7);
  const raw = t.db.raw;
  if (raw.dialect === 'postgres') {
    await raw.sql`UPDATE expense_records SET booking_date = ${month} || substr(booking_date, 8)
      WHERE organization_id = ${organizationId}`;
  } else {
    raw.connection
      .prepare(
        'UPDATE expense_records SET booking_date = ? || substr(booking_date, 8) WHERE organization_id = ?',
      )
      .run(month, organizationId);
  }
}

describe('lastFiredBetween', () => {
  it('returns the latest firing in (since, now], counting one exactly at now and none at since', () => {
    const at = (iso: string) => new Date(iso);
    expect(
      lastFiredBetween('0 2 * * *', 'UTC', at('2026-11-01T00:00:00Z'), at('2026-11-03T12:00:00Z')),
    ).toEqual(at('2026-11-03T02:00:00Z'));
    expect(
      lastFiredBetween('0 2 * * *', 'UTC', at('2026-11-03T01:00:00Z'), at('2026-11-03T02:00:00Z')),
    ).toEqual(at('2026-11-03T02:00:00Z'));
    expect(
      lastFiredBetween('0 2 * * *', 'UTC', at('2026-11-03T02:00:00Z'), at('2026-11-03T02:00:59Z')),
    ).toBeNull();
    expect(
      lastFiredBetween('0 2 * * *', 'Europe/Oslo', at('2026-11-02T12:00:00Z'), at('2026-11-03T12:00:00Z')),
    ).toEqual(at('2026-11-03T01:00:00Z'));
  });
});

/**
 * A worker that starts dispatches what fell due while none ran, at once, on both queues — no
 * waiting for the next cron tick (a minute inline; pg-boss's cron evaluation on top). The cron here
 * is set far away so only the start-up dispatch can have created the sync.
 */
describe.each([
  ['sqlite', 'inline'],
  ['postgres', 'inline'],
  ['postgres', 'pg-boss'],
] as const)('dispatch on start on %s with the %s queue', (dialect, queue) => {
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

  it('a schedule that fired while no worker ran is synced within seconds of the start', async () => {
    const now = new Date();
    const org = await givenConnectedOrganization(t.db, emu, 'xledger', 12, {
      schedule: { cron: '0 2 * * *', timezone: 'UTC' },
    });
    await intoPreviousMonth(t, org.id, now);
    const worker = await startWorker({
      db: t.db,
      queue,
      logger: silentLogger,
      pollMs: 100,
      adapterOptions: FAST_RETRIES,
      dispatchCron: '0 0 1 1 *',
    });
    try {
      // The start-up dispatch has run by the time startWorker resolves.
      const { items } = await t.db.syncLogs.list({ organizationId: org.id });
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ syncType: 'scheduled', ...previousMonthPeriod(now, 'UTC') });
      const id = (items[0] as SyncLog).id;
      // "Within seconds" is shown by the order above (the sync existed when the start resolved,
      // and the cron is a year away); the deadline here only bounds a sync that never ends.
      const done = await eventually(async () => terminal(await t.db.syncLogs.get(id)), 30_000);
      expect(done).toMatchObject({ status: 'success', recordsSynced: 12 });
    } finally {
      await worker.stop();
    }
  }, 60_000);
});

describe.each(['sqlite', 'postgres'] as const)('the dispatcher is idempotent per firing on %s', (dialect) => {
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

  it('two nodes looking at one firing, the second after the first sync already failed, create one sync', async () => {
    const org = await givenConnectedOrganization(t.db, emu, 'xledger', 3, {
      schedule: { cron: '0 2 * * *', timezone: 'UTC' },
    });
    const now = new Date('2026-11-02T02:00:30.000Z');
    const window = { since: new Date('2026-11-01T03:00:00.000Z'), now, logger: silentLogger };
    const first = await dispatchDueSyncs(t.db, window);
    const mine = first.filter((s) => s.organizationId === org.id);
    expect(mine).toHaveLength(1);
    const sync = mine[0] as SyncLog;
    // No worker runs here: end the sync as a failure, so neither the one-active index nor the
    // "a success covers the period" check stands in the way of a second create.
    await t.db.syncLogs.start(sync.id, { workerId: 'test' });
    await t.db.syncLogs.fail({
      id: sync.id,
      errorDetails: {
        code: 'TEST',
        message: 'failed for the test',
        category: 'unavailable',
        retryable: true,
      },
    });
    // A second node (or a restarted one catching up) looks at the same firing a little later.
    const second = await dispatchDueSyncs(t.db, { ...window, now: new Date('2026-11-02T02:05:00.000Z') });
    expect(second.filter((s) => s.organizationId === org.id)).toEqual([]);
    const { items } = await t.db.syncLogs.list({ organizationId: org.id });
    expect(items.map((s) => s.id)).toEqual([sync.id]);
    expect(
      await t.db.syncLogs.findByIdempotencyKey(org.id, scheduleSlotKey(new Date('2026-11-02T02:00:00Z'))),
    ).toMatchObject({ id: sync.id, status: 'failed' });
    // The next night's firing is a new slot: the failed month is tried again.
    const nextNight = await dispatchDueSyncs(t.db, {
      since: now,
      now: new Date('2026-11-03T02:00:30.000Z'),
      logger: silentLogger,
    });
    expect(nextNight.filter((s) => s.organizationId === org.id)).toHaveLength(1);
  });
});
