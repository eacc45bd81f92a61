import {
  DomainError,
  type ExportRecord,
  MAX_EXPORT_RECORD_LINES,
  MAX_UPSERT_RECORDS,
  organizationNotFound,
} from '@meander/domain';
import { type SQL, sql } from 'drizzle-orm';
import { rethrowAsDomainError } from './constraint-errors.js';
import { all, type Driver, one, type Program } from './driver.js';
import { decodeRecordCursor, encodeRecordCursor } from './expense-record-cursor.js';
import {
  checkBatch,
  UpsertRaced,
  type UpsertResult,
  upsertProgram,
  type WithdrawResult,
  withdrawProgram,
} from './expense-record-intake.js';
import { insertNewProgram, legacyRows } from './expense-record-legacy.js';
import { PostedRecords } from './expense-record-reversal.js';
import { exportPageRow, exportRecordsOf, selectionWindow } from './expense-record-row.js';
import { compileIntakeStatements, type IntakeStatements, idSet } from './expense-record-statements.js';
import {
  type ExpenseRecordView,
  intakeLineRow,
  intakeRecordRow,
  linesByRecord,
  viewFromRows,
} from './expense-record-view.js';
import type {
  Dialect,
  ExpenseRecordStore,
  ListExpenseRecordsQuery,
  NewExpenseRecord,
  RecordSelection,
} from './port.js';
import { countRow, rowOf } from './rows.js';
import { tablesOf } from './schema-rows.js';
import { compileAll, p } from './statement.js';
import { isUuid } from './uuid.js';

const timeZoneRow = rowOf<{ time_zone: string }>('time zone', { time_zone: 'text' });
/**
 * The expense-record reads of a whole period, written once over the dialect's table. Pages are a
 * keyset in the index's own order (booking date, id): each page is one range seek, constant memory
 * and constant time whatever the period holds (ordering by id alone made every page read and sort
 * the whole period: quadratic). After the first page the cursor is the only lower bound: with the
 * period's start beside it, SQLite seeks from the period's start on every page instead.
 */
function expenseRecordStatements(dialect: Dialect) {
  const { expenseRecords: r, expenseRecordLines: l, organizations: o } = tablesOf(dialect);
  const exportable = sql`${r.organizationId} = ${p('organizationId')} AND ${EXPORTABLE(r)}`;
  // A page is one statement: the page's records (a seek in the index's order, LIMIT records, not
  // lines) joined to all their lines by the lines' primary key, one seek per record. Only each
  // record's few lines are ordered after the join (PostgreSQL: an incremental sort on the presorted
  // (date, id); SQLite: the last ORDER BY term). PostgreSQL's join is LATERAL, and its LIMIT (a
  // record's 50 lines at most, ck_expense_record_lines_line_no) keeps the planner from flattening it:
  // a plain join hashed the page against a scan of every line of every organization, per page; a
  // second read keyed by the page's ids did the same, and JSON aggregation per record was slower.
  const lines =
    dialect === 'postgres'
      ? sql`CROSS JOIN LATERAL (SELECT * FROM ${l} WHERE ${l.recordId} = page.id
          ORDER BY ${l.lineNo} LIMIT ${sql.raw(String(MAX_EXPORT_RECORD_LINES))}) line`
      : sql`JOIN ${l} line ON line.record_id = page.id`;
  const page = (lowerBound: SQL) => sql`SELECT page.*, ${LINE_COLUMNS} FROM (
      SELECT ${EXPORT_COLUMNS(r)} FROM ${r}
      WHERE ${exportable} AND ${lowerBound} AND ${r.bookingDate} <= ${p('to')}
      ORDER BY ${r.bookingDate}, ${r.id} LIMIT ${p('limit')}
    ) page ${lines}
    ORDER BY page.booking_date, page.id, line.line_no`;
  return {
    timeZoneOf: sql`SELECT ${o.timeZone} AS time_zone FROM ${o} WHERE ${o.id} = ${p('organizationId')}`,
    countApproved: sql`SELECT COUNT(*) AS n FROM ${r} WHERE ${exportable}
      AND ${r.bookingDate} >= ${p('from')} AND ${r.bookingDate} <= ${p('to')}`,
    firstPage: page(sql`${r.bookingDate} >= ${p('from')}`),
    nextPage: page(sql`(${r.bookingDate}, ${r.id}) > (${p('afterDate')}, ${p('afterId')})`),
    // A re-sync names its records: the same pages, narrowed to a JSON array of ids.
    countIds: sql`SELECT COUNT(*) AS n FROM ${r} WHERE ${exportable}
      AND ${r.bookingDate} >= ${p('from')} AND ${r.bookingDate} <= ${p('to')} AND ${r.id} IN (${idSet(dialect, 'ids')})`,
    firstIdPage: page(sql`${r.bookingDate} >= ${p('from')} AND ${r.id} IN (${idSet(dialect, 'ids')})`),
    nextIdPage: page(
      sql`(${r.bookingDate}, ${r.id}) > (${p('afterDate')}, ${p('afterId')}) AND ${r.id} IN (${idSet(dialect, 'ids')})`,
    ),
  } satisfies Record<string, SQL>;
}

