import { randomUUID } from 'node:crypto';
import { AccountingError, createAdapter } from '@meander/accounting';
import type { RunningEmulators } from '@meander/accounting/emulators';
import { loadIntegrationHealth, readLedgerRequestTotals } from '@meander/db';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import type { PayloadSummary, SyncLog } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { runSync } from '../src/runner.js';
import {
  emulators,
  eventually,
  FAST_RETRIES,
  givenConnectedOrganization,
  ledgerCounts,
  PERIOD,
} from './fixtures.js';
import { FakeLedger } from './support/fake-ledger.js';

describe.each(DIALECTS)(
  'runSync remembers unverified postings until found or confirmed, on %s',
  (dialect) => {
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

    /** Record, claim and run one sync against the fake ledger; returns it and the adapter's request count. */
    async function run(
      ledger: FakeLedger,
      organizationId: string,
      options: { payloadSummary?: PayloadSummary; triggeredBy?: string; recordsTotal: number },
    ) {
      const { syncLog } = await t.db.syncLogs.create({
        organizationId,
        accountingSystem: 'dynamics',
        syncType: options.triggeredBy ? 'manual' : 'api',
        ...(options.triggeredBy ? { triggeredBy: options.triggeredBy } : {}),
        recordsTotal: options.recordsTotal,
        ...PERIOD,
        ...(options.payloadSummary ? { payloadSummary: options.payloadSummary } : {}),
      });
      const running = await t.db.syncLogs.start(syncLog.id, { workerId: 'test-runner' });
      const adapter = ledger.adapter();
      const outcome = await runSync(
        { db: t.db, logger: silentLogger, batchSize: 3, heartbeatMs: 60_000, adapterFor: () => adapter },
        running,
      );
      return { outcome, log: outcome.syncLog as SyncLog, requests: { ...adapter.requests } };
    }

    it('never sends an unverified posting again until found or confirmed, and audits who confirmed', async () => {
      const org = await givenConnectedOrganization(t.db, emu, 'dynamics', 6);
      const [a, b, c, d, e, f] = org.recordIds as [string, string, string, string, string, string];
      const ledger = new FakeLedger();
      // b and e post, but the batch renumbers them: no read-back finds them.
      ledger.hidden.add(b).add(e);

      const first = await run(ledger, org.id, { recordsTotal: 6 });
      expect(first.log).toMatchObject({ status: 'partial', recordsSynced: 4, recordsFailed: 2 });
      expect(first.log.errorDetails?.recordFailures?.map((r) => [r.recordId, r.code]).sort()).toEqual(
        [
          [b, 'POSTED_NOT_FOUND'],
          [e, 'POSTED_NOT_FOUND'],
        ].sort(),
      );
      expect(first.log.payloadSummary?.ledgerRequests).toEqual({ reads: 6, writes: 6 });
      expect(first.requests).toEqual({ reads: 6, writes: 6 });
      const open = await t.db.unverifiedPostings.listOpen(org.id, org.recordIds);
      expect(open.map((o) => o.recordId).sort()).toEqual([b, e].sort());
      expect(open[0]).toMatchObject({ syncLogId: first.log.id, code: 'POSTED_NOT_FOUND' });
      const healthOf = async () =>
        (await loadIntegrationHealth(t.db, { organizationId: org.id, now: new Date() })).find(
          (h) => h.accountingSystem === 'dynamics',
        );
      expect(await healthOf()).toMatchObject({
        state: 'action_required',
        problems: [
          expect.objectContaining({ code: 'POSTED_NOT_FOUND', records: 2, lastSyncLogId: first.log.id }),
        ],
      });

      // A later export of the same period: b and e are read back only, never sent.
      ledger.neverSendSeen.length = 0;
      const second = await run(ledger, org.id, { recordsTotal: 6 });
      expect(second.log).toMatchObject({ status: 'partial', recordsSynced: 4, recordsFailed: 2 });
      expect(ledger.neverSendSeen.flat().sort()).toEqual([b, e].sort());
      expect([...ledger.postings.values()].every((n) => n === 1)).toBe(true);
      expect((await t.db.unverifiedPostings.listOpen(org.id, [b]))[0]?.lastSyncLogId).toBe(second.log.id);

      // A re-sync without confirmation: still read back only. The accountant then finds b (the
      // renumbered entry shows up under its key): the next re-sync marks it found, e stays open.
      ledger.hidden.delete(b);
      const operator = randomUUID();
      const resync = await run(ledger, org.id, {
        recordsTotal: 2,
        triggeredBy: operator,
        payloadSummary: { formatVersion: '1', parentSyncId: second.log.id, recordIds: [b, e] },
      });
      expect(resync.log).toMatchObject({ status: 'partial', recordsSynced: 1, recordsFailed: 1 });
      expect(ledger.postings.get(b)).toBe(1);
      expect(ledger.postings.get(e)).toBe(1);
      const [foundB] = await t.db.unverifiedPostings.history(org.id, b);
      expect(foundB).toMatchObject({
        resolution: 'found',
        resolvedSyncLogId: resync.log.id,
        resolvedBy: null,
      });

      // The operator checks the ledger: e is not there after all (the queued posting never ran).
      // A re-sync with the confirmation settles it (who, which sync) and sends it exactly once.
      ledger.postings.delete(e);
      ledger.hidden.delete(e);
      const confirmed = await run(ledger, org.id, {
        recordsTotal: 1,
        triggeredBy: operator,
        payloadSummary: {
          formatVersion: '1',
          parentSyncId: resync.log.id,
          recordIds: [e],
          confirmedUnposted: true,
        },
      });
      expect(confirmed.log).toMatchObject({ status: 'success', recordsSynced: 1, recordsFailed: 0 });
      expect(confirmed.log.payloadSummary).toMatchObject({
        parentSyncId: resync.log.id,
        confirmedUnposted: true,
        ledgerRequests: { reads: 2, writes: 1 },
      });
      expect(ledger.postings.get(e)).toBe(1);
      const [confirmedE] = await t.db.unverifiedPostings.history(org.id, e);
      expect(confirmedE).toMatchObject({
        resolution: 'confirmed_unposted',
        resolvedBy: operator,
        resolvedSyncLogId: confirmed.log.id,
      });
      expect(await t.db.unverifiedPostings.listOpen(org.id, org.recordIds)).toEqual([]);
      for (const id of [a, c, d, f]) expect(ledger.postings.get(id)).toBe(1);
    });

    it('an unverified Xledger record a read-back finds staged with errors is settled, and imported once after the items are deleted', async () => {
      // Xledger processes later than the push waits (issue 22, item 6) and then refuses the
      // voucher: the record ends unverified. The next re-sync's read-back finds its items staged
      // with errors — its posting is known now (refused), so it is no longer unverified; once the
      // accountant deletes the items a re-sync imports it exactly once (item 7), no confirmation.
      const org = await givenConnectedOrganization(t.db, emu, 'xledger', 2, { accounts: () => '7140' });
      emu.setFaults('xledger', { processingDelayMs: 300, closedAccounts: ['7140'] });
      const runXledger = async (payloadSummary?: PayloadSummary) => {
        const { syncLog } = await t.db.syncLogs.create({
          organizationId: org.id,
          accountingSystem: 'xledger',
          syncType: 'api',
          recordsTotal: 2,
          ...PERIOD,
          ...(payloadSummary ? { payloadSummary } : {}),
        });
        const running = await t.db.syncLogs.start(syncLog.id, { workerId: 'test-runner' });
        const outcome = await runSync(
          {
            db: t.db,
            logger: silentLogger,
            batchSize: 3,
            heartbeatMs: 60_000,
            adapterFor: (_sync, connection) =>
              createAdapter('xledger', connection, {
                ...FAST_RETRIES,
                xledgerProcessingWait: { firstPollMs: 5, maxWaitMs: 20 },
              }),
          },
          running,
        );
        return outcome.syncLog as SyncLog;
      };
      // Both lines of each voucher: the expense line (the record id) and its contra line (`id:contra`).
      const itemsOf = () =>
        emu.ledger('xledger').filter((e) => org.recordIds.some((id) => e.extIdentifier?.startsWith(id)));
      try {
        const first = await runXledger();
        expect(first.errorDetails?.recordFailures?.map((r) => r.code)).toEqual([
          'POSTED_NOT_FOUND',
          'POSTED_NOT_FOUND',
        ]);
        expect((await t.db.unverifiedPostings.listOpen(org.id, org.recordIds)).length).toBe(2);
        await eventually(async () => itemsOf().every((e) => e.status === 'error'));

        const second = await runXledger();
        expect(second.errorDetails?.recordFailures?.map((r) => r.code)).toEqual([
          'XLEDGER_STAGED_WITH_ERRORS',
          'XLEDGER_STAGED_WITH_ERRORS',
        ]);
        expect(await t.db.unverifiedPostings.listOpen(org.id, org.recordIds)).toEqual([]);
        const [settled] = await t.db.unverifiedPostings.history(org.id, org.recordIds[0] as string);
        expect(settled).toMatchObject({ resolution: 'found', resolvedSyncLogId: second.id });

        const deleted = await fetch(`${emu.url}/_control/xledger/delete-errored`, { method: 'POST' });
        expect(await deleted.json()).toEqual({ deleted: 4 });
        emu.setFaults('xledger', {});
        const third = await runXledger();
        expect(third).toMatchObject({ status: 'success', recordsSynced: 2, recordsFailed: 0 });
        expect([...ledgerCounts(emu, 'xledger', org.recordIds).values()]).toEqual([1, 1]);
        expect(itemsOf().map((e) => e.status)).toEqual(['processed', 'processed', 'processed', 'processed']);
      } finally {
        emu.setFaults('xledger', {});
      }
    });

    it('a batch that fails after its post went out keeps the records it names unverified: a re-sync never posts them again', async () => {
      // Found from outside (QA of issue 22): a job-queue post was accepted, then every read failed
      // until the budget ran out; the sync failed, nothing was remembered, and the re-sync posted
      // the records a second time (the job then booked the first posting too).
      const org = await givenConnectedOrganization(t.db, emu, 'dynamics', 3);
      const [a, b, c] = org.recordIds as [string, string, string];
      const ledger = new FakeLedger();
      // a and b were posted (the job queue books them later: not visible yet); then the batch gave up.
      ledger.postings.set(a, 1).set(b, 1);
      ledger.hidden.add(a).add(b);
      ledger.failNextPush = new AccountingError('Something went wrong. (gave up after 4 attempts)', {
        code: 'Internal_ServerError',
        category: 'unavailable',
        retryable: true,
        outcomeUnknown: true,
        unverifiedRecordIds: [a, b],
      });
      const failed = await run(ledger, org.id, { recordsTotal: 3 });
      expect(failed.log.status).toBe('failed');
      const open = await t.db.unverifiedPostings.listOpen(org.id, org.recordIds);
      expect(open.map((o) => [o.recordId, o.code, o.syncLogId]).sort()).toEqual(
        [
          [a, 'POSTED_NOT_FOUND', failed.log.id],
          [b, 'POSTED_NOT_FOUND', failed.log.id],
        ].sort(),
      );

      // The re-sync of the failed sync: a and b are read back only; c is posted once.
      ledger.neverSendSeen.length = 0;
      const resync = await run(ledger, org.id, {
        recordsTotal: 3,
        triggeredBy: randomUUID(),
        payloadSummary: { formatVersion: '1', parentSyncId: failed.log.id },
      });
      expect(ledger.neverSendSeen.flat().sort()).toEqual([a, b].sort());
      expect(resync.log).toMatchObject({ status: 'partial', recordsSynced: 1, recordsFailed: 2 });
      expect([ledger.postings.get(a), ledger.postings.get(b), ledger.postings.get(c)]).toEqual([1, 1, 1]);
    });

    it('a confirmation on a sync that is not a re-sync releases nothing', async () => {
      const org = await givenConnectedOrganization(t.db, emu, 'dynamics', 2);
      const [a] = org.recordIds as [string];
      const ledger = new FakeLedger();
      ledger.hidden.add(a);
      await run(ledger, org.id, { recordsTotal: 2 });
      ledger.neverSendSeen.length = 0;
      const next = await run(ledger, org.id, {
        recordsTotal: 2,
        triggeredBy: randomUUID(),
        payloadSummary: { formatVersion: '1', confirmedUnposted: true },
      });
      expect(ledger.neverSendSeen).toEqual([[a]]);
      expect(ledger.postings.get(a)).toBe(1);
      expect(next.log.status).toBe('partial');
    });

    it('asks once per sync, not per batch, when the organization has none open', async () => {
      const org = await givenConnectedOrganization(t.db, emu, 'dynamics', 7);
      const { syncLog } = await t.db.syncLogs.create({
        organizationId: org.id,
        accountingSystem: 'dynamics',
        syncType: 'api',
        recordsTotal: 7,
        ...PERIOD,
      });
      const running = await t.db.syncLogs.start(syncLog.id, { workerId: 'test-runner' });
      const calls: string[] = [];
      const unverifiedPostings = Object.create(t.db.unverifiedPostings) as typeof t.db.unverifiedPostings;
      unverifiedPostings.summarizeOpen = (id) => {
        calls.push('summarizeOpen');
        return t.db.unverifiedPostings.summarizeOpen(id);
      };
      unverifiedPostings.listOpen = (id, ids) => {
        calls.push('listOpen');
        return t.db.unverifiedPostings.listOpen(id, ids);
      };
      const ledger = new FakeLedger();
      const outcome = await runSync(
        {
          db: { ...t.db, unverifiedPostings },
          logger: silentLogger,
          batchSize: 3,
          heartbeatMs: 60_000,
          adapterFor: () => ledger.adapter(),
        },
        running,
      );
      expect(outcome.status).toBe('success');
      expect(calls).toEqual(['summarizeOpen']);
      expect(ledger.neverSendSeen).toEqual([[], [], []]);
    });

    // The adapter's retry budget ran out while a post's answer was lost: the post may be in the
    // ledger. A later export must read those records back, never post them on a read-back miss.
    it('a push that failed with its outcome unknown leaves its records unverified, never posted again on a miss', async () => {
      const org = await givenConnectedOrganization(t.db, emu, 'dynamics', 3);
      const ledger = new FakeLedger();
      const lost = new AccountingError('No answer within 30000 ms (gave up after 5 attempts)', {
        code: 'TIMEOUT',
        category: 'unavailable',
        retryable: true,
        outcomeUnknown: true,
      });
      ledger.failNextPush = lost;
      const failed = await run(ledger, org.id, { recordsTotal: 3 });
      expect(failed.log.status).toBe('failed');
      const open = await t.db.unverifiedPostings.listOpen(org.id, org.recordIds);
      expect(open.map((o) => o.recordId).sort()).toEqual([...org.recordIds].sort());
      expect(open[0]?.reason).toMatch(/went out and the batch failed before a read-back could settle it/);
      // The write that timed out did reach the ledger for the first record, invisibly (renumbered).
      const [first] = org.recordIds as [string];
      ledger.postings.set(first, 1);
      ledger.hidden.add(first);
      const next = await run(ledger, org.id, { recordsTotal: 3 });
      expect(ledger.neverSendSeen.at(-1)).toEqual([...org.recordIds].sort());
      expect(next.log).toMatchObject({ status: 'partial', recordsSynced: 0, recordsFailed: 3 });
      for (const id of org.recordIds) expect(ledger.postings.get(id) ?? 0).toBeLessThanOrEqual(1);
      // A failure that never left the process is no reason for an operator: nothing is recorded.
      const other = await givenConnectedOrganization(t.db, emu, 'dynamics', 2);
      ledger.failNextPush = new AccountingError('refused', {
        code: 'INVALID_CONNECTION',
        category: 'configuration',
        retryable: false,
      });
      await run(ledger, other.id, { recordsTotal: 2 });
      expect(await t.db.unverifiedPostings.listOpen(other.id, other.recordIds)).toEqual([]);
    });

    it('a failed sync records what it cost against the ledger, and keeps the summary it was created with', async () => {
      const org = await givenConnectedOrganization(t.db, emu, 'dynamics', 5);
      const ledger = new FakeLedger();
      ledger.failNextPush = new Error('socket hang up');
      const failed = await run(ledger, org.id, {
        recordsTotal: 5,
        triggeredBy: randomUUID(),
        payloadSummary: { formatVersion: '1', parentSyncId: randomUUID(), recordIds: org.recordIds },
      });
      expect(failed.log.status).toBe('failed');
      expect(failed.log.payloadSummary).toMatchObject({
        recordIds: org.recordIds,
        ledgerRequests: { reads: 1, writes: 1 },
      });
    });

    it.each(['xledger', 'dynamics'] as const)(
      'counts the %s requests exactly as the emulator saw them',
      async (system) => {
        const org = await givenConnectedOrganization(t.db, emu, system, 7);
        const { syncLog } = await t.db.syncLogs.create({
          organizationId: org.id,
          accountingSystem: system,
          syncType: 'api',
          recordsTotal: 7,
          ...PERIOD,
        });
        const running = await t.db.syncLogs.start(syncLog.id, { workerId: 'test-runner' });
        const before = emu.stats(system);
        const totalOf = async () =>
          (await readLedgerRequestTotals(t.db)).find((r) => r.accountingSystem === system);
        const totalBefore = await totalOf();
        const outcome = await runSync(
          {
            db: t.db,
            logger: silentLogger,
            batchSize: 3,
            heartbeatMs: 60_000,
            adapterFor: (_sync, connection) => createAdapter(system, connection, FAST_RETRIES),
          },
          running,
        );
        const after = emu.stats(system);
        expect(outcome.status).toBe('success');
        const counted = outcome.syncLog?.payloadSummary?.ledgerRequests;
        // The adapter counts its token requests too (they cost a round trip); the emulator counts them apart.
        expect(counted).toEqual({
          reads:
            after.requests -
            before.requests -
            (after.writes - before.writes) +
            (after.tokenRequests - before.tokenRequests),
          writes: after.writes - before.writes,
        });
        expect((counted?.writes ?? 0) > 0).toBe(true);
        // What /metrics exposes (meander_ledger_requests_total) grew by exactly that.
        const totalAfter = await totalOf();
        expect({
          reads: (totalAfter?.reads ?? 0) - (totalBefore?.reads ?? 0),
          writes: (totalAfter?.writes ?? 0) - (totalBefore?.writes ?? 0),
        }).toEqual(counted);
      },
    );
  },
);
