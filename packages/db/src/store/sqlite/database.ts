import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { migrateSqliteConnection } from '../../migrations.js';
import { createPrivateFile } from '../../secret-file.js';
import { driverFor } from '../driver-for.js';
import type { Database } from '../port.js';
import { SqlOrganizationStore } from '../sql-organization-store.js';
import { SqlUnverifiedPostingStore } from '../unverified-posting-store.js';
import { SqliteCheckpointStore } from './checkpoint-store.js';
import { SqliteExpenseRecordStore } from './expense-record-store.js';
import { sqliteSyncLogStore } from './sync-log-store.js';

/** SQLite's own default page cache (`cache_size = -2000`: 2,000 KiB). */
export const SQLITE_DEFAULT_CACHE_KIB = 2_000;

/** Open a SQLite database: WAL (readers never block the writer), a busy timeout, foreign keys on. */
export function openSqliteDatabase(
  url: string,
  filename: string,
  options: { migrate?: boolean; cacheMiB?: number } = {},
): Database {
  if (filename !== ':memory:') {
    mkdirSync(dirname(filename), { recursive: true });
    // The database holds sealed credentials and audit evidence: not for other local users.
    createPrivateFile(filename);
  }
  const connection = new BetterSqlite3(filename);
  connection.pragma('journal_mode = WAL');
  connection.pragma('busy_timeout = 5000');
  connection.pragma('foreign_keys = ON');
  connection.pragma('synchronous = NORMAL');
  // The page cache is per connection, so each process picks its own: the worker keeps SQLite's
  // default 2 MiB on purpose (a bigger cache, or mmap, whose mapped pages count as resident, makes
  // its memory grow with the data it streams), while the API asks for more (SQLITE_CACHE_MIB) so
  // history queries on a large table stop missing the cache. Heap pages, bounded by the setting.
  const cacheKiB =
    options.cacheMiB === undefined ? SQLITE_DEFAULT_CACHE_KIB : Math.round(options.cacheMiB * 1024);
  connection.pragma(`cache_size = -${cacheKiB}`);
  if (options.migrate ?? true) migrateSqliteConnection(connection);
  // One driver per connection: every store over it (webhooks, checkpoints too) shares its
  // prepared-statement cache.
  const raw = { dialect: 'sqlite', connection } as const;
  const driver = driverFor(raw);
  return {
    dialect: 'sqlite',
    url,
    syncLogs: sqliteSyncLogStore(driver),
    organizations: new SqlOrganizationStore(driver),
    expenseRecords: new SqliteExpenseRecordStore(connection),
    unverifiedPostings: new SqlUnverifiedPostingStore(driver),
    checkpoints: new SqliteCheckpointStore(driver),
    async ping() {
      connection.prepare('SELECT 1').get();
    },
    async close() {
      if (connection.open) connection.close();
    },
    raw,
  };
}
