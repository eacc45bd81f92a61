import { listSyncLogsQuerySchema } from '@meander/domain';
import { describe, expect, it } from 'vitest';
import * as sqliteTables from '../src/schema/sqlite/tables.js';
import { encodeCursor } from '../src/store/cursor.js';
import { all, driveAsync, driveSync, type Op, one, type Program } from '../src/store/driver.js';
import { ListQuery } from '../src/store/list-query.js';
import { compileOrganizationStatements } from '../src/store/organization-queries.js';
import { PG_SYNC_LOG_LOCKS } from '../src/store/pg/sync-log-store.js';
import { rowOf, tableRowOf } from '../src/store/rows.js';
import { compileExpenseRecordStatements } from '../src/store/sql-expense-record-store.js';
import { SQLITE_SYNC_LOG_LOCKS } from '../src/store/sqlite/sync-log-store.js';
import { compileSyncLogStatements } from '../src/store/sync-log-queries.js';
import { compileHealthStatements } from '../src/webhooks/health-announcements.js';
import { compileWebhookStatements } from '../src/webhooks/store.js';

const ORG = '6f1c2a9e-4b0d-4c51-9d1e-2a7b3c4d5e6f';

describe('one query layer: statements written once, compiled per dialect', () => {
  it('binds the same placeholders in the same order on both dialects, for every statement', () => {
    const sqlite = compileSyncLogStatements('sqlite', SQLITE_SYNC_LOG_LOCKS);
    const pg = compileSyncLogStatements('postgres', PG_SYNC_LOG_LOCKS);
    const { chainLock: sqliteLock, ...sqliteRest } = sqlite;
    const { chainLock: pgLock, ...pgRest } = pg;
    expect(Object.keys(pgRest).sort()).toEqual(Object.keys(sqliteRest).sort());
    for (const [name, statement] of Object.entries(sqliteRest)) {
      expect(pgRest[name as keyof typeof pgRest].names, name).toEqual(statement.names);
    }
    const orgSqlite = compileOrganizationStatements('sqlite');
    const orgPg = compileOrganizationStatements('postgres');
    for (const [name, statement] of Object.entries(orgSqlite)) {
      expect(orgPg[name as keyof typeof orgPg].names, name).toEqual(statement.names);
    }
    // What differs is only the locking PostgreSQL needs and SQLite's single writer makes moot.
    expect(sqliteLock).toBeNull();
    expect(pgLock?.names).toEqual(['organizationId']);
    expect(pg.nextPending.text).toMatch(/FOR UPDATE SKIP LOCKED$/);
    expect(sqlite.nextPending.text).not.toMatch(/FOR UPDATE/);
    expect(pg.syncLogByIdLocked.text).toBe(`${pg.syncLogById.text} FOR UPDATE`);
    expect(sqlite.syncLogByIdLocked.text).toBe(sqlite.syncLogById.text);
  });

  it('compiles the webhook statements alike on both dialects; only the claim skips locked rows', () => {
    const sqlite = compileWebhookStatements('sqlite');
    const pg = compileWebhookStatements('postgres');
    for (const [name, statement] of Object.entries(sqlite)) {
      expect(pg[name as keyof typeof pg].names, name).toEqual(statement.names);
    }
    expect(pg.claimDue.text).toContain('FOR UPDATE SKIP LOCKED');
    expect(sqlite.claimDue.text).not.toContain('FOR UPDATE');
    // JSON is bound as a plain placeholder on both: the driver, not the SQL, decides its encoding.
    expect(pg.insertOutbox.text).not.toMatch(/::/);
    expect(pg.insertOutbox.names).toContain('payload');
  });

  it('compiles the health announcements alike on both dialects; only PostgreSQL takes a lock', () => {
    const { announceLock: sqliteLock, ...sqlite } = compileHealthStatements('sqlite');
    const { announceLock: pgLock, ...pg } = compileHealthStatements('postgres');
    expect(Object.keys(pg).sort()).toEqual(Object.keys(sqlite).sort());
    for (const [name, statement] of Object.entries(sqlite)) {
      expect(pg[name as keyof typeof pg].names, name).toEqual(statement.names);
    }
    expect(sqliteLock).toBeNull();
    expect(pgLock?.text).toContain('pg_advisory_xact_lock');
    expect(pgLock?.names).toEqual(['lockKey']);
    expect(pg.insertAnnouncement.text).not.toMatch(/::/);
    expect(pg.insertAnnouncement.names).toContain('payload');
  });

  it('compiles the expense-record period reads alike on both dialects', () => {
    const sqlite = compileExpenseRecordStatements('sqlite');
    const pg = compileExpenseRecordStatements('postgres');
    for (const [name, statement] of Object.entries(sqlite)) {
      expect(pg[name as keyof typeof pg].names, name).toEqual(statement.names);
    }
    // After the first page the cursor is the only lower bound (one seek from the cursor).
    expect(sqlite.nextPage.names).toEqual(['organizationId', 'afterDate', 'afterId', 'to', 'limit']);
  });

  it.each(['sqlite', 'postgres'] as const)('compiles each list filter combination once on %s', (dialect) => {
    const list = new ListQuery(dialect);
    const parse = (input: object) => listSyncLogsQuerySchema.parse(input);
    const a = list.prepare(parse({ organizationId: ORG, status: 'failed', limit: 50 }));
    const b = list.prepare(parse({ organizationId: ORG, status: 'success', limit: 10 }));
    const c = list.prepare(parse({ organizationId: ORG, limit: 50 }));
    // Same filters, other values: the very same statement (one prepared text, never one per call).
    expect(b.statement).toBe(a.statement);
    expect(b.values).toEqual({ organizationId: ORG, status: 'success', limit: 11 });
    expect(c.statement.text).not.toBe(a.statement.text);
    expect(c.statement.names).toEqual(['organizationId', 'limit']);

    const cursor = encodeCursor({ createdAt: '2026-03-01T10:00:00.000Z', id: ORG });
    const paged = list.prepare(parse({ organizationId: ORG, cursor, limit: 50 }));
    expect(paged.values).toMatchObject({ cursorCreatedAt: '2026-03-01T10:00:00.000Z', cursorId: ORG });
    expect(paged.statement.names).toEqual(['organizationId', 'cursorCreatedAt', 'cursorId', 'limit']);
  });
});

