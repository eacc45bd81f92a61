import { randomUUID } from 'node:crypto';
import type { ExportRecord } from '@meander/domain';
import type BetterSqlite3 from 'better-sqlite3';
import { driverFor } from '../driver-for.js';
import { type ExpenseRecordRow, exportRecordFromRow } from '../expense-record-row.js';
import type { NewExpenseRecord } from '../port.js';
import { type IdSelection, SqlExpenseRecordStore } from '../sql-expense-record-store.js';

/**
 * SQLite expense records: the shared reads (sql-expense-record-store.ts) plus what is SQLite's own,
 * the bulk insert and id matching through `json_each` (SQLite binds no arrays).
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
    const row = this.prepare(
      `SELECT COUNT(*) AS n FROM expense_records WHERE organization_id = ? AND approval_state = 'approved'
         AND booking_date >= ? AND booking_date <= ? AND id IN (SELECT value FROM json_each(?))`,
    ).get(selection.organizationId, from, to, JSON.stringify([...selection.recordIds])) as { n: number };
    return Number(row.n);
  }

  protected async *streamIds(
    selection: IdSelection,
    { from, to }: { from: string; to: string },
    batchSize: number,
  ): AsyncIterable<ExportRecord[]> {
    // The id set goes in as one JSON array (SQLite binds no arrays), and the pages are keyset pages in
    // the index's order, (booking_date, id), as on PostgreSQL and as the port promises.
    const ids = JSON.stringify([...selection.recordIds]);
    const first = this.prepare(
      `SELECT * FROM expense_records WHERE organization_id = ? AND approval_state = 'approved'
         AND booking_date >= ? AND booking_date <= ? AND id IN (SELECT value FROM json_each(?))
       ORDER BY booking_date, id LIMIT ?`,
    );
    const next = this.prepare(
      `SELECT * FROM expense_records WHERE organization_id = ? AND approval_state = 'approved'
         AND booking_date >= ? AND booking_date <= ? AND id IN (SELECT value FROM json_each(?))
         AND (booking_date, id) > (?, ?)
       ORDER BY booking_date, id LIMIT ?`,
    );
    let after: { bookingDate: string; id: string } | null = null;
    for (;;) {
      const rows = (
        after
          ? next.all(selection.organizationId, from, to, ids, after.bookingDate, after.id, batchSize)
          : first.all(selection.organizationId, from, to, ids, batchSize)
      ) as ExpenseRecordRow[];
      if (rows.length === 0) return;
      const last = rows[rows.length - 1] as ExpenseRecordRow;
      after = { bookingDate: last.booking_date, id: last.id };
      yield rows.map(exportRecordFromRow);
      if (rows.length < batchSize) return;
    }
  }
}
