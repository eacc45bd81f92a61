import { type SQL, sql } from 'drizzle-orm';
import { type Program, write } from './driver.js';
import type { Dialect } from './port.js';
import { tablesOf } from './schema-rows.js';
import { compileAll, p } from './statement.js';

/** A JSON array of ids (a placeholder) as a set for `IN (…)`: SQLite binds no arrays. */
export function idSet(dialect: Dialect, name: string): SQL {
  return dialect === 'postgres'
    ? sql`SELECT jsonb_array_elements_text(${p(name)}::jsonb)::uuid`
    : sql`SELECT value FROM json_each(${p(name)})`;
}

/**
 * A stored record's own columns as an `IntakeRecordRow` reads them: the intake's list/get and the
 * reversal's posted-records pages select the same.
 */
export const RECORD_VIEW_COLUMNS = (r: ReturnType<typeof tablesOf>['expenseRecords']) =>
  sql`${r.id} AS id, ${r.organizationId} AS organization_id, ${r.kind} AS kind,
    ${r.currency} AS currency, ${r.bookingDate} AS booking_date, ${r.description} AS description,
    ${r.version} AS version, ${r.employeeNumber} AS employee_number, ${r.receiptUrl} AS receipt_url,
    ${r.exchangeRate} AS exchange_rate, ${r.updatedAt} AS updated_at, ${r.withdrawnAt} AS withdrawn_at,
    ${r.postedBySyncLogId} AS posted_by_sync_log_id, ${r.contentHash} AS content_hash`;

/**
 * The intake's statements (migration 0011), written once over each dialect's tables. What truly
 * differs is isolated in two fragments: a JSON array of ids as a set, and a JSON array of objects as
 * rows (`jsonb_to_recordset` on PostgreSQL, `json_each` on SQLite, which binds no arrays). A whole
 * batch so goes in with one statement per table, whatever its size.
 */
