import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileExpenseRecordStatements } from '../src/store/sql-expense-record-store.js';
import { bind } from '../src/store/statement.js';
import {
  createTestDatabase,
  DIALECTS,
  givenOrganization,
  seedingFinishedRows,
  type TestDatabase,
} from '../src/testing/index.js';
import { rawExec, rawQuery } from './raw-sql.helpers.js';

/** The plan text of a query on either dialect. */
async function plan(t: TestDatabase, statement: string, params: unknown[]): Promise<string> {
  if (t.db.raw.dialect === 'sqlite') {
    const rows = await rawQuery<{ detail: string }>(t.db.raw, `EXPLAIN QUERY PLAN ${statement}`, params);
    return rows.map((r) => r.detail).join('\n');
  }
  const rows = await rawQuery<{ 'QUERY PLAN': string }>(t.db.raw, `EXPLAIN ${statement}`, params);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

describe.each(DIALECTS)('query plans on %s use the named indexes', (dialect) => {
  let t: TestDatabase;
  let orgId: string;
  const user = randomUUID();

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    const orgs = await Promise.all(Array.from({ length: 20 }, () => givenOrganization(t.db)));
    orgId = (orgs[0] as { id: string }).id;
    // 4,000 sealed-looking terminal rows written raw (fast), so the planner has a table worth indexing.
    const values: unknown[][] = [];
    const json = (v: object) => (dialect === 'sqlite' ? JSON.stringify(v) : v);
    for (let i = 0; i < 4_000; i += 1) {
      const org = (orgs[i % orgs.length] as { id: string }).id;
      const started = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
      const end = new Date(Date.parse(started) + 3_600_000).toISOString();
      values.push([
        randomUUID(),
        org,
        i % 7 === 0 ? 'failed' : 'success',
        i % 50 === 0 ? user : null,
        started,
        end,
        `h${i}`,
        i,
        i % 50 === 0 ? 'manual' : 'scheduled',
        // A failed row carries its error details (ck_failed_sync_retains_error_details).
        i % 7 === 0 ? json({ code: 'X', message: 'x', category: 'unknown', retryable: false }) : null,
      ]);
    }
    const insert = `INSERT INTO accounting_sync_logs (id, organization_id, accounting_system, sync_type, status, triggered_by,
      period_start, period_end, records_total, records_synced, records_failed, started_at, completed_at, created_at, chain_hash, chain_seq,
      error_details) VALUES (?, ?, 'xledger', ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)`;
    // success: 1 of 1 synced; failed: 1 of 1 failed (ck_records_count_consistency).
    const args = (v: unknown[]) => {
      const ok = v[2] === 'success';
      return [
        v[0],
        v[1],
        v[8],
        v[2],
        v[3],
        v[4],
        v[5],
        ok ? 1 : 0,
        ok ? 0 : 1,
        v[4],
        v[5],
        v[4],
        v[6],
        v[7],
        v[9],
      ];
    };
    const raw = t.db.raw;
    await seedingFinishedRows(raw, async () => {
      if (raw.dialect === 'sqlite') {
        const c = raw.connection;
        const s = c.prepare(insert);
        c.transaction(() => {
          for (const v of values) s.run(...args(v));
        })();
        c.exec('ANALYZE');
      } else {
        for (const v of values) await rawExec(raw, insert, args(v));
        await rawExec(raw, 'ANALYZE accounting_sync_logs');
      }
    });
  });
  afterAll(async () => {
    await t?.drop();
  });

  const cases: [string, string, () => unknown[]][] = [
    [
      'idx_accounting_sync_logs_org_started',
      'SELECT * FROM accounting_sync_logs WHERE organization_id = ? ORDER BY started_at DESC, id DESC LIMIT 51',
      () => [orgId],
    ],
    [
      // syncLogs.list of one organization (keyset on the immutable created_at, id): a seek, no sort.
      // The same row-value cursor on both dialects (list-query.ts).
      'idx_accounting_sync_logs_org_created',
      'SELECT * FROM accounting_sync_logs WHERE organization_id = ? AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT 51',
      () => [orgId, '2026-01-02T00:00:00.000Z', 'ffffffff-ffff-4fff-bfff-ffffffffffff'],
    ],
    [
      'idx_accounting_sync_logs_org_status',
      'SELECT id FROM accounting_sync_logs WHERE organization_id = ? AND status = ?',
      () => [orgId, 'failed'],
    ],
    [
      'idx_accounting_sync_logs_triggered_by',
      'SELECT id FROM accounting_sync_logs WHERE triggered_by = ?',
      () => [user],
    ],
    [
      'idx_accounting_sync_logs_period',
      'SELECT id FROM accounting_sync_logs WHERE organization_id = ? AND period_start <= ? AND period_end >= ?',
      () => [orgId, '2026-01-02T00:30:00.000Z', '2026-01-02T00:00:00.000Z'],
    ],
    [
      'idx_accounting_sync_logs_status',
      'SELECT id FROM accounting_sync_logs WHERE status = ?',
      () => ['pending'],
    ],
  ];

  it.each(cases)('%s', async (index, statement, params) => {
    const text = await plan(t, statement, params());
    if (dialect === 'postgres') {
      // The planner may pick another index on a table this small; forbid sequential scans to see its preference.
      expect(text).not.toMatch(/Seq Scan/);
    }
    expect(text).toContain(index);
    // SQLite walks the index in list order; PostgreSQL may bitmap-scan and sort 72 rows instead.
    if (index === 'idx_accounting_sync_logs_org_created' && dialect === 'sqlite') {
      expect(text).not.toMatch(/TEMP B-TREE/);
      // The cursor bounds the seek itself, so a deep page costs what the first one does.
      expect(text).toMatch(/\(created_at,id\)<\(\?,\?\)/);
    }
  });

  it('pages through an export in the expense records index order: a seek per page, its lines by key, no full sort', async () => {
    const owners = await Promise.all(Array.from({ length: 4 }, () => givenOrganization(t.db)));
    await t.db.expenseRecords.insertMany(
      Array.from({ length: 4_000 }, (_, i) => ({
        organizationId: i % 5 === 0 ? orgId : (owners[i % 4] as { id: string }).id,
        kind: 'expense_claim' as const,
        amountMinor: 100 + i,
        currency: 'NOK',
        bookingDate: `2026-10-${String(1 + (i % 28)).padStart(2, '0')}`,
        account: '6800',
        approvalState: i % 10 === 0 ? ('draft' as const) : ('approved' as const),
      })),
    );
    await rawExec(
      t.db.raw,
      dialect === 'sqlite' ? 'ANALYZE' : 'ANALYZE expense_records, expense_record_lines',
    );
    // The statement the store runs for every page after the first, written once for both dialects.
    const { firstPage, nextPage } = compileExpenseRecordStatements(dialect);
    const first = await plan(
      t,
      firstPage.text,
      bind(firstPage, { organizationId: orgId, from: '2026-10-01', to: '2026-10-31', limit: 100 }),
    );
    expect(first).toContain('idx_expense_records_org_state_date');
    // The page's lines come by the lines' primary key, one seek per record; only each record's own
    // lines are ordered after the join (the records arrive in the index's order already).
    const linesByKey =
      dialect === 'sqlite'
        ? /SEARCH line USING INDEX sqlite_autoindex_expense_record_lines_1 \(record_id=\?\)/
        : /Index Scan using expense_record_lines_record_id_line_no_pk/;
    const onlyLineOrder = (plan: string) =>
      dialect === 'sqlite'
        ? expect(plan).not.toMatch(/TEMP B-TREE FOR ORDER BY/)
        : expect(plan.replace(/Incremental Sort/g, '')).not.toMatch(/Sort {2}|Sort \(|Seq Scan/);
    expect(first).toMatch(linesByKey);
    onlyLineOrder(first);
    if (dialect === 'postgres')
      expect(first).toMatch(/Presorted Key: expense_records\.booking_date, expense_records\.id\n/);
    const values = {
      organizationId: orgId,
      afterDate: '2026-10-14',
      afterId: randomUUID(),
      to: '2026-10-31',
      limit: 100,
    };
    const text = await plan(t, nextPage.text, bind(nextPage, values));
    expect(text).toContain('idx_expense_records_org_state_date');
    if (dialect === 'sqlite') {
      // The cursor is the seek's lower bound, not the period's start.
      expect(text).toMatch(/\(booking_date,id\)>\(\?,\?\)/);
    } else {
      expect(text).toMatch(/ROW\(booking_date, id\) > ROW/);
    }
    expect(text).toMatch(linesByKey);
    onlyLineOrder(text);
  });
});
