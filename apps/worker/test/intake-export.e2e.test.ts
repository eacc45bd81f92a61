import { type AccountingAdapter, createAdapter, DEMO_POSTING_SETTINGS } from '@meander/accounting';
import type { RunningEmulators } from '@meander/accounting/emulators';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import type { AccountingSystem, ExpenseRecordInput, ExportRecord, SyncLog } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchDueSyncs } from '../src/dispatcher.js';
import { silentLogger } from '../src/logger.js';
import { type RunningWorker, startWorker } from '../src/worker.js';
import {
  emulators,
  eventually,
  FAST_RETRIES,
  givenConnectedOrganization,
  ledgerCounts,
  terminal,
} from './fixtures.js';

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

const gross = (r: ExpenseRecordInput) =>
  r.lines.reduce((sum, l) => sum + l.amountMinor + l.vatAmountMinor, 0);

/**
 * Records handed over through the intake go out with every line: VAT, several lines and dimensions
 * are exported like a plain record (the posting hold is gone), withdrawn ones never reach the
 * ledger, and what a successful sync posted can no longer change. What the adapter receives is
 * asserted (each record with its lines, employee and receipt), not the ledger's balances, which
 * are the adapters' own tests.
 */
describe.each(DIALECTS)('intake records through a real sync on %s', (dialect) => {
  let t: TestDatabase;
  let emu: RunningEmulators;
  let worker: RunningWorker;
  /** Every record each organization's adapter was asked to push, by organization. */
  const pushed = new Map<string, ExportRecord[]>();

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    emu = await emulators();
    worker = await startWorker({
      db: t.db,
      logger: silentLogger,
      batchSize: 25,
      pollMs: 50,
      adapterOptions: FAST_RETRIES,
      // The real adapter, watched: what the worker hands it is what the posting model posts.
      adapterFor: (sync, connection): AccountingAdapter => {
        const adapter = createAdapter(sync.accountingSystem, connection, FAST_RETRIES);
        const push = adapter.pushBatch.bind(adapter);
        adapter.pushBatch = async (records, context) => {
          pushed.set(sync.organizationId, [...(pushed.get(sync.organizationId) ?? []), ...records]);
          return push(records, context);
        };
        return adapter;
      },
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
    'exports every approved record with all its lines, VAT, dimensions, employee and receipt, never a withdrawn one (%s)',
    async (system) => {
      const org = await givenConnectedOrganization(t.db, emu, system, 0, {
        schedule: { cron: '0 2 * * *', timezone: 'UTC' },
        settings: DEMO_POSTING_SETTINGS[system],
      });
      const plain = Array.from({ length: 5 }, (_, i) => aRecord(i));
      const withdrawn = aRecord(6);
      const vat = {
        ...aRecord(7, [{ account: '7100', amountMinor: 8_000, vatCode: 'HIGH', vatAmountMinor: 2_000 }]),
        receiptUrl: 'https://receipts.example.com/7.pdf',
      };
      const threeLines = aRecord(8, [
        {
          account: '7140',
          amountMinor: 80_000,
          vatCode: 'HIGH',
          vatAmountMinor: 20_000,
          dimensions: { department: 'SALES', project: 'P100' },
        },
        {
          account: '7350',
          amountMinor: 10_000,
          vatCode: 'MEDIUM',
          vatAmountMinor: 1_500,
          dimensions: { department: 'OPS' },
        },
        { account: '7100', amountMinor: 4_000, vatCode: 'LOW', vatAmountMinor: 480 },
      ]);
      const exported = [...plain, vat, threeLines];
      const stored = await t.db.expenseRecords.upsert(org.id, [...plain, withdrawn, vat, threeLines]);
      expect(stored).toEqual({ upserted: 8, unchanged: 0, rejected: [] });
      await t.db.expenseRecords.withdraw(org.id, [withdrawn.id]);

      const now = new Date('2026-11-02T02:00:30.000Z');
      const created = await dispatchDueSyncs(t.db, {
        since: new Date(now.getTime() - 60_000),
        now,
        logger: silentLogger,
      });
      const queued = created.find((s) => s.organizationId === org.id) as SyncLog;
      expect(queued.recordsTotal).toBe(7);
      const done = await eventually(async () => terminal(await t.db.syncLogs.get(queued.id)));
      expect(done).toMatchObject({ status: 'success', recordsSynced: 7, recordsFailed: 0 });

      // The adapter received each record once, with every line in line order, the gross total,
      // line 1's account, the employee and the receipt.
      const received = new Map((pushed.get(org.id) ?? []).map((r) => [r.id, r]));
      expect([...received.keys()].sort()).toEqual(exported.map((r) => r.id).sort());
      expect(received.get(threeLines.id)).toEqual({
        id: threeLines.id,
        kind: 'expense_claim',
        amountMinor: 115_980,
        currency: 'NOK',
        bookingDate: threeLines.bookingDate,
        account: '7140',
        description: threeLines.description,
        employeeNumber: 'E005',
        lines: threeLines.lines,
      });
      expect(received.get(vat.id)).toMatchObject({
        amountMinor: 10_000,
        receiptUrl: vat.receiptUrl,
        lines: vat.lines,
      });
      for (const r of plain) expect(received.get(r.id)?.lines).toEqual(r.lines);

      const counts = ledgerCounts(
        emu,
        system,
        [...exported, withdrawn].map((r) => r.id),
        new Map(exported.map((r) => [r.id, r.lines[0]?.account ?? ''])),
      );
      expect(exported.map((r) => counts.get(r.id))).toEqual([1, 1, 1, 1, 1, 1, 1]);
      expect(counts.get(withdrawn.id)).toBe(0);

      // The summary adds up the gross totals in integer minor units; nothing personal enters it.
      expect(done.payloadSummary).toMatchObject({
        recordCount: 7,
        totalAmountMinor: String(exported.reduce((sum, r) => sum + gross(r), 0)),
        currency: 'NOK',
      });
      const written = JSON.stringify([done.payloadSummary, done.errorDetails]);
      expect(written).not.toContain('E005');
      expect(written).not.toContain('Intake ');
      expect(written).not.toContain('receipts.example.com');

      const posted = await t.db.expenseRecords.list({ organizationId: org.id, state: 'posted' });
      expect(posted.items.map((v) => v.id).sort()).toEqual(exported.map((r) => r.id).sort());
      expect(new Set(posted.items.map((v) => v.postedBySyncLogId))).toEqual(new Set([done.id]));
      const change = await t.db.expenseRecords.upsert(org.id, [{ ...threeLines, version: 2 }]);
      expect(change.rejected[0]?.issues[0]?.rule).toBe('RECORD_ALREADY_POSTED');
    },
  );
});
