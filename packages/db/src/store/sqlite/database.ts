import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { migrateSqliteConnection } from '../../migrations.js';
import type { Database } from '../port.js';
import { SqliteExpenseRecordStore } from './expense-record-store.js';
import { SqliteOrganizationStore } from './organization-store.js';
import { SqliteSyncLogStore } from './sync-log-store.js';

/** Open a SQLite database: WAL (readers never block the writer), a busy timeout, foreign keys on. */
export function openSqliteDatabase(
  url: string,
  filename: string,
  options: { migrate?: boolean } = {},
): Database {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  const connection = new BetterSqlite3(filename);
  connection.pragma('journal_mode = WAL');
  connection.pragma('busy_timeout = 5000');
  connection.pragma('foreign_keys = ON');
  connection.pragma('synchronous = NORMAL');
  // The default page cache is 2 MiB: past a few hundred thousand rows every history page would be
  // read through a syscall. 16 MiB is a ceiling, filled only as pages are read, and small enough
  // that a worker streaming a large period keeps a flat footprint (no mmap: mapped file pages
  // count as resident memory and grow with the data read).
  connection.pragma('cache_size = -16384');
  if (options.migrate ?? true) migrateSqliteConnection(connection);
  return {
    dialect: 'sqlite',
    url,
    syncLogs: new SqliteSyncLogStore(connection),
    organizations: new SqliteOrganizationStore(connection),
    expenseRecords: new SqliteExpenseRecordStore(connection),
    async ping() {
      connection.prepare('SELECT 1').get();
    },
    async close() {
      if (connection.open) connection.close();
    },
    raw: { dialect: 'sqlite', connection },
  };
}
