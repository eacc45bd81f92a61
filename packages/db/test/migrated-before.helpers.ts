import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/postgres-js';
import { migrate as migratePg } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { MIGRATIONS } from '../src/migrations.js';
import type { TestDatabase } from '../src/testing/index.js';

/**
 * Migrate an unmigrated test database up to, not including, the migration tagged `before` (e.g.
 * `'0012'`): a copy of the dialect's migration folder whose journal stops there, so an upgrade test
 * can write rows as an older release left them and then run the real migrations.
 */
export async function migrateBefore(t: TestDatabase, before: string): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'meander-mig-'));
  const pg = t.db.raw.dialect === 'postgres' ? postgres(t.url, { max: 1, onnotice: () => undefined }) : null;
  try {
    cpSync(MIGRATIONS[t.db.raw.dialect], folder, { recursive: true });
    const journalPath = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
    journal.entries = journal.entries.filter((e) => e.tag < before);
    writeFileSync(journalPath, JSON.stringify(journal));
    if (t.db.raw.dialect === 'sqlite')
      migrateSqlite(drizzleSqlite(t.db.raw.connection), { migrationsFolder: folder });
    else if (pg) await migratePg(drizzlePg(pg), { migrationsFolder: folder });
  } finally {
    await pg?.end();
    rmSync(folder, { recursive: true, force: true });
  }
}
