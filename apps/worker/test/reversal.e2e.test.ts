import { DEMO_POSTING_SETTINGS, postingKeyOf, voucherKeyOf } from '@meander/accounting';
import { type RunningEmulators, xledgerBalancesOf } from '@meander/accounting/emulators';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import type { AccountingSystem, ExpenseRecordInput, SyncLog } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { type RunningWorker, startWorker } from '../src/worker.js';
import { emulators, eventually, FAST_RETRIES, PERIOD, terminal } from './fixtures.js';

const OPERATOR = '0b7f5f0e-5a44-4c1e-9d7e-2f1b3c4d5e6f';

/** A record as Meander sends it: several lines with VAT and dimensions, an employee, a description. */
const aRecord = (i: number): ExpenseRecordInput => ({
  id: crypto.randomUUID(),
  version: 1,
  kind: i % 2 === 0 ? 'expense_claim' : 'reimbursement',
  employeeNumber: `E00${(i % 3) + 1}`,
  bookingDate: `2026-10-${String(i + 3).padStart(2, '0')}`,
  currency: 'NOK',
  description: `Dinner with the client, employee note ${i}`,
  lines: [
    {
      account: '7100',
      amountMinor: 40_000 + i,
      vatCode: 'HIGH',
      vatAmountMinor: 10_000,
      dimensions: { department: 'SALES' },
    },
    { account: '7140', amountMinor: 5_000 + i, vatCode: 'ZERO', vatAmountMinor: 0 },
  ],
});

/** Scaled integers from a decimal string ("-12.5" → -1250n at two decimals), so no float is summed. */
function cents(text: string): bigint {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const value = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
  return negative ? -value : value;
}

/** Every account's balance (and every employee's) as the emulator's ledger holds it, in cents. */
function balances(emu: RunningEmulators, system: AccountingSystem): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  const add = (key: string, value: bigint) => {
    out[key] = (out[key] ?? 0n) + value;
  };
  if (system === 'xledger') {
    const b = xledgerBalancesOf(emu.xledgerJournalEntries());
    for (const [account, v] of Object.entries(b.accounts)) add(`account ${account}`, cents(v));
    for (const [employee, v] of Object.entries(b.subledgers)) add(`employee ${employee}`, cents(v));
    return out;
  }
  for (const e of emu.ledger('dynamics')) {
    const net = cents(String(e.debitAmount)) - cents(String(e.creditAmount));
    add(`account ${e.accountNumber}`, net);
    if (e.employeeNumber !== undefined) add(`employee ${e.employeeNumber}`, net);
  }
  return out;
}

/**
 * How many vouchers (Xledger) or journal lines (Business Central) of a record's posting the ledger
 * holds under the key of `round` (a reversal when `reversal`): its first line's entries on 7100.
 */
function postingsUnder(
  emu: RunningEmulators,
  system: AccountingSystem,
  id: string,
  postingRound: number,
  reversal = false,
): number {
  const record = { id, postingRound, ...(reversal ? { reversal: true as const } : {}) };
  if (system === 'xledger')
    return emu.ledger('xledger').filter((i) => i.extIdentifier === voucherKeyOf(record)).length;
  const key = postingKeyOf(record);
  return emu.ledger('dynamics').filter((e) => e.description.startsWith(key) && e.accountNumber === '7100')
    .length;
}

/** Only the accounts whose balance is not zero (an emptied account reads as absent). */
const nonZero = (b: Record<string, bigint>) =>
  Object.fromEntries(Object.entries(b).filter(([, v]) => v !== 0n));

/**
 * Intake, posting and reversal end to end against the emulators, on both dialects: the reversal
 * brings every account back to where it was, a second reversal is refused, the reversed records go
 * out with the next export in their next posting round (posted anew, every balance as after the first
 * export) and are marked posted by it, reversing that brings every account back again, and no stored
 * sync log carries personal data.
 */
