import type { AcceptedRecord, AccountingAdapter, BatchContext, RejectedRecord } from '@meander/accounting';
import type { RunningEmulators } from '@meander/accounting/emulators';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import { type ExportRecord, exportLinesOf, type SyncLog } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { runSync } from '../src/runner.js';
import { emulators, givenConnectedOrganization, PERIOD } from './fixtures.js';

const OPERATOR = '0b7f5f0e-5a44-4c1e-9d7e-2f1b3c4d5e6f';

/**
 * A ledger that books each posting under its key — the record id (`<id>#<n>` from posting round 2
 * on), or that + `:reversal` for its reversal — and keeps every account's balance in minor units, refusing the records the test names.
 * Read-back first, like the real adapters: a key already booked is accepted as already posted.
 */
class BalancingLedger {
  readonly keys = new Set<string>();
  readonly balances = new Map<string, number>();
  readonly refuse = new Set<string>();
  /** Keys whose post goes out and is never found: rejected unverified, booked nowhere. */
  readonly unverify = new Set<string>();
  readonly pushed: { record: ExportRecord; readBackFirst: boolean }[] = [];

  adapter(): AccountingAdapter {
    const ledger = this;
    return {
      system: 'dynamics',
      requests: { reads: 0, writes: 0 },
      async pushBatch(records: readonly ExportRecord[], context: BatchContext) {
        const accepted: AcceptedRecord[] = [];
        const rejected: RejectedRecord[] = [];
        for (const record of records) {
          ledger.pushed.push({ record, readBackFirst: context.readBackFirst === true });
          const round = (record.postingRound ?? 1) > 1 ? `${record.id}#${record.postingRound}` : record.id;
          const key = record.reversal ? `${round}:reversal` : round;
          if (context.readBackFirst && ledger.keys.has(key)) {
            accepted.push({ recordId: record.id, externalId: key, alreadyPosted: true });
            continue;
          }
          if (ledger.unverify.has(key) && !context.neverSend?.has(record.id)) {
            rejected.push({
              recordId: record.id,
              code: 'POSTED_NOT_FOUND',
              category: 'configuration',
              retryable: false,
              reason: 'posted, not found',
              unverified: true,
            });
            continue;
          }
          if (ledger.refuse.has(key)) {
            rejected.push({
              recordId: record.id,
              code: 'PERIOD_CLOSED',
              category: 'validation',
              retryable: false,
              reason: 'closed',
            });
            continue;
          }
          const sign = record.reversal ? -1 : 1;
          for (const line of exportLinesOf(record))
            ledger.add(line.account, sign * (line.amountMinor + line.vatAmountMinor));
          ledger.add('2910', -sign * record.amountMinor);
          ledger.keys.add(key);
          accepted.push({ recordId: record.id, externalId: key });
        }
        return { accepted, rejected, externalReferenceId: null };
      },
      async checkConnection() {
        return { ok: true };
      },
      async preflight() {
        return { documents: [], rejected: [] };
      },
      async inspectConnection() {
        return { ok: true, checks: [] };
      },
    };
  }

  private add(account: string, minor: number) {
    this.balances.set(account, (this.balances.get(account) ?? 0) + minor);
  }

  /** Every account with a balance other than zero. */
  nonZero(): [string, number][] {
    return [...this.balances].filter(([, v]) => v !== 0).sort();
  }
}

