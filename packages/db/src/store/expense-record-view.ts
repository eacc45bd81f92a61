import type {
  ExpenseLineInput,
  ExpenseRecordInput,
  ExpenseRecordState,
  ExportLine,
  ExportRecordKind,
  IsoDateTime,
} from '@meander/domain';
import { rowOf } from './rows.js';

/** A stored expense record as `expenseRecords.list` / `get` return it. */
export interface ExpenseRecordView extends ExpenseRecordInput {
  organizationId: string;
  state: ExpenseRecordState;
  postedBySyncLogId: string | null;
  withdrawnAt: IsoDateTime | null;
  updatedAt: IsoDateTime;
}

/** An expense_records row as the intake statements select it. */
export interface IntakeRecordRow {
  id: string;
  organization_id: string;
  kind: string;
  currency: string;
  booking_date: string;
  description: string | null;
  version: number | string;
  employee_number: string;
  receipt_url: string | null;
  exchange_rate: string | null;
  updated_at: string | Date;
  withdrawn_at: string | Date | null;
  posted_by_sync_log_id: string | null;
  content_hash: string;
  /** Selected where the posting round matters (the reversal's stream). */
  posting_round?: number | string;
}

const recordColumns = {
  id: 'text',
  organization_id: 'text',
  kind: 'text',
  currency: 'text',
  booking_date: 'text',
  description: 'text?',
  version: 'number',
  employee_number: 'text',
  receipt_url: 'text?',
  exchange_rate: 'text?',
  updated_at: 'time',
  withdrawn_at: 'time?',
  posted_by_sync_log_id: 'text?',
  content_hash: 'text',
} as const;

/** Checks an expense_records row as the intake statements select it. */
export const intakeRecordRow = rowOf<IntakeRecordRow>('expense record', {
  ...recordColumns,
  posting_round: 'skip',
});

/** Checks a row of the records a sync posted (with their posting round). */
export const postedRecordRow = rowOf<IntakeRecordRow>('posted expense record', {
  ...recordColumns,
  posting_round: 'number',
});

/** A line's columns, as the intake's and the export's statements select them. */
export interface LineColumnsRow {
  line_no: number | string;
  account: string;
  amount_minor: number | string;
  vat_code: string;
  vat_amount_minor: number | string;
  department: string | null;
  project: string | null;
  cost_centre: string | null;
}

/** An expense_record_lines row. */
export interface IntakeLineRow extends LineColumnsRow {
  record_id: string;
}

/** A line's columns, as the intake's and the export's statements select them. */
export const LINE_COLUMNS = {
  line_no: 'number',
  account: 'text',
  amount_minor: 'number',
  vat_code: 'text',
  vat_amount_minor: 'number',
  department: 'text?',
  project: 'text?',
  cost_centre: 'text?',
} as const;

/** Checks an expense_record_lines row. */
export const intakeLineRow = rowOf<IntakeLineRow>('expense record line', {
  record_id: 'text',
  ...LINE_COLUMNS,
});

const iso = (value: string | Date): IsoDateTime => new Date(value).toISOString() as IsoDateTime;

/** A line's columns → the line, as the intake and the export both read it. */
export function lineFromRow(row: LineColumnsRow): ExpenseLineInput & ExportLine {
  const dimensions = {
    ...(row.department !== null ? { department: row.department } : {}),
    ...(row.project !== null ? { project: row.project } : {}),
    ...(row.cost_centre !== null ? { costCentre: row.cost_centre } : {}),
  };
  return {
    account: row.account,
    amountMinor: Number(row.amount_minor),
    vatCode: row.vat_code as ExpenseLineInput['vatCode'] & ExportLine['vatCode'],
    vatAmountMinor: Number(row.vat_amount_minor),
    ...(Object.keys(dimensions).length > 0 ? { dimensions } : {}),
  };
}

/** A record row and its lines (in line order) → the view. */
export function viewFromRows(row: IntakeRecordRow, lines: readonly IntakeLineRow[]): ExpenseRecordView {
  const state: ExpenseRecordState =
    row.posted_by_sync_log_id !== null ? 'posted' : row.withdrawn_at !== null ? 'withdrawn' : 'approved';
  return {
    id: row.id,
    version: Number(row.version),
    kind: row.kind as ExportRecordKind,
    employeeNumber: row.employee_number,
    bookingDate: row.booking_date,
    currency: row.currency,
    ...(row.exchange_rate !== null ? { exchangeRate: row.exchange_rate } : {}),
    ...(row.description !== null ? { description: row.description } : {}),
    ...(row.receipt_url !== null ? { receiptUrl: row.receipt_url } : {}),
    lines: lines.map(lineFromRow),
    organizationId: row.organization_id,
    state,
    postedBySyncLogId: row.posted_by_sync_log_id,
    withdrawnAt: row.withdrawn_at === null ? null : iso(row.withdrawn_at),
    updatedAt: iso(row.updated_at),
  };
}

/** Lines grouped by record id, keeping their order. */
export function linesByRecord(rows: readonly IntakeLineRow[]): Map<string, IntakeLineRow[]> {
  const out = new Map<string, IntakeLineRow[]>();
  for (const row of rows) {
    const list = out.get(row.record_id);
    if (list) list.push(row);
    else out.set(row.record_id, [row]);
  }
  return out;
}
