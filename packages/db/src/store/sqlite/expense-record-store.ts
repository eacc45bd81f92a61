import { randomUUID } from 'node:crypto';
import type { ExportRecord } from '@meander/domain';
import type BetterSqlite3 from 'better-sqlite3';
import { driverFor } from '../driver-for.js';
import { type ExpenseRecordRow, exportRecordFromRow } from '../expense-record-row.js';
import type { NewExpenseRecord } from '../port.js';
import { type IdSelection, SqlExpenseRecordStore } from '../sql-expense-record-store.js';

/**
 * SQLite expense records: the shared reads (sql-expense-record-store.ts) plus what is SQLite's own,
 * the bulk insert and `IN (…)` id matching in chunks (SQLite binds no arrays).
 */
export class SqliteExpenseRecordStore extends SqlExpenseRecordStore {
  constructor(private readonly db: BetterSqlite3.Database) {
    super(driverFor({ dialect: 'sqlite', connection: db }));
  }

  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  /** Prepared statements are compiled once per store and reused (SQLite's parse cost is per prepare). */
  private prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  async insertMany(records: readonly NewExpenseRecord[]): Promise<number> {
    const insert = this.prepare(
      `INSERT INTO expense_records (id, organization_id, kind, amount_minor, currency, booking_date, account, approval_state, description)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    return this.db.transaction(() => {
      let inserted = 0;
      for (const r of records) {
        inserted += insert.run(
          r.id ?? randomUUID(),
          r.organizationId,
          r.kind,
          r.amountMinor,
          r.currency,
          r.bookingDate,
          r.account,
          r.approvalState,
          r.description ?? null,
        ).changes;
      }
      return inserted;
    })();
  }

  protected async countIds(
    selection: IdSelection,
    { from, to }: { from: string; to: string },
  ): Promise<number> {
    let n = 0;
    for (const chunk of chunks(selection.recordIds, 500)) {
      const row = this.prepare(
        `SELECT COUNT(*) AS n FROM expense_records WHERE organization_id = ? AND approval_state = 'approved'
           AND booking_date >= ? AND booking_date <= ? AND id IN (${chunk.map(() => '?').join(',')})`,
      ).get(selection.organizationId, from, to, ...chunk) as { n: number };
      n += Number(row.n);
    }
    return n;
  }

  protected async *streamIds(
    selection: IdSelection,
    { from, to }: { from: string; to: string },
    batchSize: number,
  ): AsyncIterable<ExportRecord[]> {
    const ids = [...selection.recordIds].sort();
    for (const chunk of chunks(ids, batchSize)) {
      const rows = this.prepare(
        `SELECT * FROM expense_records WHERE organization_id = ? AND approval_state = 'approved'
           AND booking_date >= ? AND booking_date <= ? AND id IN (${chunk.map(() => '?').join(',')}) ORDER BY id`,
      ).all(selection.organizationId, from, to, ...chunk) as ExpenseRecordRow[];
      if (rows.length > 0) yield rows.map(exportRecordFromRow);
    }
  }
}

export function* chunks<T>(items: readonly T[], size: number): Iterable<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