describe.each(DIALECTS)('runSync — a reversal, on %s', (dialect) => {
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

  async function run(ledger: BalancingLedger, sync: SyncLog) {
    const running = await t.db.syncLogs.start(sync.id, { workerId: 'test-runner' });
    return runSync(
      {
        db: t.db,
        logger: silentLogger,
        batchSize: 2,
        heartbeatMs: 60_000,
        adapterFor: () => ledger.adapter(),
      },
      running,
    );
  }

  it('posts the reversing documents of what the original posted, releases them, and is re-synced where it failed', async () => {
    const org = await givenConnectedOrganization(t.db, emu, 'dynamics', 5, {
      accounts: (i) => (i % 2 === 0 ? '7100' : '7140'),
    });
    const ids = org.recordIds;
    const ledger = new BalancingLedger();
    ledger.refuse.add(ids[4] as string);
    const { syncLog } = await t.db.syncLogs.create({
      organizationId: org.id,
      accountingSystem: 'dynamics',
      syncType: 'api',
      recordsTotal: 5,
      ...PERIOD,
    });
    const original = await run(ledger, syncLog);
    expect(original.syncLog).toMatchObject({ status: 'partial', recordsSynced: 4, recordsFailed: 1 });
    expect(ledger.nonZero().length).toBeGreaterThan(0);

    const reversal = await t.db.syncLogs.createReversal({
      syncLogId: syncLog.id,
      reason: 'Exported to the wrong company',
      triggeredBy: OPERATOR,
    });
    expect(reversal.recordsTotal).toBe(4);
    ledger.refuse.add(`${ids[1]}:reversal`);
    ledger.pushed.length = 0;
    const reversed = await run(ledger, reversal);
    expect(reversed.syncLog).toMatchObject({ status: 'partial', recordsSynced: 3, recordsFailed: 1 });
    expect(reversed.syncLog?.errorDetails?.recordFailures?.map((f) => f.recordId)).toEqual([ids[1]]);
    // Exactly the four posted records, each whole and marked a reversal, read back first.
    expect(ledger.pushed.map((p) => p.record.id).sort()).toEqual(ids.slice(0, 4).sort());
    expect(ledger.pushed.every((p) => p.record.reversal === true && p.readBackFirst)).toBe(true);
    expect(ledger.pushed[0]?.record.lines?.length).toBe(1);
    const summary = reversed.syncLog?.payloadSummary;
    expect(summary).toMatchObject({
      reversal: { of: syncLog.id, reason: 'Exported to the wrong company' },
      recordCount: 4,
    });
    expect([...(summary?.recordIds ?? [])].sort()).toEqual(ids.slice(0, 4).sort());
    expect(JSON.stringify(summary)).not.toMatch(/Taxi|E0\d\d/);
    const stateOf = async (id: string) => (await t.db.expenseRecords.get(org.id, id))?.state;
    expect(await stateOf(ids[0] as string)).toBe('approved');
    expect(await stateOf(ids[1] as string)).toBe('posted');

    // The partial reversal's re-sync is a reversal too: only the record it failed, read back first.
    ledger.refuse.clear();
    ledger.pushed.length = 0;
    const { syncLog: resync } = await t.db.syncLogs.create({
      organizationId: org.id,
      accountingSystem: 'dynamics',
      syncType: 'manual',
      triggeredBy: OPERATOR,
      recordsTotal: 1,
      ...PERIOD,
      payloadSummary: {
        formatVersion: '1',
        parentSyncId: reversal.id,
        recordIds: [ids[1] as string],
        reversal: { of: syncLog.id, reason: 'Exported to the wrong company' },
      },
    });
    const resynced = await run(ledger, resync);
    expect(resynced.syncLog).toMatchObject({ status: 'success', recordsSynced: 1, recordsFailed: 0 });
    expect(resynced.syncLog?.payloadSummary).toMatchObject({
      parentSyncId: reversal.id,
      reversal: { of: syncLog.id },
    });
    expect(ledger.pushed.map((p) => [p.record.id, p.record.reversal])).toEqual([[ids[1], true]]);
    expect(await stateOf(ids[1] as string)).toBe('approved');
    // Every account is back where it was before the export.
    expect(ledger.nonZero()).toEqual([]);
    expect(await t.db.expenseRecords.countPostedBy(syncLog.id)).toBe(0);
  });

  it('a reversal of a sync whose records are all released already posts nothing and succeeds with zero', async () => {
    const org = await givenConnectedOrganization(t.db, emu, 'dynamics', 2);
    const ledger = new BalancingLedger();
    const { syncLog } = await t.db.syncLogs.create({
      organizationId: org.id,
      accountingSystem: 'dynamics',
      syncType: 'api',
      recordsTotal: 2,
      ...PERIOD,
    });
    await run(ledger, syncLog);
    const reversal = await t.db.syncLogs.createReversal({
      syncLogId: syncLog.id,
      reason: 'x',
      triggeredBy: OPERATOR,
    });
    const first = await run(ledger, reversal);
    expect(first.syncLog).toMatchObject({ status: 'success', recordsSynced: 2 });
    expect(ledger.nonZero()).toEqual([]);
    expect(await t.db.expenseRecords.countPostedBy(syncLog.id)).toBe(0);
  });

  it("an unverified reversal is neither settled nor sent by the next export; the reversal's own confirmed re-sync settles it", async () => {
    const org = await givenConnectedOrganization(t.db, emu, 'dynamics', 2);
    const [a, b] = org.recordIds as [string, string];
    const ledger = new BalancingLedger();
    const create = async (extra: Partial<Parameters<typeof t.db.syncLogs.create>[0]> = {}) =>
      (
        await t.db.syncLogs.create({
          organizationId: org.id,
          accountingSystem: 'dynamics',
          syncType: 'api',
          recordsTotal: 2,
          ...PERIOD,
          ...extra,
        })
      ).syncLog;
    const original = await create();
    await run(ledger, original);
    const reversal = await t.db.syncLogs.createReversal({
      syncLogId: original.id,
      reason: 'x',
      triggeredBy: OPERATOR,
    });
    ledger.unverify.add(`${b}:reversal`);
    const reversed = await run(ledger, reversal);
    expect(reversed.syncLog).toMatchObject({ status: 'partial', recordsSynced: 1, recordsFailed: 1 });
    const openFor = async () => (await t.db.unverifiedPostings.listOpen(org.id, [b])).map((o) => o.syncLogId);
    expect(await openFor()).toEqual([reversal.id]);

    // The next export: a goes out in its second round; b (still posted, its reversal unverified) is
    // neither read back — its first posting would be found and settle the reversal's entry — nor sent.
    ledger.pushed.length = 0;
    const exported = await run(ledger, await create());
    expect(ledger.pushed.map((p) => [p.record.id, p.record.postingRound, p.record.reversal])).toEqual([
      [a, 2, undefined],
    ]);
    expect(exported.syncLog?.errorDetails?.recordFailures).toEqual([
      expect.objectContaining({ recordId: b, code: 'POSTED_NOT_FOUND' }),
    ]);
    expect(await openFor()).toEqual([reversal.id]);
    expect((await t.db.expenseRecords.get(org.id, b))?.postedBySyncLogId).toBe(original.id);

    // The operator confirms the reversal not posted: its re-sync (a reversal) settles and sends it.
    ledger.unverify.clear();
    ledger.pushed.length = 0;
    const resync = await create({
      syncType: 'manual',
      triggeredBy: OPERATOR,
      recordsTotal: 1,
      payloadSummary: {
        formatVersion: '1',
        parentSyncId: reversal.id,
        recordIds: [b],
        reversal: { of: original.id, reason: 'x' },
        confirmedUnposted: true,
      },
    });
    expect((await run(ledger, resync)).syncLog).toMatchObject({ status: 'success', recordsSynced: 1 });
    expect(ledger.pushed.map((p) => [p.record.id, p.record.reversal])).toEqual([[b, true]]);
    expect(await openFor()).toEqual([]);
    expect((await t.db.expenseRecords.get(org.id, b))?.state).toBe('approved');
  });
});
