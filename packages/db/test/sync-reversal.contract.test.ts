import { randomUUID } from 'node:crypto';
import { DomainError, type ExpenseRecordInput, type ExportRecord, type SyncLog } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aCreateCommand,
  createTestDatabase,
  DIALECTS,
  givenOrganization,
  type TestDatabase,
} from '../src/testing/index.js';
import { rawError, rawExec, rawQuery } from './raw-sql.helpers.js';

const OPERATOR = '0b7f5f0e-5a44-4c1e-9d7e-2f1b3c4d5e6f';
const october = { periodStart: '2026-10-01T00:00:00.000Z', periodEnd: '2026-10-31T23:59:59.999Z' };

const aRecord = (overrides: Partial<ExpenseRecordInput> = {}): ExpenseRecordInput => ({
  id: randomUUID(),
  version: 1,
  kind: 'expense_claim',
  employeeNumber: 'E004',
  bookingDate: '2026-10-05',
  currency: 'NOK',
  description: 'Taxi to the client',
  lines: [{ account: '7140', amountMinor: 10_000, vatCode: 'ZERO', vatAmountMinor: 0 }],
  ...overrides,
});

async function caught(run: () => Promise<unknown>): Promise<DomainError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe.each(DIALECTS)('reversal on %s', (dialect) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(async () => t?.drop());

  /** Run a sync to its end: start it, then complete it with `failedIds` refused by the ledger. */
  async function finish(syncLog: SyncLog, synced: number, failedIds: string[] = []): Promise<SyncLog> {
    await t.db.syncLogs.start(syncLog.id, { now: '2026-11-02T00:00:00.000Z' });
    const { syncLog: done } = await t.db.syncLogs.complete(
      {
        id: syncLog.id,
        recordsSynced: synced,
        recordsFailed: failedIds.length,
        ...(syncLog.payloadSummary ? { payloadSummary: syncLog.payloadSummary } : {}),
        errorDetails:
          failedIds.length > 0
            ? {
                code: 'RECORDS_REJECTED',
                message: `${failedIds.length} records were rejected`,
                category: 'validation',
                retryable: false,
                recordFailures: failedIds.map((recordId) => ({
                  recordId,
                  code: 'PERIOD_CLOSED',
                  reason: 'closed',
                })),
              }
            : null,
      },
      { now: '2026-11-02T00:01:00.000Z' },
    );
    return done;
  }

  /** An organization whose October export posted `posted` and was refused `refused`. */
  async function exportedOctober(posted: number, refused = 0) {
    const organizationId = (await givenOrganization(t.db)).id;
    const records = Array.from({ length: posted + refused }, (_, i) =>
      aRecord({ bookingDate: `2026-10-${String(10 + i).padStart(2, '0')}` }),
    );
    await t.db.expenseRecords.upsert(organizationId, records, { now: '2026-11-01T00:00:00.000Z' });
    const { syncLog } = await t.db.syncLogs.create(aCreateCommand(organizationId, october), {
      now: '2026-11-02T00:00:00.000Z',
    });
    const failedIds = records.slice(posted).map((r) => r.id);
    const original = await finish(syncLog, posted, failedIds);
    return { organizationId, records, original };
  }

  const stateOf = async (organizationId: string, id: string) => {
    const view = await t.db.expenseRecords.get(organizationId, id);
    return [view?.state, view?.postedBySyncLogId];
  };

  it('creates the reversal as a pending manual sync by the caller, linked to the original, counting what it posted', async () => {
    const { organizationId, original } = await exportedOctober(2, 1);
    expect(original.status).toBe('partial');
    const reversal = await t.db.syncLogs.createReversal(
      { syncLogId: original.id.toUpperCase(), reason: 'Booked in the wrong month', triggeredBy: OPERATOR },
      { now: '2026-11-03T00:00:00.000Z' },
    );
    expect(reversal).toMatchObject({
      organizationId,
      accountingSystem: original.accountingSystem,
      syncType: 'manual',
      status: 'pending',
      triggeredBy: OPERATOR,
      periodStart: original.periodStart,
      periodEnd: original.periodEnd,
      recordsTotal: 2,
      payloadSummary: {
        formatVersion: '1',
        reversal: { of: original.id, reason: 'Booked in the wrong month' },
      },
    });
    expect(await t.db.syncLogs.get(reversal.id)).toEqual(reversal);
    expect((await t.db.syncLogs.findReversalOf(original.id))?.id).toBe(reversal.id);
    expect(await t.db.syncLogs.findReversalOf(reversal.id)).toBeNull();
  });

  it('refuses a second reversal, a reversal of a reversal, of a failed sync and of an unknown sync', async () => {
    const { organizationId, original } = await exportedOctober(1);
    const command = { syncLogId: original.id, reason: 'x', triggeredBy: OPERATOR };
    const first = await t.db.syncLogs.createReversal(command);
    const again = await caught(() => t.db.syncLogs.createReversal(command));
    expect(again.code).toBe('SYNC_ALREADY_REVERSED');
    expect(again.message).toContain(first.id);
    expect(again.issues[0]).toMatchObject({ rule: 'one_reversal_per_sync', path: ['syncLogId'] });

    const done = await finish(first, 1);
    expect(done.status).toBe('success');
    const ofReversal = await caught(() => t.db.syncLogs.createReversal({ ...command, syncLogId: done.id }));
    expect(ofReversal.code).toBe('SYNC_NOT_REVERSIBLE');
    expect((await caught(() => t.db.syncLogs.createReversal(command))).code).toBe('SYNC_ALREADY_REVERSED');

    const { syncLog: failing } = await t.db.syncLogs.create(aCreateCommand(organizationId, october));
    await t.db.syncLogs.start(failing.id);
    await t.db.syncLogs.fail({
      id: failing.id,
      errorDetails: { code: 'X', message: 'x', category: 'unknown', retryable: false },
    });
    const ofFailed = await caught(() => t.db.syncLogs.createReversal({ ...command, syncLogId: failing.id }));
    expect(ofFailed.code).toBe('SYNC_NOT_REVERSIBLE');
    expect(ofFailed.issues[0]?.rule).toBe('reversal_of_posted_sync');
    expect(
      (await caught(() => t.db.syncLogs.createReversal({ ...command, syncLogId: randomUUID() }))).code,
    ).toBe('NOT_FOUND');
    expect((await caught(() => t.db.syncLogs.createReversal({ ...command, syncLogId: 'nope' }))).code).toBe(
      'NOT_FOUND',
    );
  });

  it('waits for an active sync like any other: SYNC_ALREADY_ACTIVE, and nothing is written', async () => {
    const { organizationId, original } = await exportedOctober(1);
    const { syncLog: active } = await t.db.syncLogs.create(aCreateCommand(organizationId, october));
    const error = await caught(() =>
      t.db.syncLogs.createReversal({ syncLogId: original.id, reason: 'x', triggeredBy: OPERATOR }),
    );
    expect(error.code).toBe('SYNC_ALREADY_ACTIVE');
    expect(await t.db.syncLogs.findReversalOf(original.id)).toBeNull();
    await finish(active, 0);
  });

  it('streams exactly what the original left posted, whole and marked reversal, in pages', async () => {
    const { records, original } = await exportedOctober(5, 1);
    const posted = records.slice(0, 5).map((r) => r.id);
    const pages: string[][] = [];
    const seen: ExportRecord[] = [];
    for await (const page of t.db.expenseRecords.streamPostedBy(original.id, {}, 2)) {
      pages.push(page.map((r) => r.id));
      seen.push(...page);
    }
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(seen.map((r) => r.id)).toEqual([...posted].sort());
    const first = records.find((r) => r.id === seen[0]?.id) as ExpenseRecordInput;
    expect(seen[0]).toEqual({
      id: first.id,
      kind: 'expense_claim',
      amountMinor: 10_000,
      currency: 'NOK',
      bookingDate: first.bookingDate,
      account: '7140',
      description: 'Taxi to the client',
      employeeNumber: 'E004',
      lines: first.lines,
      reversal: true,
    });
    expect(await t.db.expenseRecords.countPostedBy(original.id)).toBe(5);
    const some = [posted[1], posted[3], records[5]?.id].filter((x): x is string => x !== undefined);
    expect(await t.db.expenseRecords.countPostedBy(original.id, some)).toBe(2);
    const narrowed = [];
    for await (const page of t.db.expenseRecords.streamPostedBy(original.id, { recordIds: some }, 10))
      narrowed.push(...page.map((r) => r.id));
    expect(narrowed).toEqual([posted[1], posted[3]].sort());
  });

  it('reverses a foreign-currency record at the rate it was booked at', async () => {
    const organizationId = (await givenOrganization(t.db)).id;
    const record = { ...aRecord({ bookingDate: '2026-10-12' }), currency: 'EUR', exchangeRate: '11.4835' };
    await t.db.expenseRecords.upsert(organizationId, [record], { now: '2026-11-01T00:00:00.000Z' });
    const { syncLog } = await t.db.syncLogs.create(aCreateCommand(organizationId, october), {
      now: '2026-11-02T00:00:00.000Z',
    });
    const original = await finish(syncLog, 1);
    const seen: ExportRecord[] = [];
    for await (const page of t.db.expenseRecords.streamPostedBy(original.id, {}, 10)) seen.push(...page);
    expect(seen.map((r) => [r.id, r.currency, r.exchangeRate, r.reversal])).toEqual([
      [record.id, 'EUR', '11.4835', true],
    ]);
  });

  it('releases what the reversal reversed: exportable and changeable again; what it failed stays posted until its re-sync', async () => {
    const { organizationId, records, original } = await exportedOctober(3);
    const [a, b, c] = records as [ExpenseRecordInput, ExpenseRecordInput, ExpenseRecordInput];
    const reversal = await t.db.syncLogs.createReversal({
      syncLogId: original.id,
      reason: 'Duplicate export',
      triggeredBy: OPERATOR,
    });
    // Until the reversal ends, everything stays posted.
    expect(await stateOf(organizationId, a.id)).toEqual(['posted', original.id]);
    const done = await finish(reversal, 2, [c.id]);
    expect(done.status).toBe('partial');
    expect(await stateOf(organizationId, a.id)).toEqual(['approved', null]);
    expect(await stateOf(organizationId, b.id)).toEqual(['approved', null]);
    expect(await stateOf(organizationId, c.id)).toEqual(['posted', original.id]);
    expect(
      await t.db.expenseRecords.upsert(organizationId, [{ ...a, version: 2, description: 'Taxi' }]),
    ).toEqual({
      upserted: 1,
      unchanged: 0,
      rejected: [],
    });
    const refused = await t.db.expenseRecords.upsert(organizationId, [{ ...c, version: 2 }]);
    expect(refused.rejected[0]?.issues[0]?.rule).toBe('RECORD_ALREADY_POSTED');

    // The re-sync of the partial reversal is a reversal too, for the record it failed.
    const { syncLog: resync } = await t.db.syncLogs.create({
      ...aCreateCommand(organizationId, october),
      syncType: 'manual',
      triggeredBy: OPERATOR,
      recordsTotal: 1,
      payloadSummary: {
        formatVersion: '1',
        parentSyncId: reversal.id,
        recordIds: [c.id],
        reversal: { of: original.id, reason: 'Duplicate export' },
      },
    });
    expect((await finish(resync, 1)).status).toBe('success');
    expect(await stateOf(organizationId, c.id)).toEqual(['approved', null]);
    expect(await t.db.expenseRecords.countPostedBy(original.id)).toBe(0);

    // Exported again, the records are posted again, by the new export.
    const { syncLog: again } = await t.db.syncLogs.create(aCreateCommand(organizationId, october));
    await t.db.syncLogs.start(again.id);
    await t.db.syncLogs.complete({ id: again.id, recordsSynced: 3, recordsFailed: 0 });
    for (const r of [a, b, c]) expect(await stateOf(organizationId, r.id)).toEqual(['posted', again.id]);
  });

  const roundOf = async (id: string) => {
    const rows = await rawQuery<{ posting_round: number | string }>(
      t.db.raw,
      'SELECT posting_round FROM expense_records WHERE id = ?',
      [id],
    );
    return Number(rows[0]?.posting_round);
  };

  it('moves a released record one posting round on, once; the next export and reversal carry that round', async () => {
    const { organizationId, records, original } = await exportedOctober(2);
    const [a, b] = records as [ExpenseRecordInput, ExpenseRecordInput];
    expect([await roundOf(a.id), await roundOf(b.id)]).toEqual([1, 1]);
    // Round 1 goes out as before rounds existed: no postingRound at all.
    for await (const page of t.db.expenseRecords.streamPostedBy(original.id, {}, 10))
      for (const r of page) expect(r).not.toHaveProperty('postingRound');

    const reversal = await t.db.syncLogs.createReversal({
      syncLogId: original.id,
      reason: 'x',
      triggeredBy: OPERATOR,
    });
    expect(await roundOf(a.id)).toBe(1);
    await finish(reversal, 2);
    expect([await roundOf(a.id), await roundOf(b.id)]).toEqual([2, 2]);

    // An intake upsert of the released record changes its content, never its round.
    await t.db.expenseRecords.upsert(organizationId, [{ ...a, version: 2, description: 'Taxi' }], {
      now: '2026-11-01T12:00:00.000Z',
    });
    expect(await roundOf(a.id)).toBe(2);

    const exported: ExportRecord[] = [];
    for await (const page of t.db.expenseRecords.streamApproved({ organizationId, ...october }, 10))
      exported.push(...page);
    expect(exported.map((r) => [r.id, r.postingRound]).sort()).toEqual(
      [
        [a.id, 2],
        [b.id, 2],
      ].sort(),
    );

    // Round 2 posted, then reversed: the reversal carries round 2, and its release makes it round 3.
    const { syncLog: again } = await t.db.syncLogs.create(aCreateCommand(organizationId, october));
    const posted = await finish(again, 2);
    const reversing: ExportRecord[] = [];
    for await (const page of t.db.expenseRecords.streamPostedBy(posted.id, {}, 10)) reversing.push(...page);
    expect(reversing.map((r) => [r.postingRound, r.reversal])).toEqual([
      [2, true],
      [2, true],
    ]);
    const second = await t.db.syncLogs.createReversal({
      syncLogId: posted.id,
      reason: 'y',
      triggeredBy: OPERATOR,
    });
    await finish(second, 2);
    expect([await roundOf(a.id), await roundOf(b.id)]).toEqual([3, 3]);
  });

  it('releases nothing when the reversal fails', async () => {
    const { organizationId, records, original } = await exportedOctober(1);
    const reversal = await t.db.syncLogs.createReversal({
      syncLogId: original.id,
      reason: 'x',
      triggeredBy: OPERATOR,
    });
    await t.db.syncLogs.start(reversal.id);
    await t.db.syncLogs.fail({
      id: reversal.id,
      errorDetails: { code: 'LEDGER_DOWN', message: 'down', category: 'unavailable', retryable: true },
    });
    expect(await stateOf(organizationId, (records[0] as ExpenseRecordInput).id)).toEqual([
      'posted',
      original.id,
    ]);
    expect((await t.db.syncLogs.get(reversal.id))?.payloadSummary?.reversal?.of).toBe(original.id);
  });

  describe('the database itself', () => {
    it('refuses a second reversal of one sync (unique index) and a reversal of a sync that posted nothing', async () => {
      const { organizationId, original } = await exportedOctober(1);
      const first = await t.db.syncLogs.createReversal({
        syncLogId: original.id,
        reason: 'x',
        triggeredBy: OPERATOR,
      });
      await finish(first, 1);
      const insert = (reverses: string) =>
        rawError(
          t.db.raw,
          `INSERT INTO accounting_sync_logs (id, organization_id, accounting_system, sync_type, status, period_start,
             period_end, records_total, records_synced, records_failed, started_at, created_at, reverses_sync_log_id)
           VALUES (?, ?, 'xledger', 'api', 'pending', ?, ?, 0, 0, 0, ?, ?, ?)`,
          [
            randomUUID(),
            organizationId,
            october.periodStart,
            october.periodEnd,
            october.periodEnd,
            october.periodEnd,
            reverses,
          ],
        );
      expect(await insert(original.id)).toMatch(/uq_accounting_sync_logs_one_reversal|reverses_sync_log_id/);
      expect(await insert(randomUUID())).toMatch(/SYNC_NOT_REVERSIBLE/);
      expect(
        await rawError(t.db.raw, 'UPDATE accounting_sync_logs SET reverses_sync_log_id = NULL WHERE id = ?', [
          first.id,
        ]),
      ).toMatch(/RECORD_IMMUTABLE/);
    });

    it('lets a posted record go only by its release, and only once its posting sync has a reversal', async () => {
      const { organizationId, records, original } = await exportedOctober(2);
      const [a, b] = records as [ExpenseRecordInput, ExpenseRecordInput];
      const release = (id: string, extra = '') =>
        rawError(t.db.raw, `UPDATE expense_records SET posted_by_sync_log_id = NULL${extra} WHERE id = ?`, [
          id,
        ]);
      expect(await release(a.id, ', posting_round = posting_round + 1')).toMatch(/RECORD_ALREADY_POSTED/);
      await t.db.syncLogs.createReversal({ syncLogId: original.id, reason: 'x', triggeredBy: OPERATOR });
      expect(await release(a.id, ", description = 'changed'")).toMatch(/RECORD_ALREADY_POSTED/);
      expect(await release(a.id, ', posting_round = posting_round + 1, version = 2')).toMatch(
        /RECORD_ALREADY_POSTED/,
      );
      expect(
        await rawError(t.db.raw, `UPDATE expense_records SET description = 'changed' WHERE id = ?`, [b.id]),
      ).toMatch(/RECORD_ALREADY_POSTED/);
      expect(await rawError(t.db.raw, 'DELETE FROM expense_records WHERE id = ?', [b.id])).toMatch(
        /RECORD_ALREADY_POSTED/,
      );
      // The release moves the round by exactly one: not left, not skipped, not moved back.
      expect(await release(a.id)).toMatch(/RECORD_ALREADY_POSTED/);
      expect(await release(a.id, ', posting_round = posting_round + 2')).toMatch(
        /RECORD_ALREADY_POSTED|RECORD_IMMUTABLE/,
      );
      expect(await release(a.id, ', posting_round = posting_round + 1')).toBeNull();
      expect(await stateOf(organizationId, a.id)).toEqual(['approved', null]);
      expect(await roundOf(a.id)).toBe(2);
      // Released, the round never moves by itself: only the next release moves it on.
      for (const round of [1, 3, 0])
        expect(
          await rawError(t.db.raw, 'UPDATE expense_records SET posting_round = ? WHERE id = ?', [
            round,
            a.id,
          ]),
        ).toMatch(round === 0 ? /ck_expense_records_posting_round|RECORD_IMMUTABLE/ : /RECORD_IMMUTABLE/);
      expect(await roundOf(a.id)).toBe(2);
      const lines = await rawQuery<{ n: number | string }>(
        t.db.raw,
        'SELECT COUNT(*) AS n FROM expense_record_lines WHERE record_id = ?',
        [b.id],
      );
      expect(Number(lines[0]?.n)).toBe(1);
      await rawExec(t.db.raw, 'SELECT 1');
    });
  });
});
