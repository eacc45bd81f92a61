import { DomainError, type SyncLog } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ORGANIZATIONS, seedDemo } from '../src/seed.js';
import {
  aCreateCommand,
  createTestDatabase,
  DIALECTS,
  givenOrganization,
  type TestDatabase,
} from '../src/testing/index.js';

const user = '0b9e8f8e-7c1e-4b5a-9d3f-1a2b3c4d5e6f';
const failure = (recordIds: string[] = []) => ({
  code: 'REJECTED',
  message: 'Some records were rejected',
  category: 'validation' as const,
  retryable: false,
  recordFailures: recordIds.map((recordId) => ({
    recordId,
    code: 'ACCOUNT_CLOSED',
    reason: 'Account 7100 is closed',
  })),
});

describe.each(DIALECTS)('queries and read models on %s', (dialect) => {
  let t: TestDatabase;
  let orgId: string;
  const history: SyncLog[] = [];

  /** Twelve finished syncs, one a day, alternating outcomes; the last one stays active. */
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    orgId = (await givenOrganization(t.db)).id;
    for (let day = 1; day <= 12; day += 1) {
      const at = `2026-11-${String(day).padStart(2, '0')}T02:00:00.000Z`;
      const month = day <= 6 ? '09' : '10';
      const { syncLog } = await t.db.syncLogs.create(
        aCreateCommand(orgId, {
          syncType: day % 3 === 0 ? 'manual' : 'scheduled',
          triggeredBy: day % 3 === 0 ? user : null,
          periodStart: `2026-${month}-01T00:00:00.000Z`,
          periodEnd: `2026-${month}-30T23:59:59.999Z`,
        }),
        { now: at },
      );
      await t.db.syncLogs.start(syncLog.id, { now: at });
      const done = `2026-11-${String(day).padStart(2, '0')}T02:05:00.000Z`;
      if (day === 12) {
        history.push((await t.db.syncLogs.get(syncLog.id)) as SyncLog);
        break;
      }
      if (day % 4 === 0) await t.db.syncLogs.fail({ id: syncLog.id, errorDetails: failure() }, { now: done });
      else if (day % 4 === 1)
        await t.db.syncLogs.complete(
          { id: syncLog.id, recordsSynced: 8, recordsFailed: 2, errorDetails: failure(['rec-a', 'rec-b']) },
          { now: done },
        );
      else
        await t.db.syncLogs.complete({ id: syncLog.id, recordsSynced: 10, recordsFailed: 0 }, { now: done });
      history.push((await t.db.syncLogs.get(syncLog.id)) as SyncLog);
    }
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('lists newest startedAt first and pages with a keyset cursor without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.db.syncLogs.list({
        organizationId: orgId,
        limit: 5,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...history].reverse().map((h) => h.id));
  });

  it('filters by status, type, triggeredBy, period overlap and start window', async () => {
    const ids = async (q: Record<string, unknown>) =>
      (await t.db.syncLogs.list({ organizationId: orgId, ...q })).items.map((i) => i.id).sort();
    const expected = (pred: (s: SyncLog) => boolean) =>
      history
        .filter(pred)
        .map((h) => h.id)
        .sort();
    expect(await ids({ status: 'failed' })).toEqual(expected((s) => s.status === 'failed'));
    expect(await ids({ status: 'partial' })).toEqual(expected((s) => s.status === 'partial'));
    expect(await ids({ syncType: 'manual' })).toEqual(expected((s) => s.syncType === 'manual'));
    expect(await ids({ triggeredBy: user })).toEqual(expected((s) => s.triggeredBy === user));
    expect(await ids({ accountingSystem: 'dynamics' })).toEqual([]);
    expect(
      await ids({ periodFrom: '2026-10-15T00:00:00.000Z', periodTo: '2026-10-16T00:00:00.000Z' }),
    ).toEqual(expected((s) => s.periodStart.startsWith('2026-10')));
    expect(
      await ids({ startedAfter: '2026-11-10T00:00:00.000Z', startedBefore: '2026-11-12T00:00:00.000Z' }),
    ).toEqual(expected((s) => s.startedAt >= '2026-11-10' && s.startedAt < '2026-11-12'));
  });

  it('refuses a forged cursor and an out-of-range limit', async () => {
    for (const q of [{ cursor: 'not-a-cursor' }, { limit: 0 }, { limit: 201 }]) {
      await expect(t.db.syncLogs.list({ organizationId: orgId, ...q })).rejects.toSatisfy(
        (e: unknown) => e instanceof DomainError && e.code === 'VALIDATION_FAILED',
      );
    }
  });

  it('plans re-syncs from each period’s latest failed or partial attempt', async () => {
    const plan = await t.db.syncLogs.resyncPlan(orgId);
    // September's latest attempt (day 6) succeeded; October's latest (day 12) is still running.
    expect(plan).toEqual([]);
    const { syncLog } = await t.db.syncLogs
      .create(
        aCreateCommand(orgId, {
          periodStart: '2026-08-01T00:00:00.000Z',
          periodEnd: '2026-08-31T23:59:59.999Z',
        }),
      )
      .catch(() => ({ syncLog: null }));
    expect(syncLog).toBeNull(); // one active sync: day 12 is still in progress
  });

  it('summarizes health for monitoring', async () => {
    const [entry] = await t.db.syncLogs.monitoringOverview({
      organizationId: orgId,
      now: '2026-11-12T02:10:00.000Z',
      staleAfterSeconds: 120,
    });
    const terminal = history.filter((h) => h.status !== 'in_progress');
    const inWindow = (days: number) =>
      terminal.filter(
        (h) => Date.parse(h.startedAt) >= Date.parse('2026-11-12T02:10:00.000Z') - days * 86_400_000,
      );
    const successes7 = inWindow(7).filter((h) => h.status === 'success').length;
    expect(entry).toMatchObject({
      organizationId: orgId,
      accountingSystem: 'xledger',
      lastSync: { id: history[11]?.id, status: 'in_progress' },
      lastSuccessAt: '2026-11-11T02:00:00.000Z',
      consecutiveFailures: 0,
      successRate7d: Math.round((successes7 / inWindow(7).length) * 10_000) / 10_000,
      recordsFailed30d: terminal.reduce((n, h) => n + h.recordsFailed, 0),
      activeSync: { id: history[11]?.id, status: 'in_progress', ageSeconds: 600 },
      stuck: true,
    });
  });

  it('counts consecutive failures since the last success and plans them', async () => {
    const org = await givenOrganization(t.db);
    const run = async (outcome: 'success' | 'failed' | 'partial', at: string) => {
      const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org.id), { now: at });
      await t.db.syncLogs.start(syncLog.id, { now: at });
      if (outcome === 'success')
        await t.db.syncLogs.complete({ id: syncLog.id, recordsSynced: 10, recordsFailed: 0 }, { now: at });
      if (outcome === 'failed')
        await t.db.syncLogs.fail({ id: syncLog.id, errorDetails: failure() }, { now: at });
      if (outcome === 'partial')
        await t.db.syncLogs.complete(
          { id: syncLog.id, recordsSynced: 9, recordsFailed: 1, errorDetails: failure(['rec-x']) },
          { now: at },
        );
      return syncLog.id;
    };
    await run('success', '2026-11-01T00:00:00.000Z');
    await run('failed', '2026-11-02T00:00:00.000Z');
    const partialId = await run('partial', '2026-11-03T00:00:00.000Z');
    const [entry] = await t.db.syncLogs.monitoringOverview({
      organizationId: org.id,
      now: '2026-11-04T00:00:00.000Z',
      staleAfterSeconds: 120,
    });
    expect(entry).toMatchObject({
      consecutiveFailures: 2,
      successRate7d: 0.3333,
      activeSync: null,
      stuck: false,
    });
    const plan = await t.db.syncLogs.resyncPlan(org.id);
    expect(plan).toEqual([
      expect.objectContaining({
        latestSyncLogId: partialId,
        latestStatus: 'partial',
        failedRecordIds: ['rec-x'],
        wholePeriod: false,
      }),
    ]);
    expect(
      await t.db.syncLogs.findSuccessCovering(org.id, '2026-10-01T00:00:00.000Z', '2026-10-31T23:59:59.999Z'),
    ).toMatchObject({
      status: 'success',
    });
  });

  it('tells whether another attempt at an overlapping period ended failed or partial', async () => {
    const org = await givenOrganization(t.db);
    const october = { periodStart: '2026-10-01T00:00:00.000Z', periodEnd: '2026-10-31T23:59:59.999Z' };
    const { syncLog: failedOne } = await t.db.syncLogs.create(aCreateCommand(org.id, october));
    await t.db.syncLogs.start(failedOne.id);
    await t.db.syncLogs.fail({ id: failedOne.id, errorDetails: failure() });
    const { syncLog: current } = await t.db.syncLogs.create(aCreateCommand(org.id, october));
    const ask = (from: string, to: string, exceptId = current.id, organizationId = org.id) =>
      t.db.syncLogs.hasUnfinishedAttempt(organizationId, from, to, exceptId);

    expect(await ask(october.periodStart, october.periodEnd)).toBe(true);
    // Overlap, not equality: a period reaching into October finds it; one ending before does not.
    expect(await ask('2026-10-31T00:00:00.000Z', '2026-11-30T23:59:59.999Z')).toBe(true);
    expect(await ask('2026-09-01T00:00:00.000Z', '2026-09-30T23:59:59.999Z')).toBe(false);
    // The attempt asking is never its own evidence, and ids are compared in canonical form.
    expect(await ask(october.periodStart, october.periodEnd, failedOne.id.toUpperCase())).toBe(false);
    expect(await ask(october.periodStart, october.periodEnd, current.id, org.id.toUpperCase())).toBe(true);
    expect(await ask(october.periodStart, october.periodEnd, 'not-a-uuid')).toBe(true);
    expect(await ask(october.periodStart, october.periodEnd, current.id, 'not-a-uuid')).toBe(false);
    // Success and active attempts are not unfinished ones.
    const other = await givenOrganization(t.db);
    const { syncLog: done } = await t.db.syncLogs.create(aCreateCommand(other.id, october));
    await t.db.syncLogs.start(done.id);
    await t.db.syncLogs.complete({ id: done.id, recordsSynced: 10, recordsFailed: 0 });
    await t.db.syncLogs.create(aCreateCommand(other.id, october));
    expect(
      await t.db.syncLogs.hasUnfinishedAttempt(
        other.id,
        october.periodStart,
        october.periodEnd,
        failedOne.id,
      ),
    ).toBe(false);
    // Beyond any page of history: an old partial attempt under many newer successes still counts.
    const busy = await givenOrganization(t.db);
    const first = await t.db.syncLogs.create(aCreateCommand(busy.id, october));
    await t.db.syncLogs.start(first.syncLog.id);
    await t.db.syncLogs.complete({
      id: first.syncLog.id,
      recordsSynced: 9,
      recordsFailed: 1,
      errorDetails: failure(['rec-z']),
    });
    for (let i = 0; i < 25; i += 1) {
      const { syncLog } = await t.db.syncLogs.create(aCreateCommand(busy.id, october));
      await t.db.syncLogs.start(syncLog.id);
      await t.db.syncLogs.complete({ id: syncLog.id, recordsSynced: 10, recordsFailed: 0 });
    }
    const latest = await t.db.syncLogs.create(aCreateCommand(busy.id, october));
    expect(
      await t.db.syncLogs.hasUnfinishedAttempt(
        busy.id,
        october.periodStart,
        october.periodEnd,
        latest.syncLog.id,
      ),
    ).toBe(true);
  });

  it('seeds the demo idempotently and streams approved records in batches', async () => {
    const now = new Date('2026-11-24T12:00:00.000Z');
    // The accounting package's DEMO_POSTING_SETTINGS in production; any settings here.
    const postingSettings = {
      vatCodes: 'HIGH=H,MEDIUM=M,LOW=L,ZERO=Z,EXEMPT=X',
      dimensions: 'department=DEP,project=PRJ',
      employeeCredit: 'employee',
    };
    const first = await seedDemo(t.db, { emulatorUrl: 'http://127.0.0.1:4010', postingSettings, now });
    const second = await seedDemo(t.db, { emulatorUrl: 'http://127.0.0.1:4999', postingSettings, now });
    expect(first.records).toBe(704);
    expect(second.records).toBe(0);
    const nordlys = DEMO_ORGANIZATIONS[0].id;
    expect((await t.db.organizations.getAccountingModule(nordlys))?.config?.connection?.baseUrl).toBe(
      'http://127.0.0.1:4999/xledger/graphql',
    );
    for (const org of DEMO_ORGANIZATIONS)
      expect((await t.db.organizations.getAccountingModule(org.id))?.config?.connection).toMatchObject(
        postingSettings,
      );
    expect((await t.db.organizations.getAccountingModule(DEMO_ORGANIZATIONS[2].id))?.enabled).toBe(false);
    // The demo keeps its books in Oslo: its October is these instants (summer time until the 25th).
    expect((await t.db.organizations.get(nordlys))?.timeZone).toBe('Europe/Oslo');
    const selection = {
      organizationId: nordlys,
      periodStart: '2026-09-30T22:00:00.000Z',
      periodEnd: '2026-10-31T22:59:59.999Z',
    };
    expect(await t.db.expenseRecords.countApproved(selection)).toBe(300);
    const batches: number[] = [];
    const ids = new Set<string>();
    const order: string[] = [];
    for await (const batch of t.db.expenseRecords.streamApproved(selection, 64)) {
      batches.push(batch.length);
      for (const r of batch) {
        ids.add(r.id);
        order.push(`${r.bookingDate} ${r.id}`);
        expect(Number.isInteger(r.amountMinor)).toBe(true);
      }
    }
    expect(batches).toEqual([64, 64, 64, 64, 44]);
    expect(ids.size).toBe(300);
    // The demo goes through the posting model: VAT at every rate, several lines, dimensions,
    // employees E001–E010 and receipts; each record's amount is its gross total.
    const records = [];
    for await (const batch of t.db.expenseRecords.streamApproved(selection, 500)) records.push(...batch);
    const lines = records.flatMap((r) => r.lines ?? []);
    expect(new Set(lines.map((l) => l.vatCode))).toEqual(
      new Set(['HIGH', 'MEDIUM', 'LOW', 'ZERO', 'EXEMPT']),
    );
    expect(new Set(records.map((r) => r.lines?.length))).toEqual(new Set([1, 2, 3]));
    expect(new Set(lines.map((l) => l.dimensions?.department).filter(Boolean))).toEqual(
      new Set(['SALES', 'OPS']),
    );
    expect(new Set(lines.map((l) => l.dimensions?.project).filter(Boolean))).toEqual(
      new Set(['P100', 'P200']),
    );
    expect(new Set(records.map((r) => r.employeeNumber))).toEqual(
      new Set(Array.from({ length: 10 }, (_, i) => `E${String(i + 1).padStart(3, '0')}`)),
    );
    expect(records.filter((r) => r.receiptUrl?.startsWith('https://')).length).toBe(100);
    for (const r of records) {
      expect(r.amountMinor).toBe(
        (r.lines ?? []).reduce((sum, l) => sum + l.amountMinor + l.vatAmountMinor, 0),
      );
      for (const l of r.lines ?? [])
        if (l.vatCode === 'HIGH') expect(l.vatAmountMinor).toBe(Math.floor((l.amountMinor * 25 + 50) / 100));
    }
    // The keyset follows (booking date, id) across page boundaries that fall inside a day.
    expect(order).toEqual([...order].sort());
    const some = [...ids].slice(0, 3);
    const chosen = [];
    for await (const batch of t.db.expenseRecords.streamApproved({ ...selection, recordIds: some }, 64))
      chosen.push(...batch);
    expect(chosen.map((r) => r.id).sort()).toEqual([...some].sort());
    // A named selection (a re-sync's records) keeps the same (booking date, id) order and page size
    // on both dialects, across pages, and counts only its own approved records in the period.
    const named = [...ids].filter((_, i) => i % 3 === 0); // 100 ids spread over the period
    const outsider = '00000000-0000-4000-8000-000000000001';
    const namedSelection = { ...selection, recordIds: [...named].reverse().concat(outsider) };
    expect(await t.db.expenseRecords.countApproved(namedSelection)).toBe(100);
    const namedBatches: number[] = [];
    const namedOrder: string[] = [];
    for await (const batch of t.db.expenseRecords.streamApproved(namedSelection, 30)) {
      namedBatches.push(batch.length);
      namedOrder.push(...batch.map((r) => `${r.bookingDate} ${r.id}`));
    }
    expect(namedBatches).toEqual([30, 30, 30, 10]);
    expect(namedOrder).toEqual(order.filter((key) => named.includes(key.slice(key.indexOf(' ') + 1))));
    expect((await t.db.organizations.listScheduled()).map((m) => m.organizationId)).toEqual(
      expect.arrayContaining([DEMO_ORGANIZATIONS[0].id, DEMO_ORGANIZATIONS[1].id]),
    );
  });
});