type Tables = ReturnType<typeof tablesOf>;
/**
 * A record an export sends (and counts): approved and not withdrawn. The one definition for the
 * store's counts and streams and the batched dispatcher's `records_total`, so a sync's total and
 * what it streams never disagree.
 */
export const EXPORTABLE = (r: Tables['expenseRecords']) =>
  sql`${r.approvalState} = 'approved' AND ${r.withdrawnAt} IS NULL`;
/** The record's own columns an ExportRecord is built from (its lines are joined to them). */
const EXPORT_COLUMNS = (r: Tables['expenseRecords']) =>
  sql`${r.id} AS id, ${r.kind} AS kind, ${r.currency} AS currency, ${r.bookingDate} AS booking_date,
    ${r.description} AS description, ${r.employeeNumber} AS employee_number, ${r.receiptUrl} AS receipt_url,
    ${r.exchangeRate} AS exchange_rate,
    ${r.postingRound} AS posting_round`;

/** A line's columns, beside its record's in an export page. */
const LINE_COLUMNS = sql`line.line_no, line.account, line.amount_minor, line.vat_code,
  line.vat_amount_minor, line.department, line.project, line.cost_centre`;

/** The expense-record statements compiled for one dialect. */
export function compileExpenseRecordStatements(dialect: Dialect) {
  return compileAll(dialect, expenseRecordStatements(dialect));
}

/**
 * Expense records, written once for both dialects on the one query layer: a period's count and its
 * pages (all of it, or the ids a re-sync names), the intake (upsert, withdraw, list, get) and the
 * bulk insert of tests and benchmarks are statements compiled once and run by the database's driver.
 * The only dialect difference, reading a JSON array as a set or as rows, lives in the statements.
 */
export class SqlExpenseRecordStore implements ExpenseRecordStore {
  private readonly q: ReturnType<typeof compileExpenseRecordStatements>;
  private readonly intake: IntakeStatements;
  private readonly posted: PostedRecords;

  constructor(private readonly driver: Driver) {
    this.q = compileExpenseRecordStatements(driver.dialect);
    this.intake = compileIntakeStatements(driver.dialect);
    this.posted = new PostedRecords(driver, this.intake);
  }

  countPostedBy(syncLogId: string, recordIds?: readonly string[]): Promise<number> {
    return this.posted.count(syncLogId, recordIds);
  }

  streamPostedBy(
    syncLogId: string,
    options: { recordIds?: readonly string[] },
    batchSize: number,
  ): AsyncIterable<ExportRecord[]> {
    return this.posted.stream(syncLogId, options.recordIds, batchSize);
  }

  /** The intake reads a batch of ids from a table that grows under it: those reads are planned per call. */
  private async transaction<T>(program: () => Program<T>): Promise<T> {
    try {
      return await this.driver.transaction(program, { customPlans: true });
    } catch (error) {
      if (error instanceof DomainError || error instanceof UpsertRaced) throw error;
      rethrowAsDomainError(error);
    }
  }

  /**
   * A concurrent writer of the same ids (PostgreSQL; SQLite has one writer) makes the guarded write
   * or the primary key refuse: the batch runs once more and its read then sees the other's rows.
   */
  private async retryOnce<T>(program: () => Program<T>): Promise<T> {
    try {
      return await this.transaction(program);
    } catch (error) {
      if (error instanceof DomainError && error.code !== 'VALIDATION_FAILED') throw error;
      return this.transaction(program);
    }
  }

  async upsert(
    organizationId: string,
    records: readonly unknown[],
    options: { now?: string } = {},
  ): Promise<UpsertResult> {
    const org = requireOrganizationId(organizationId);
    const { good, rejected } = checkBatch(records);
    const now = options.now ?? new Date().toISOString();
    const stored = await this.retryOnce(() => upsertProgram(this.intake, org, good, now));
    return { ...stored, rejected: [...rejected, ...stored.rejected] };
  }

  async withdraw(
    organizationId: string,
    ids: readonly string[],
    options: { now?: string } = {},
  ): Promise<WithdrawResult> {
    const org = requireOrganizationId(organizationId);
    const now = options.now ?? new Date().toISOString();
    return this.retryOnce(() => withdrawProgram(this.intake, org, ids, now));
  }