function intakeStatements(dialect: Dialect) {
  const { expenseRecords: r, expenseRecordLines: l } = tablesOf(dialect);
  const pg = dialect === 'postgres';
  const ids = (name: string): SQL => idSet(dialect, name);
  const field = (name: string) => sql.raw(pg ? `x.${name}` : `json_extract(value, '$.${name}')`);
  const recordColumns = [
    ['id', 'uuid'],
    ['organization_id', 'uuid'],
    ['kind', 'text'],
    ['currency', 'text'],
    ['booking_date', 'text'],
    ['approval_state', 'text'],
    ['description', 'text'],
    ['version', 'integer'],
    ['employee_number', 'text'],
    ['receipt_url', 'text'],
    ['exchange_rate', 'text'],
    ['content_hash', 'text'],
    ['updated_at', 'timestamptz'],
  ] as const;
  const lineColumns = [
    ['record_id', 'uuid'],
    ['line_no', 'integer'],
    ['account', 'text'],
    ['amount_minor', 'bigint'],
    ['vat_code', 'text'],
    ['vat_amount_minor', 'bigint'],
    ['department', 'text'],
    ['project', 'text'],
    ['cost_centre', 'text'],
  ] as const;
  const bulkInsert = (table: SQL, columns: readonly (readonly [string, string])[]) => {
    const names = sql.raw(columns.map(([c]) => c).join(', '));
    const values = sql.join(
      columns.map(([c]) => field(c)),
      sql`, `,
    );
    const source = pg
      ? sql`jsonb_to_recordset(${p('rows')}::jsonb) AS x(${sql.raw(columns.map(([c, t]) => `${c} ${t}`).join(', '))})`
      : sql`json_each(${p('rows')})`;
    return sql`INSERT INTO ${table} (${names}) SELECT ${values} FROM ${source}`;
  };
  const rowInsert = (table: SQL, columns: readonly (readonly [string, string])[]) =>
    sql`INSERT INTO ${table} (${sql.raw(columns.map(([c]) => c).join(', '))}) VALUES (${sql.join(
      columns.map(([c]) => p(c)),
      sql`, `,
    )})`;
  const view = RECORD_VIEW_COLUMNS(r);
  const stateIs = sql`(${p('state')} = 'any'
    OR (${p('state')} = 'approved' AND ${r.withdrawnAt} IS NULL AND ${r.postedBySyncLogId} IS NULL)
    OR (${p('state')} = 'withdrawn' AND ${r.withdrawnAt} IS NOT NULL)
    OR (${p('state')} = 'posted' AND ${r.postedBySyncLogId} IS NOT NULL))`;
  const listPage = (after: SQL) => sql`SELECT ${view} FROM ${r}
    WHERE ${r.organizationId} = ${p('organizationId')} AND ${r.approvalState} = 'approved' AND ${stateIs}
      AND ${r.bookingDate} >= ${p('from')} AND ${r.bookingDate} <= ${p('to')} AND ${after}
    ORDER BY ${r.bookingDate}, ${r.id} LIMIT ${p('limit')}`;
  return {
    organizationExists: sql`SELECT 1 AS ok FROM ${tablesOf(dialect).organizations} WHERE id = ${p('organizationId')}`,
    existing: sql`SELECT ${r.id} AS id, ${r.organizationId} AS organization_id, ${r.version} AS version,
      ${r.contentHash} AS content_hash, ${r.postedBySyncLogId} AS posted_by_sync_log_id,
      ${r.withdrawnAt} AS withdrawn_at, ${r.approvalState} AS approval_state
      FROM ${r} WHERE ${r.id} IN (${ids('ids')})`,
    insertRecords: bulkInsert(sql`${r}`, recordColumns),
    insertLines: bulkInsert(sql`${l}`, lineColumns),
    insertRecordRow: rowInsert(sql`${r}`, recordColumns),
    insertLineRow: rowInsert(sql`${l}`, lineColumns),
    updateRecord: sql`UPDATE ${r} SET kind = ${p('kind')}, currency = ${p('currency')},
      booking_date = ${p('bookingDate')}, approval_state = 'approved', description = ${p('description')},
      version = ${p('version')}, employee_number = ${p('employeeNumber')}, receipt_url = ${p('receiptUrl')},
      exchange_rate = ${p('exchangeRate')}, content_hash = ${p('contentHash')}, updated_at = ${p('updatedAt')},
      withdrawn_at = NULL
      WHERE id = ${p('id')} AND version = ${p('previousVersion')} AND posted_by_sync_log_id IS NULL`,
    deleteLines: sql`DELETE FROM ${l} WHERE record_id = ${p('id')}`,
    withdraw: sql`UPDATE ${r} SET withdrawn_at = ${p('now')}
      WHERE id = ${p('id')} AND posted_by_sync_log_id IS NULL AND withdrawn_at IS NULL`,
    recordById: sql`SELECT ${view} FROM ${r} WHERE ${r.id} = ${p('id')} AND ${r.organizationId} = ${p('organizationId')}
      AND ${r.approvalState} = 'approved'`,
    recordByIdAnyOrganization: sql`SELECT ${view} FROM ${r} WHERE ${r.id} = ${p('id')} AND ${r.approvalState} = 'approved'`,
    linesOf: sql`SELECT ${l.recordId} AS record_id, ${l.lineNo} AS line_no, ${l.account} AS account,
      ${l.amountMinor} AS amount_minor, ${l.vatCode} AS vat_code, ${l.vatAmountMinor} AS vat_amount_minor,
      ${l.department} AS department, ${l.project} AS project, ${l.costCentre} AS cost_centre
      FROM ${l} WHERE ${l.recordId} IN (${ids('ids')}) ORDER BY ${l.recordId}, ${l.lineNo}`,
    firstListPage: listPage(sql`1 = 1`),
    nextListPage: listPage(sql`(${r.bookingDate}, ${r.id}) > (${p('afterDate')}, ${p('afterId')})`),
    /**
     * What a success or partial sync posted, marked in its completing transaction: the approved,
     * not withdrawn records of its period (or its re-sync's ids) that the ledger did not refuse and that
     * did not change after the sync started (a record upserted meanwhile may have gone out in either
     * version, so it stays open).
     */
    markPosted: sql`UPDATE ${r} SET posted_by_sync_log_id = ${p('syncLogId')}
      WHERE organization_id = ${p('organizationId')} AND approval_state = 'approved'
        AND withdrawn_at IS NULL AND posted_by_sync_log_id IS NULL
        AND booking_date >= ${p('from')} AND booking_date <= ${p('to')} AND updated_at <= ${p('startedAt')}
        AND (${p('onlyIds')} = 0 OR id IN (${ids('ids')}))
        AND id NOT IN (${ids('failedIds')})`,
  } satisfies Record<string, SQL>;
}

/** The intake statements compiled for one dialect. */
export function compileIntakeStatements(dialect: Dialect) {
  // SQLite runs in-process: a prepared insert per row costs no round trip and beats decoding a JSON
  // document column by column; PostgreSQL pays a round trip per statement, so a batch is one insert.
  return { ...compileAll(dialect, intakeStatements(dialect)), rowAtATime: dialect === 'sqlite' };
}

/** Insert rows into the records or lines table: one statement per batch, or per row on SQLite. */
export function* insertRows(
  q: IntakeStatements,
  table: 'records' | 'lines',
  rows: readonly Record<string, unknown>[],
): Program<void> {
  if (rows.length === 0) return;
  if (!q.rowAtATime) {
    yield* write(table === 'records' ? q.insertRecords : q.insertLines, { rows });
    return;
  }
  const statement = table === 'records' ? q.insertRecordRow : q.insertLineRow;
  for (const row of rows) yield* write(statement, row);
}
/** The compiled intake statements. */
export type IntakeStatements = ReturnType<typeof compileIntakeStatements>;
