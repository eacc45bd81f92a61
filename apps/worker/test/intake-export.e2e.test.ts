import type { RunningEmulators } from '@meander/accounting/emulators';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import type { AccountingSystem, ExpenseRecordInput, SyncLog } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchDueSyncs } from '../src/dispatcher.js';
import { silentLogger } from '../src/logger.js';
import { type RunningWorker, startWorker } from '../src/worker.js';
import { emulators, eventually, FAST_RETRIES, givenConnectedOrganization, ledgerCounts } from './fixtures.js';

const terminal = (s: SyncLog | null) => (s && ['success', 'partial', 'failed'].includes(s.status) ? s : null);

const aRecord = (i: number, lines?: ExpenseRecordInput['lines']): ExpenseRecordInput => ({
  id: crypto.randomUUID(),
  version: 1,
  kind: 'expense_claim',
  employeeNumber: 'E005',
  bookingDate: `2026-10-${String(i + 1).padStart(2, '0')}`,
  currency: 'NOK',
  description: `Intake ${i}`,
  lines: lines ?? [{ account: '7100', amountMinor: 20_000 + i, vatCode: 'ZERO', vatAmountMinor: 0 }],
});

/**
 * Records handed over through the intake go out through the unchanged one-line export: withdrawn
 * ones and those the one-line poster would post wrong (VAT, several lines) never reach the ledger,
 * and what a successful sync posted can no longer change.
 */
describe.each(DIALECTS)('intake records through a real sync on %s', (dialect) => {
  let t: TestDatabase;
  let emu: RunningEmulators;
  let worker: RunningWorker;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    emu = await emulators();
    worker = await startWorker({
      db: t.db,
      logger: silentLogger,
      batchSize: 25,
      pollMs: 50,
      adapterOptions: FAST_RETRIES,
      dispatchCron: '0 0 1 1 *',
      catchUpHours: 0,
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await emu?.close();
    await t?.drop();
  });

  it.each<AccountingSystem>(['xledger', 'dynamics'])(
    'posts the plain records once, never a withdrawn or held one, and marks them posted (%s)',
    async (system) => {
      const org = await givenConnectedOrganization(t.db, emu, system, 0, {
        schedule: { cron: '0 2 * * *', timezone: 'UTC' },
      });
      const plain = Array.from({ length: 5 }, (_, i) => aRecord(i));
      const withdrawn = aRecord(6);
      const vat = aRecord(7, [
        { account: '7100', amountMinor: 8_000, vatCode: 'HIGH', vatAmountMinor: 2_000 },
      ]);
      const twoLines = aRecord(8, [plain[0]?.lines[0], plain[1]?.lines[0]] as ExpenseRecordInput['lines']);
      const stored = await t.db.expenseRecords.upsert(org.id, [...plain, withdrawn, vat, twoLines]);
      expect(stored).toEqual({ upserted: 8, unchanged: 0, rejected: [] });
      await t.db.expenseRecords.withdraw(org.id, [withdrawn.id]);

      const now = new Date('2026-11-02T02:00:30.000Z');
      const created = await dispatchDueSyncs(t.db, {
        since: new Date(now.getTime() - 60_000),
        now,
        logger: silentLogger,
      });
      const queued = created.find((s) => s.organizationId === org.id) as SyncLog;
      expect(queued.recordsTotal).toBe(5);
      const done = await eventually(async () => terminal(await t.db.syncLogs.get(queued.id)));
      expect(done).toMatchObject({ status: 'success', recordsSynced: 5, recordsFailed: 0 });

      const counts = ledgerCounts(
        emu,
        system,
        [...plain, withdrawn, vat, twoLines].map((r) => r.id),
      );
      expect(plain.map((r) => counts.get(r.id))).toEqual([1, 1, 1, 1, 1]);
      expect([withdrawn, vat, twoLines].map((r) => counts.get(r.id))).toEqual([0, 0, 0]);

      const posted = await t.db.expenseRecords.list({ organizationId: org.id, state: 'posted' });
      expect(posted.items.map((v) => [v.id, v.postedBySyncLogId])).toEqual(plain.map((r) => [r.id, done.id]));
      const change = await t.db.expenseRecords.upsert(org.id, [
        { ...(plain[0] as ExpenseRecordInput), version: 2 },
      ]);
      expect(change.rejected[0]?.issues[0]?.rule).toBe('RECORD_ALREADY_POSTED');
    },
  );
});