  async get(organizationId: string | null, id: string): Promise<ExpenseRecordView | null> {
    if ((organizationId !== null && !isUuid(organizationId)) || !isUuid(id)) return null;
    const q = this.intake;
    return this.driver.run(
      (function* (): Program<ExpenseRecordView | null> {
        const row = yield* one(
          organizationId === null ? q.recordByIdAnyOrganization : q.recordById,
          {
            id: id.toLowerCase(),
            ...(organizationId === null ? {} : { organizationId: organizationId.toLowerCase() }),
          },
          intakeRecordRow,
        );
        if (!row) return null;
        const lines = yield* all(q.linesOf, { ids: [row.id] }, intakeLineRow);
        return viewFromRows(row, lines);
      })(),
    );
  }

  async list(
    query: ListExpenseRecordsQuery,
  ): Promise<{ items: ExpenseRecordView[]; nextCursor: string | null }> {
    const organizationId = requireOrganizationId(query.organizationId);
    const limit = query.limit ?? 50;
    const after = query.cursor ? decodeRecordCursor(query.cursor) : null;
    const values = {
      organizationId,
      state: query.state ?? 'any',
      from: query.bookingDateFrom ?? '0000-01-01',
      to: query.bookingDateTo ?? '9999-12-31',
      limit: limit + 1,
      ...(after ? { afterDate: after.bookingDate, afterId: after.id } : {}),
    };
    const q = this.intake;
    return this.driver.run(
      (function* (): Program<{ items: ExpenseRecordView[]; nextCursor: string | null }> {
        const rows = yield* all(after ? q.nextListPage : q.firstListPage, values, intakeRecordRow);
        const page = rows.slice(0, limit);
        const lines =
          page.length > 0
            ? linesByRecord(yield* all(q.linesOf, { ids: page.map((r) => r.id) }, intakeLineRow))
            : new Map();
        const items = page.map((row) => viewFromRows(row, lines.get(row.id) ?? []));
        const last = items[items.length - 1];
        return {
          items,
          nextCursor: rows.length > limit && last ? encodeRecordCursor(last.bookingDate, last.id) : null,
        };
      })(),
    );
  }

  async insertMany(records: readonly NewExpenseRecord[]): Promise<number> {
    let inserted = 0;
    for (let i = 0; i < records.length; i += MAX_UPSERT_RECORDS) {
      const chunk = records.slice(i, i + MAX_UPSERT_RECORDS).map(legacyRows);
      inserted += await this.transaction(() => insertNewProgram(this.intake, chunk));
    }
    return inserted;
  }

  /** The selection's booking dates, read in the organization's time zone. */
  private async windowOf(selection: RecordSelection): Promise<{ from: string; to: string }> {
    const row = await this.driver.run(
      one(this.q.timeZoneOf, { organizationId: selection.organizationId }, timeZoneRow),
    );
    return selectionWindow(selection, row?.time_zone ?? 'UTC');
  }

  async countApproved(selection: RecordSelection): Promise<number> {
    const window = await this.windowOf(selection);
    const ids = selection.recordIds;
    const row = await this.driver.run(
      one(
        ids ? this.q.countIds : this.q.countApproved,
        { organizationId: selection.organizationId, ...window, ...(ids ? { ids: ids.filter(isUuid) } : {}) },
        countRow,
      ),
    );
    return Number(row?.n ?? 0);
  }

  async *streamApproved(selection: RecordSelection, batchSize: number): AsyncIterable<ExportRecord[]> {
    const { from, to } = await this.windowOf(selection);
    const ids = selection.recordIds ? { ids: selection.recordIds.filter(isUuid) } : null;
    const organizationId = selection.organizationId;
    let after: { booking_date: string; id: string } | undefined;
    for (;;) {
      const values = after
        ? { organizationId, afterDate: after.booking_date, afterId: after.id, to, limit: batchSize, ...ids }
        : { organizationId, from, to, limit: batchSize, ...ids };
      const statement = after
        ? ids
          ? this.q.nextIdPage
          : this.q.nextPage
        : ids
          ? this.q.firstIdPage
          : this.q.firstPage;
      const records = exportRecordsOf(await this.driver.run(all(statement, values, exportPageRow)));
      const last = records.at(-1);
      if (!last) return;
      yield records;
      if (records.length < batchSize) return;
      after = { booking_date: last.bookingDate, id: last.id };
    }
  }
}

/** The organization id of a call, canonical; anything else names no organization. */
function requireOrganizationId(organizationId: string): string {
  if (!isUuid(organizationId)) throw organizationNotFound(organizationId);
  return organizationId.toLowerCase();
}
