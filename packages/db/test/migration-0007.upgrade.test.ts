import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/postgres-js';
import { migrate as migratePg } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../src/migrations.js';
import { aCreateCommand, createTestDatabase, DIALECTS, type TestDatabase } from '../src/testing/index.js';
import { rawExec } from './raw-sql.helpers.js';

/** Apply a dialect's migrations before `idx` to the test database (the schema of the previous version). */
async function migrateBefore(t: TestDatabase, idx: number): Promise<void> {
  const dialect = t.db.raw.dialect;
  const folder = mkdtempSync(join(tmpdir(), 'meander-mig-'));
  try {
    cpSync(MIGRATIONS[dialect], folder, { recursive: true });
    const journalPath = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number }[] };
    journal.entries = journal.entries.filter((e) => e.idx < idx);
    writeFileSync(journalPath, JSON.stringify(journal));
    if (t.db.raw.dialect === 'sqlite') {
      migrateSqlite(drizzleSqlite(t.db.raw.connection), { migrationsFolder: folder });
      return;
    }
    const sql = postgres(t.url, { max: 1, onnotice: () => undefined });
    try {
      await migratePg(drizzlePg(sql), { migrationsFolder: folder });
    } finally {
      await sql.end();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe.each(DIALECTS)('migration 0007 on a %s database made by 0000-0006', (dialect) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.drop();
    t = undefined;
  });

  it('gives a sync running during the upgrade epoch 1 and the default lease from its last heartbeat; the next claim takes epoch 2', async () => {
    t = await createTestDatabase(dialect, { migrate: false });
    await migrateBefore(t, 7);
    // Written as the previous version wrote them (the store of today writes later columns too).
    const org = randomUUID();
    const syncLog = { id: randomUUID() };
    await rawExec(t.db.raw, 'INSERT INTO organizations (id, name, created_at) VALUES (?, ?, ?)', [
      org,
      'Upgrade AS',
      '2026-01-01T00:00:00.000Z',
    ]);
    await rawExec(
      t.db.raw,
      `INSERT INTO module_configurations (organization_id, module, enabled, config, updated_at)
        VALUES (?, 'admin-accounting', ?, ${dialect === 'postgres' ? '(?::text)::jsonb' : '?'}, ?)`,
      [
        org,
        dialect === 'postgres' ? true : 1,
        JSON.stringify({ accountingSystem: 'xledger' }),
        '2026-01-01T00:00:00.000Z',
      ],
    );
    await rawExec(
      t.db.raw,
      `INSERT INTO accounting_sync_logs (id, organization_id, accounting_system, sync_type, status, period_start,
        period_end, records_total, records_synced, records_failed, started_at, created_at)
        VALUES (?, ?, 'xledger', 'api', 'pending', '2026-10-01T00:00:00.000Z', '2026-10-31T23:59:59.999Z', 10, 0, 0,
        '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z')`,
      [syncLog.id, org],
    );
    // Claimed by a worker of the previous version: no lease columns yet.
    await rawExec(
      t.db.raw,
      "UPDATE accounting_sync_logs SET status = 'in_progress', heartbeat_at = ? WHERE id = ?",
      ['2026-11-01T00:00:10.000Z', syncLog.id],
    );
    await migrate(t.url);
    // A process of the new version (the old handle's PostgreSQL prepared statements describe old rows).
    const db = await t.openAnother();
    try {
      expect(await db.syncLogs.leaseOf(syncLog.id)).toEqual({
        syncLogId: syncLog.id,
        epoch: 1,
        expiresAt: '2026-11-01T00:02:10.000Z',
      });
      await db.syncLogs.fail({
        id: syncLog.id,
        errorDetails: { code: 'WORKER_LOST', message: 'lost', category: 'unavailable', retryable: true },
      });
      const { syncLog: next } = await db.syncLogs.create(aCreateCommand(org));
      await db.syncLogs.start(next.id);
      expect((await db.syncLogs.leaseOf(next.id))?.epoch).toBe(2);
    } finally {
      await db.close();
    }
  });
});
