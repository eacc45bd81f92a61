import type BetterSqlite3 from 'better-sqlite3';
import { SqlCheckpointStore } from '../checkpoint-store.js';
import { executorFor } from '../sql-executor.js';

/** The checkpoint log on SQLite: the shared store over this connection (nothing here differs). */
export class SqliteCheckpointStore extends SqlCheckpointStore {
  constructor(connection: BetterSqlite3.Database) {
    super(executorFor({ dialect: 'sqlite', connection }));
  }
}
