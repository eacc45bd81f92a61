import type { ExportRecord } from '@meander/domain';
import { type SQL, sql } from 'drizzle-orm';
import { all, type Driver, one } from './driver.js';
import { type ExpenseRecordRow, exportRecordFromRow, selectionWindow } from './expense-record-row.js';
import type { Dialect, ExpenseRecordStore, NewExpenseRecord, RecordSelection } from './port.js';
import { tablesOf } from './schema-rows.js';
import { compileAll, p } from './statement.js';

/**
 * The expense-record reads of a whole period, written once over the dialect's table. Pages are a
 * keyset in the index's own order (booking date, id): each page is one range seek, constant memory
 * and constant time whatever the period holds (ordering by id alone made every page read and sort
 * the whole period: quadratic). After the first page the cursor is the only lower bound: with the
 * period's start beside it, SQLite seeks from the period's start on every page instead.
 */
function expenseRecordStatements(dialect: Dialect) {
  const r = tablesOf(dialect).expenseRecords;
  const o = tablesOf(dialect).organizations;
  const approved = sql`${r.organizationId} = ${p('organizationId')} AND ${r.approvalState} = 'approved'`;
  const page = (lowerBound: SQL) => sql`SELECT * FROM ${r} WHERE ${approved} AND ${lowerBound}
    AND ${r.bookingDate} <= ${p('to')} ORDER BY ${r.bookingDate}, ${r.id} LIMIT ${p('limit')}`;
  return {
    countApproved: sql`SELECT COUNT(*) AS n FROM ${r} WHERE ${approved}
      AND ${r.bookingDate} >= ${p('from')} AND ${r.bookingDate} <= ${p('to')}`,
    firstPage: page(sql`${r.bookingDate} >= ${p('from')}`),
    timeZoneOf: sql`SELECT ${o.timeZone} AS time_zone FROM ${o} WHERE ${o.id} = ${p('organizationId')}`,
    nextPage: page(sql`(${r.bookingDate}, ${r.id}) > (${p('afterDate')}, ${p('afterId')})`),
  } satisfies Record<string, SQL>;
}

/** The expense-record statements compiled for one dialect. */
export function compileExpenseRecordStatements(dialect: Dialect) {
  return compileAll(dialect, expenseRecordStatements(dialect));
}

/** A selection naming its records (a re-sync of the records that failed). */
export type IdSelection = RecordSelection & { recordIds: readonly string[] };

/**
 * Expense records, written once for both dialects on the one query layer: a period's count and its
 * pages are statements compiled once and run by the database's driver. A dialect supplies only what
 * truly differs: the bulk insert (a multi-row insert per chunk on PostgreSQL, one prepared insert
 * per row in one transaction on SQLite) and matching a list of ids (`= ANY(array)` on PostgreSQL,
 * one JSON array read by `json_each` on SQLite, which has no array parameter).
 */
export abstract class SqlExpenseRecordStore implements ExpenseRecordStore {
  private readonly q: ReturnType<typeof compileExpenseRecordStatements>;

  constructor(private readonly driver: Driver) {
    this.q = compileExpenseRecordStatements(driver.dialect);
  }

  abstract insertMany(records: readonly NewExpenseRecord[]): Promise<number>;
  protected abstract countIds(selection: IdSelection, window: { from: string; to: string }): Promise<number>;
  protected abstract streamIds(
    selection: IdSelection,
    window: { from: string; to: string },
    batchSize: number,
  ): AsyncIterable<ExportRecord[]>;

  /** The selection's booking dates, read in the organization's time zone. */
  private async windowOf(selection: RecordSelection): Promise<{ from: string; to: string }> {
    const row = await this.driver.run(
      one<{ time_zone: string }>(this.q.timeZoneOf, { organizationId: selection.organizationId }),
    );
    return selectionWindow(selection, row?.time_zone ?? 'UTC');
  }

  async countApproved(selection: RecordSelection): Promise<number> {
    const window = await this.windowOf(selection);
    if (selection.recordIds) return this.countIds({ ...selection, recordIds: selection.recordIds }, window);
    const row = await this.driver.run(
      one<{ n: number | bigint }>(this.q.countApproved, {
        organizationId: selection.organizationId,
        ...window,
      }),
    );
    return Number(row?.n ?? 0);
  }

  async *streamApproved(selection: RecordSelection, batchSize: number): AsyncIterable<ExportRecord[]> {
    const { from, to } = await this.windowOf(selection);
    if (selection.recordIds) {
      yield* this.streamIds({ ...selection, recordIds: selection.recordIds }, { from, to }, batchSize);
      return;
    }
    const organizationId = selection.organizationId;
    let rows = await this.driver.run(
      all<ExpenseRecordRow>(this.q.firstPage, { organizationId, from, to, limit: batchSize }),
    );
    for (;;) {
      const last = rows[rows.length - 1];
      if (!last) return;
      yield rows.map(exportRecordFromRow);
      if (rows.length < batchSize) return;
      rows = await this.driver.run(
        all<ExpenseRecordRow>(this.q.nextPage, {
          organizationId,
          afterDate: last.booking_date,
          afterId: last.id,
          to,
          limit: batchSize,
        }),
      );
    }
  }
}
