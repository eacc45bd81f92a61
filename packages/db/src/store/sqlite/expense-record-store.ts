import { randomUUID } from 'node:crypto';
import type { ExportRecord } from '@meander/domain';
import type BetterSqlite3 from 'better-sqlite3';
import { type ExpenseRecordRow, exportRecordFromRow, selectionWindow } from '../expense-record-row.js';
import type { ExpenseRecordStore, NewExpenseRecord, RecordSelection } from '../port.js';

/** SQLite expense records. */
export class SqliteExpenseRecordStore implements ExpenseRecordStore {
  constructor(private readonly db: BetterSqlite3.Database) {}

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

  async countApproved(selection: RecordSelection): Promise<number> {
    const { from, to } = selectionWindow(selection);
    if (selection.recordIds) return this.countIds(selection, from, to);
    const row = this.prepare(
      `SELECT COUNT(*) AS n FROM expense_records WHERE organization_id = ? AND approval_state = 'approved'
         AND booking_date >= ? AND booking_date <= ?`,
    ).get(selection.organizationId, from, to) as { n: number };
    return Number(row.n);
  }

  private countIds(selection: RecordSelection, from: string, to: string): number {
    let n = 0;
    for (const chunk of chunks(selection.recordIds ?? [], 500)) {
      const row = this.prepare(
        `SELECT COUNT(*) AS n FROM expense_records WHERE organization_id = ? AND approval_state = 'approved'
           AND booking_date >= ? AND booking_date <= ? AND id IN (${chunk.map(() => '?').join(',')})`,
      ).get(selection.organizationId, from, to, ...chunk) as { n: number };
      n += Number(row.n);
    }
    return n;
  }

  async *streamApproved(selection: RecordSelection, batchSize: number): AsyncIterable<ExportRecord[]> {
    const { from, to } = selectionWindow(selection);
    if (selection.recordIds) {
      const ids = [...selection.recordIds].sort();
      for (const chunk of chunks(ids, batchSize)) {
        const rows = this.prepare(
          `SELECT * FROM expense_records WHERE organization_id = ? AND approval_state = 'approved'
             AND booking_date >= ? AND booking_date <= ? AND id IN (${chunk.map(() => '?').join(',')}) ORDER BY id`,
        ).all(selection.organizationId, from, to, ...chunk) as ExpenseRecordRow[];
        if (rows.length > 0) yield rows.map(exportRecordFromRow);
      }
      return;
    }
    // Keyset pagination in the index's own order (booking date, id): each page is one range seek,
    // constant memory and constant time whatever the period holds. (Ordering by id alone made every
    // page read and sort the whole period: quadratic in the period's size.) The cursor is the only
    // lower bound, starting at (from, '') — no id is empty, so that is `booking_date >= from`: with a
    // separate `booking_date >= ?` SQLite seeks from the period's start on every page instead.
    const page = this.prepare(
      `SELECT * FROM expense_records WHERE organization_id = ? AND approval_state = 'approved'
       AND (booking_date, id) > (?, ?) AND booking_date <= ?
       ORDER BY booking_date, id LIMIT ?`,
    );
    let after = { bookingDate: from, id: '' };
    for (;;) {
      const rows = page.all(
        selection.organizationId,
        after.bookingDate,
        after.id,
        to,
        batchSize,
      ) as ExpenseRecordRow[];
      if (rows.length === 0) return;
      const last = rows[rows.length - 1] as ExpenseRecordRow;
      after = { bookingDate: last.booking_date, id: last.id };
      yield rows.map(exportRecordFromRow);
      if (rows.length < batchSize) return;
    }
  }
}

export function* chunks<T>(items: readonly T[], size: number): Iterable<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
