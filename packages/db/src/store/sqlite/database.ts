import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { migrateSqliteConnection } from '../../migrations.js';
import { createPrivateFile } from '../../secret-file.js';
import type { Database } from '../port.js';
import { SqliteCheckpointStore } from './checkpoint-store.js';
import { SqliteExpenseRecordStore } from './expense-record-store.js';
import { SqliteOrganizationStore } from './organization-store.js';
import { SqliteSyncLogStore } from './sync-log-store.js';

/** Open a SQLite database: WAL (readers never block the writer), a busy timeout, foreign keys on. */
export function openSqliteDatabase(
  url: string,
  filename: string,
  options: { migrate?: boolean } = {},
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
  // SQLite's default 2 MiB page cache on purpose: a bigger cache (or mmap, whose mapped pages count
  // as resident) makes a worker's memory grow with the data it streams, and the benchmarks' history
  // queries at 1M rows are within 1.1-1.5x of the bare driver without it.
  if (options.migrate ?? true) migrateSqliteConnection(connection);
  return {
    dialect: 'sqlite',
    url,
    syncLogs: new SqliteSyncLogStore(connection),
    organizations: new SqliteOrganizationStore(connection),
    expenseRecords: new SqliteExpenseRecordStore(connection),
    checkpoints: new SqliteCheckpointStore(connection),
    async ping() {
      connection.prepare('SELECT 1').get();
    },
    async close() {
      if (connection.open) connection.close();
    },
    raw: { dialect: 'sqlite', connection },
  };
}
