import { randomUUID } from 'node:crypto';
import { isDomainError } from '@meander/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../src/store/port.js';
import {
  aCreateCommand,
  createTestDatabase,
  DIALECTS,
  givenOrganization,
  type TestDatabase,
} from '../src/testing/index.js';
import { rawError, rawExec, rawQuery } from './raw-sql.helpers.js';

const T0 = '2026-11-01T02:00:00.000Z';
const T1 = '2026-11-02T02:00:00.000Z';
const T2 = '2026-11-03T02:00:00.000Z';

async function domainCodeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (isDomainError(error)) return `${error.code}:${error.issues.map((i) => i.path.join('.')).join(',')}`;
    throw error;
  }
  throw new Error('expected a domain error');
}

describe.each(DIALECTS)('unverified postings on %s', (dialect) => {
  let t: TestDatabase;
  let db: Database;
  let orgId: string;
  const sync1 = randomUUID();
  const sync2 = randomUUID();
  const operator = randomUUID();
  const posting = (recordId: string, reason = 'posted, not found') => ({
    recordId,
    code: 'POSTED_NOT_FOUND',
    reason,
  });

  beforeEach(async () => {
    t = await createTestDatabase(dialect);
    db = t.db;
    orgId = (await givenOrganization(db, { accountingSystem: 'dynamics' })).id;
  });
  afterEach(async () => {
    await t?.drop();
  });

  it('records idempotently: one open row per record, seen again with its last sync and reason', async () => {
    const first = await db.unverifiedPostings.record({
      organizationId: orgId,
      accountingSystem: 'dynamics',
      syncLogId: sync1,
      postings: [posting('r1'), posting('r2')],
      now: T0,
    });
    expect(first).toBe(2);
    const again = await db.unverifiedPostings.record({
      organizationId: orgId,
      accountingSystem: 'dynamics',
      syncLogId: sync2,
      postings: [posting('r1', 'still not found'), posting('r3')],
      now: T1,
    });
    expect(again).toBe(1);
    const reportedBy = async (sync: string) =>
      (await db.unverifiedPostings.listOpenReportedBy(orgId, sync)).map((o) => o.recordId);
    expect(await reportedBy(sync1)).toEqual(['r1', 'r2']);
    expect(await reportedBy(sync2)).toEqual(['r1', 'r3']);
    const open = await db.unverifiedPostings.listOpen(orgId, ['r1', 'r2', 'r3', 'r4']);
    expect(open.map((o) => o.recordId)).toEqual(['r1', 'r2', 'r3']);
    expect(open[0]).toMatchObject({
      organizationId: orgId,
      accountingSystem: 'dynamics',
      recordId: 'r1',
      syncLogId: sync1,
      lastSyncLogId: sync2,
      code: 'POSTED_NOT_FOUND',
      reason: 'still not found',
      firstSeenAt: T0,
      lastSeenAt: T1,
      resolvedAt: null,
      resolution: null,
      resolvedBy: null,
      resolvedSyncLogId: null,
    });
    const rows = await rawQuery<{ n: number | string }>(
      db.raw,
      'SELECT COUNT(*) AS n FROM unverified_postings WHERE organization_id = ?',
      [orgId],
    );
    expect(Number(rows[0]?.n)).toBe(3);
  });

  it('two recorders of the same record at once still leave one open row', async () => {
    const other = await t.openAnother();
    await Promise.all(
      [db, other, db, other].map((handle, i) =>
        handle.unverifiedPostings.record({
          organizationId: orgId,
          accountingSystem: 'dynamics',
          syncLogId: i % 2 ? sync1 : sync2,
          postings: [posting('r1'), posting(`r-${i}`)],
          now: T0,
        }),
      ),
    );
    const rows = await rawQuery<{ n: number | string }>(
      db.raw,
      "SELECT COUNT(*) AS n FROM unverified_postings WHERE organization_id = ? AND record_id = 'r1'",
      [orgId],
    );
    expect(Number(rows[0]?.n)).toBe(1);
    expect(await db.unverifiedPostings.listOpen(orgId, ['r1', 'r-0', 'r-1', 'r-2', 'r-3'])).toHaveLength(5);
  });

  it('lists open rows for any number of ids (pages), and only the organization’s own', async () => {
    const many = Array.from({ length: 1_203 }, (_, i) => `rec-${i}`);
    await db.unverifiedPostings.record({
      organizationId: orgId,
      accountingSystem: 'dynamics',
      syncLogId: sync1,
      postings: many.map((id) => posting(id)),
      now: T0,
    });
    const other = (await givenOrganization(db)).id;
    await db.unverifiedPostings.record({
      organizationId: other,
      accountingSystem: 'xledger',
      syncLogId: sync2,
      postings: [posting('rec-1')],
      now: T0,
    });
    const open = await db.unverifiedPostings.listOpen(orgId, [...many, 'absent']);
    expect(open).toHaveLength(1_203);
    expect(new Set(open.map((o) => o.organizationId))).toEqual(new Set([orgId]));
    expect(await db.unverifiedPostings.listOpen(orgId, [])).toEqual([]);
  });

  it('resolves found: the row closes with the finding sync, and a later sighting opens a new row', async () => {
    await db.unverifiedPostings.record({
      organizationId: orgId,
      accountingSystem: 'dynamics',
      syncLogId: sync1,
      postings: [posting('r1'), posting('r2')],
      now: T0,
    });
    const found = await db.unverifiedPostings.resolveFound({
      organizationId: orgId,
      recordIds: ['r1', 'never-open'],
      syncLogId: sync2,
      now: T1,
    });
    expect(found).toBe(1);
    expect((await db.unverifiedPostings.listOpen(orgId, ['r1', 'r2'])).map((o) => o.recordId)).toEqual([
      'r2',
    ]);
    // Resolving again changes nothing: it is no longer open.
    expect(
      await db.unverifiedPostings.resolveFound({
        organizationId: orgId,
        recordIds: ['r1'],
        syncLogId: sync2,
        now: T2,
      }),
    ).toBe(0);
    await db.unverifiedPostings.record({
      organizationId: orgId,
      accountingSystem: 'dynamics',
      syncLogId: sync2,
      postings: [posting('r1')],
      now: T2,
    });
    const history = await db.unverifiedPostings.history(orgId, 'r1');
    expect(history.map((h) => [h.resolution, h.resolvedAt, h.resolvedSyncLogId, h.resolvedBy])).toEqual([
      ['found', T1, sync2, null],
      [null, null, null, null],
    ]);
  });

  it('resolves confirmed with who confirmed and the re-sync that carries it', async () => {
    await db.unverifiedPostings.record({
      organizationId: orgId,
      accountingSystem: 'dynamics',
      syncLogId: sync1,
      postings: [posting('r1'), posting('r2')],
      now: T0,
    });
    const confirmed = await db.unverifiedPostings.resolveConfirmed({
      organizationId: orgId,
      recordIds: ['r1', 'r2'],
      confirmedBy: operator,
      syncLogId: sync2,
      now: T1,
    });
    expect(confirmed).toBe(2);
    const [row] = await db.unverifiedPostings.history(orgId, 'r2');
    expect(row).toMatchObject({
      resolution: 'confirmed_unposted',
      resolvedBy: operator,
      resolvedSyncLogId: sync2,
      resolvedAt: T1,
    });
    expect(await db.unverifiedPostings.listOpen(orgId, ['r1', 'r2'])).toEqual([]);
  });

  it('summarizes open postings per organization and system, with the latest sighting’s sync', async () => {
    expect(await db.unverifiedPostings.summarizeOpen(orgId)).toEqual([]);
    await db.unverifiedPostings.record({
      organizationId: orgId,
      accountingSystem: 'dynamics',
      syncLogId: sync1,
      postings: [posting('r1'), posting('r2'), posting('r3')],
      now: T0,
    });
    await db.unverifiedPostings.record({
      organizationId: orgId,
      accountingSystem: 'dynamics',
      syncLogId: sync2,
      postings: [posting('r2')],
      now: T1,
    });
    await db.unverifiedPostings.resolveFound({
      organizationId: orgId,
      recordIds: ['r3'],
      syncLogId: sync2,
      now: T2,
    });
    const expected = {
      organizationId: orgId,
      accountingSystem: 'dynamics',
      count: 2,
      firstSeenAt: T0,
      lastSeenAt: T1,
      lastSyncLogId: sync2,
    };
    expect(await db.unverifiedPostings.summarizeOpen(orgId)).toEqual([expected]);
    expect(await db.unverifiedPostings.summarizeOpen()).toEqual([expected]);
  });

  it('refuses bad input with a typed error naming the field, and writes nothing', async () => {
    const base = { organizationId: orgId, accountingSystem: 'dynamics' as const, syncLogId: sync1, now: T0 };
    expect(
      await domainCodeOf(() => db.unverifiedPostings.record({ ...base, postings: [posting('bad id!')] })),
    ).toBe('VALIDATION_FAILED:postings.0.recordId');
    expect(
      await domainCodeOf(() =>
        db.unverifiedPostings.record({ ...base, syncLogId: 'nope', postings: [posting('r1')] }),
      ),
    ).toBe('VALIDATION_FAILED:syncLogId');
    expect(
      await domainCodeOf(() =>
        db.unverifiedPostings.resolveConfirmed({
          organizationId: orgId,
          recordIds: ['r1'],
          confirmedBy: 'someone',
          syncLogId: sync2,
        }),
      ),
    ).toBe('VALIDATION_FAILED:confirmedBy');
    expect(
      await domainCodeOf(() =>
        db.unverifiedPostings.record({ ...base, organizationId: randomUUID(), postings: [posting('r1')] }),
      ),
    ).toBe('ORGANIZATION_NOT_FOUND:organizationId');
    expect(await db.unverifiedPostings.listOpen(orgId, ['r1'])).toEqual([]);
  });

  describe('the database refuses what the store never writes (raw SQL)', () => {
    const insert = `INSERT INTO unverified_postings (id, organization_id, accounting_system, record_id,
      sync_log_id, last_sync_log_id, code, reason, first_seen_at, last_seen_at, resolved_at, resolution,
      resolved_by, resolved_sync_log_id) VALUES (?, ?, ?, ?, ?, ?, 'POSTED_NOT_FOUND', 'x', ?, ?, ?, ?, ?, ?)`;
    const row = (over: Partial<Record<string, unknown>> = {}) => {
      const r = {
        id: randomUUID(),
        org: orgId,
        system: 'dynamics',
        record: 'r1',
        first: T0,
        last: T0,
        resolvedAt: null as string | null,
        resolution: null as string | null,
        resolvedBy: null as string | null,
        resolvedSync: null as string | null,
        ...over,
      };
      return [
        r.id,
        r.org,
        r.system,
        r.record,
        sync1,
        sync1,
        r.first,
        r.last,
        r.resolvedAt,
        r.resolution,
        r.resolvedBy,
        r.resolvedSync,
      ];
    };

    it('a second open row for the same record', async () => {
      await rawExec(db.raw, insert, row());
      expect(await rawError(db.raw, insert, row())).toMatch(/unique|UNIQUE|23505/);
      // A resolved row beside an open one is history, not a duplicate.
      expect(
        await rawError(db.raw, insert, row({ resolvedAt: T1, resolution: 'found', resolvedSync: sync2 })),
      ).toBeNull();
    });

    it('a resolution without its time, a time without a resolution, an unknown resolution', async () => {
      expect(await rawError(db.raw, insert, row({ resolution: 'found', resolvedSync: sync2 }))).toMatch(
        /ck_unverified_postings_resolved_together/,
      );
      expect(await rawError(db.raw, insert, row({ resolvedAt: T1, resolvedSync: sync2 }))).toMatch(
        /ck_unverified_postings_resolved_together/,
      );
      expect(
        await rawError(db.raw, insert, row({ resolvedAt: T1, resolution: 'ignored', resolvedSync: sync2 })),
      ).toMatch(/ck_unverified_postings_resolution/);
    });

    it('a confirmation that does not name who confirmed it', async () => {
      expect(
        await rawError(
          db.raw,
          insert,
          row({ resolvedAt: T1, resolution: 'confirmed_unposted', resolvedSync: sync2 }),
        ),
      ).toMatch(/ck_unverified_postings_confirmed_by/);
    });

    it('an unknown organization, an unknown system, a last sighting before the first', async () => {
      expect(await rawError(db.raw, insert, row({ org: randomUUID() }))).toMatch(/foreign|FOREIGN|23503/);
      expect(await rawError(db.raw, insert, row({ system: 'sap' }))).toMatch(
        /ck_unverified_postings_accounting_system/,
      );
      expect(await rawError(db.raw, insert, row({ first: T1, last: T0 }))).toMatch(
        /ck_unverified_postings_seen_order/,
      );
    });

    it('any change to a resolved row', async () => {
      const values = row({
        resolvedAt: T1,
        resolution: 'confirmed_unposted',
        resolvedBy: operator,
        resolvedSync: sync2,
      });
      await rawExec(db.raw, insert, values);
      expect(
        await rawError(db.raw, `UPDATE unverified_postings SET resolved_by = ? WHERE id = ?`, [
          randomUUID(),
          values[0],
        ]),
      ).toMatch(/RECORD_IMMUTABLE/);
      expect(
        await rawError(
          db.raw,
          `UPDATE unverified_postings SET resolution = 'found', resolved_by = NULL WHERE id = ?`,
          [values[0]],
        ),
      ).toMatch(/RECORD_IMMUTABLE/);
    });
  });

  describe('ledger request totals (API cost)', () => {
    const totals = async () =>
      (
        await rawQuery<{ accounting_system: string; reads: number | string; writes: number | string }>(
          db.raw,
          'SELECT accounting_system, reads, writes FROM ledger_request_totals ORDER BY accounting_system',
        )
      ).map((r) => [r.accounting_system, Number(r.reads), Number(r.writes)]);

    it('adds each ended sync’s ledgerRequests to its system’s totals in the terminal write, once', async () => {
      const run = async (
        ledgerRequests: { reads: number; writes: number } | null,
        end: 'complete' | 'fail',
      ) => {
        const { syncLog } = await db.syncLogs.create(aCreateCommand(orgId, { accountingSystem: 'dynamics' }));
        await db.syncLogs.start(syncLog.id);
        const payloadSummary = ledgerRequests ? { formatVersion: '1', ledgerRequests } : null;
        if (end === 'complete')
          await db.syncLogs.complete({ id: syncLog.id, recordsSynced: 10, recordsFailed: 0, payloadSummary });
        else
          await db.syncLogs.fail({
            id: syncLog.id,
            errorDetails: { code: 'X', message: 'boom', category: 'unknown', retryable: false },
            payloadSummary,
          });
      };
      expect(await totals()).toEqual([]);
      await run({ reads: 7, writes: 2 }, 'complete');
      await run({ reads: 5, writes: 1 }, 'fail');
      await run(null, 'complete');
      expect(await totals()).toEqual([['dynamics', 12, 3]]);
      expect(
        await rawError(
          db.raw,
          `UPDATE ledger_request_totals SET reads = -1 WHERE accounting_system = 'dynamics'`,
        ),
      ).toMatch(/ck_ledger_request_totals_non_negative/);
    });
  });
});
