import type postgres from 'postgres';
import { driverFor } from '../driver-for.js';
import { SqlExpenseRecordStore } from '../sql-expense-record-store.js';

/** PostgreSQL expense records: the shared store on the PostgreSQL driver. */
export class PgExpenseRecordStore extends SqlExpenseRecordStore {
  constructor(sql: postgres.Sql) {
    super(driverFor({ dialect: 'postgres', sql }));
  }
}
