import { randomUUID } from 'node:crypto';
import type { ExportRecord } from '@meander/domain';
import type postgres from 'postgres';
import { type ExpenseRecordRow, exportRecordFromRow, selectionWindow } from '../expense-record-row.js';
import type { ExpenseRecordStore, NewExpenseRecord, RecordSelection } from '../port.js';

const INSERT_CHUNK = 1_000;

/** PostgreSQL expense records. */
export class PgExpenseRecordStore implements ExpenseRecordStore {
  constructor(private readonly sql: postgres.Sql) {}

  async insertMany(records: readonly NewExpenseRecord[]): Promise<number> {
    let inserted = 0;
    for (let i = 0; i < records.length; i += INSERT_CHUNK) {
      const rows = records.slice(i, i + INSERT_CHUNK).map((r) => ({
        id: r.id ?? randomUUID(),
        organization_id: r.organizationId,
        kind: r.kind,
        amount_minor: r.amountMinor,
        currency: r.currency,
        booking_date: r.bookingDate,
        account: r.account,
        approval_state: r.approvalState,
        description: r.description ?? null,
      }));
      const result = await this
        .sql`INSERT INTO expense_records ${this.sql(rows)} ON CONFLICT (id) DO NOTHING`;
      inserted += result.count;
    }
    return inserted;
  }

  async countApproved(selection: RecordSelection): Promise<number> {
    const { from, to } = selectionWindow(selection);
    const ids = selection.recordIds ? [...selection.recordIds] : null;
    const [row] = await this.sql<{ n: string }[]>`
      SELECT COUNT(*) AS n FROM expense_records WHERE organization_id = ${selection.organizationId}
        AND approval_state = 'approved' AND booking_date >= ${from} AND booking_date <= ${to}
        ${ids ? this.sql`AND id::text = ANY(${ids})` : this.sql``}`;
    return Number(row?.n ?? 0);
  }

  async *streamApproved(selection: RecordSelection, batchSize: number): AsyncIterable<ExportRecord[]> {
    const { from, to } = selectionWindow(selection);
    const ids = selection.recordIds ? [...selection.recordIds] : null;
    // Keyset pagination in the index's own order (booking date, id): each page is one range seek,
    // constant memory and constant time whatever the period holds. (Ordering by id alone made every
    // page read and sort the whole period: quadratic in the period's size.)
    let after: { bookingDate: string; id: string } | null = null;
    for (;;) {
      const rows: ExpenseRecordRow[] = await this.sql<ExpenseRecordRow[]>`
        SELECT * FROM expense_records WHERE organization_id = ${selection.organizationId}
          AND approval_state = 'approved' AND booking_date >= ${from} AND booking_date <= ${to}
          ${ids ? this.sql`AND id::text = ANY(${ids})` : this.sql``}
          ${after ? this.sql`AND (booking_date, id) > (${after.bookingDate}, ${after.id})` : this.sql``}
        ORDER BY booking_date, id LIMIT ${batchSize}`;
      if (rows.length === 0) return;
      const last = rows[rows.length - 1] as ExpenseRecordRow;
      after = { bookingDate: last.booking_date, id: last.id };
      yield rows.map(exportRecordFromRow);
      if (rows.length < batchSize) return;
    }
  }
}
