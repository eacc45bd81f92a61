import { randomUUID } from 'node:crypto';
import type { ExportRecord } from '@meander/domain';
import type postgres from 'postgres';
import { driverFor } from '../driver-for.js';
import { type ExpenseRecordRow, exportRecordFromRow } from '../expense-record-row.js';
import type { NewExpenseRecord } from '../port.js';
import { type IdSelection, SqlExpenseRecordStore } from '../sql-expense-record-store.js';

const INSERT_CHUNK = 1_000;

/**
 * PostgreSQL expense records: the shared reads (sql-expense-record-store.ts) plus what is
 * PostgreSQL's own, the multi-row bulk insert and id matching with one array parameter.
 */
export class PgExpenseRecordStore extends SqlExpenseRecordStore {
  constructor(private readonly sql: postgres.Sql) {
    super(driverFor({ dialect: 'postgres', sql }));
  }

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

  protected async countIds(
    selection: IdSelection,
    { from, to }: { from: string; to: string },
  ): Promise<number> {
    const [row] = await this.sql<{ n: string }[]>`
      SELECT COUNT(*) AS n FROM expense_records WHERE organization_id = ${selection.organizationId}
        AND approval_state = 'approved' AND booking_date >= ${from} AND booking_date <= ${to}
        AND id::text = ANY(${[...selection.recordIds]})`;
    return Number(row?.n ?? 0);
  }

  protected async *streamIds(
    selection: IdSelection,
    { from, to }: { from: string; to: string },
    batchSize: number,
  ): AsyncIterable<ExportRecord[]> {
    const ids = [...selection.recordIds];
    // Keyset pages in the index's order, as the shared pages (sql-expense-record-store.ts).
    let after: { bookingDate: string; id: string } | null = null;
    for (;;) {
      const rows: ExpenseRecordRow[] = await this.sql<ExpenseRecordRow[]>`
        SELECT * FROM expense_records WHERE organization_id = ${selection.organizationId}
          AND approval_state = 'approved' AND booking_date >= ${from} AND booking_date <= ${to}
          AND id::text = ANY(${ids})
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