describe.each(DIALECTS)('a reversal through the worker against the emulators, on %s', (dialect) => {
  let t: TestDatabase;
  let emu: RunningEmulators;
  let worker: RunningWorker;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    emu = await emulators();
    worker = await startWorker({
      db: t.db,
      logger: silentLogger,
      batchSize: 3,
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

  async function organizationOn(system: AccountingSystem): Promise<string> {
    const org = await t.db.organizations.create({
      name: `Reversal ${system} ${Math.random().toString(36).slice(2, 8)}`,
    });
    await t.db.organizations.configureAccounting({
      organizationId: org.id,
      enabled: true,
      config: {
        accountingSystem: system,
        connection: {
          ...(system === 'dynamics'
            ? { ...emu.connections.dynamics, journalName: `R${org.id.replaceAll('-', '').slice(0, 9)}` }
            : emu.connections.xledger),
          ...DEMO_POSTING_SETTINGS[system],
        },
      },
    });
    return org.id;
  }

  async function finished(id: string): Promise<SyncLog> {
    const done = await eventually(async () => terminal(await t.db.syncLogs.get(id)), 60_000);
    await emu.idle();
    return done;
  }

  async function exportOctober(organizationId: string, system: AccountingSystem, recordsTotal: number) {
    const { syncLog } = await t.db.syncLogs.create({
      organizationId,
      accountingSystem: system,
      syncType: 'manual',
      triggeredBy: OPERATOR,
      recordsTotal,
      ...PERIOD,
    });
    return finished(syncLog.id);
  }

  it.each<AccountingSystem>(['xledger', 'dynamics'])(
    'brings every account back, refuses a second reversal, exports the reversed records again and reverses them again (%s)',
    async (system) => {
      emu.reset();
      const organizationId = await organizationOn(system);
      const records = Array.from({ length: 5 }, (_, i) => aRecord(i));
      expect(await t.db.expenseRecords.upsert(organizationId, records)).toEqual({
        upserted: 5,
        unchanged: 0,
        rejected: [],
      });
      const before = nonZero(balances(emu, system));

      const original = await exportOctober(organizationId, system, 5);
      expect(original, JSON.stringify(original.errorDetails)).toMatchObject({
        status: 'success',
        recordsSynced: 5,
        recordsFailed: 0,
      });
      const posted = nonZero(balances(emu, system));
      expect(posted).not.toEqual(before);
      // The expense side: net + VAT of each record's lines, on the expense accounts as debits.
      expect(Object.keys(posted).length).toBeGreaterThan(2);

      const reversal = await t.db.syncLogs.createReversal({
        syncLogId: original.id,
        reason: 'Exported to the wrong company',
        triggeredBy: OPERATOR,
      });
      const reversed = await finished(reversal.id);
      expect(reversed).toMatchObject({
        status: 'success',
        syncType: 'manual',
        triggeredBy: OPERATOR,
        recordsTotal: 5,
        recordsSynced: 5,
        recordsFailed: 0,
        payloadSummary: { reversal: { of: original.id, reason: 'Exported to the wrong company' } },
      });
      expect(nonZero(balances(emu, system))).toEqual(before);
      for (const r of records)
        expect((await t.db.expenseRecords.get(organizationId, r.id))?.state).toBe('approved');

      await expect(
        t.db.syncLogs.createReversal({ syncLogId: original.id, reason: 'again', triggeredBy: OPERATOR }),
      ).rejects.toMatchObject({ code: 'SYNC_ALREADY_REVERSED' });
      await expect(
        t.db.syncLogs.createReversal({ syncLogId: reversal.id, reason: 'again', triggeredBy: OPERATOR }),
      ).rejects.toMatchObject({ code: 'SYNC_NOT_REVERSIBLE' });

      // Released, the records go out with the next export of the period and are posted by it.
      expect(await t.db.expenseRecords.countApproved({ organizationId, ...PERIOD })).toBe(5);
      const again = await exportOctober(organizationId, system, 5);
      expect(again).toMatchObject({ status: 'success', recordsSynced: 5, recordsFailed: 0 });
      for (const r of records)
        expect((await t.db.expenseRecords.get(organizationId, r.id))?.postedBySyncLogId).toBe(again.id);
      // Posted anew in their second round, not read back as the reversed posting: every balance is
      // where the first export left it, and each record is in the ledger once net.
      expect(nonZero(balances(emu, system))).toEqual(posted);
      for (const r of records)
        expect(
          [1, 2].map((round) => [
            postingsUnder(emu, system, r.id, round),
            postingsUnder(emu, system, r.id, round, true),
          ]),
        ).toEqual([
          [1, 1],
          [1, 0],
        ]);

      // Reversed again, the second round nets to zero too, and the records are free for a third.
      const second = await t.db.syncLogs.createReversal({
        syncLogId: again.id,
        reason: 'Exported twice',
        triggeredBy: OPERATOR,
      });
      expect(await finished(second.id)).toMatchObject({
        status: 'success',
        recordsSynced: 5,
        recordsFailed: 0,
      });
      expect(nonZero(balances(emu, system))).toEqual(before);
      for (const r of records) {
        expect(postingsUnder(emu, system, r.id, 2, true)).toBe(1);
        expect((await t.db.expenseRecords.get(organizationId, r.id))?.state).toBe('approved');
      }

      // No employee number or description of any record in any stored sync log or chain row.
      const stored = await t.db.raw;
      const rows =
        stored.dialect === 'sqlite'
          ? stored.connection
              .prepare('SELECT * FROM accounting_sync_logs WHERE organization_id = ?')
              .all(organizationId)
          : await stored.sql`SELECT * FROM accounting_sync_logs WHERE organization_id = ${organizationId}`;
      expect(rows.length).toBe(4);
      const text = JSON.stringify(rows);
      for (const r of records) {
        expect(text).not.toContain(r.description as string);
        expect(text).not.toContain(`"${r.employeeNumber}"`);
      }
      expect(text).not.toMatch(/employee note|E00[1-3]/);
      const chain = await t.db.syncLogs.verifyChain(organizationId);
      expect(chain).toMatchObject({ ok: true, checked: 4 });
    },
  );
});
