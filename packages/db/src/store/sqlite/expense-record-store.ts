import type BetterSqlite3 from 'better-sqlite3';
import { driverFor } from '../driver-for.js';
import { SqlExpenseRecordStore } from '../sql-expense-record-store.js';

/** SQLite expense records: the shared store on the SQLite driver. */
export class SqliteExpenseRecordStore extends SqlExpenseRecordStore {
  constructor(db: BetterSqlite3.Database) {
    super(driverFor({ dialect: 'sqlite', connection: db }));
  }
}