describe('store programs: one flow, driven synchronously (SQLite) or awaited (PostgreSQL)', () => {
  const statement = { text: 'SELECT 1', names: [] };
  const nRow = rowOf<{ n: number }>('n', { n: 'number' });
  /** Reads twice; when the first read fails, the program decides what to report. */
  function* program(): Program<string> {
    try {
      const rows = yield* all(statement, {}, nRow);
      return `rows ${rows.length}`;
    } catch (error) {
      const row = yield* one(statement, {}, nRow);
      return `recovered from ${(error as Error).message} with ${row?.n}`;
    }
  }
  const failingFirst = () => {
    let calls = 0;
    return (op: Op) => {
      calls += 1;
      if (calls === 1) throw new Error('refused');
      return op.kind === 'get' ? { n: 7 } : [];
    };
  };

  it('fails at the read when a row lacks a column or holds the wrong kind of value', () => {
    const read = (rows: unknown[]) => () => driveSync(all(statement, {}, nRow), () => rows);
    expect(read([{ n: 1 }, { n: '2' }])()).toEqual([{ n: 1 }, { n: '2' }]);
    expect(read([{ m: 1 }])).toThrow('n: the row has no column n');
    expect(read([{ n: 'x' }])).toThrow('n: column n holds string, not number');
    expect(read([{ n: null }])).toThrow('n: column n holds NULL, not number');
    const organizationRow = tableRowOf(sqliteTables.organizations);
    expect(() => organizationRow({ id: ORG, name: 'a' })).toThrow('organizations row: the row has no column');
  });

  it('returns what the statements answer', async () => {
    expect(driveSync(program(), () => [{ n: 1 }, { n: 2 }])).toBe('rows 2');
    expect(await driveAsync(program(), async () => [{ n: 1 }])).toBe('rows 1');
  });

  it('throws a statement error into the program, which may catch it', async () => {
    expect(driveSync(program(), failingFirst())).toBe('recovered from refused with 7');
    const execute = failingFirst();
    expect(await driveAsync(program(), async (op) => execute(op))).toBe('recovered from refused with 7');
  });

  it('lets an error the program does not catch leave the driver', async () => {
    function* uncaught(): Program<number> {
      yield* all(statement);
      return 1;
    }
    expect(() =>
      driveSync(uncaught(), () => {
        throw new Error('lost');
      }),
    ).toThrow('lost');
    await expect(
      driveAsync(uncaught(), async () => {
        throw new Error('lost');
      }),
    ).rejects.toThrow('lost');
  });
});
