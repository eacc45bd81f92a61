import { type ExportLine, type ExportRecord, localDate } from '@meander/domain';
import type { IntakeLineRow } from './expense-record-view.js';
import type { RecordSelection } from './port.js';

/** An exportable record as the export pages select it (its lines come from a second read). */
export interface ExpenseRecordRow {
  id: string;
  kind: string;
  currency: string;
  booking_date: string;
  description: string | null;
  employee_number: string | null;
  receipt_url: string | null;
}

function exportLineFromRow(row: IntakeLineRow): ExportLine {
  const dimensions = {
    ...(row.department !== null ? { department: row.department } : {}),
    ...(row.project !== null ? { project: row.project } : {}),
    ...(row.cost_centre !== null ? { costCentre: row.cost_centre } : {}),
  };
  return {
    account: row.account,
    amountMinor: Number(row.amount_minor),
    vatCode: row.vat_code as ExportLine['vatCode'],
    vatAmountMinor: Number(row.vat_amount_minor),
    ...(Object.keys(dimensions).length > 0 ? { dimensions } : {}),
  };
}

/**
 * A record row and its lines (in line order) → the record an adapter posts: every line, the gross
 * total (net + VAT of every line) as `amountMinor` — what the employee is owed and what payload
 * summaries add up — and the first line's account as `account`.
 */
export function exportRecordFromRows(
  row: ExpenseRecordRow,
  lineRows: readonly IntakeLineRow[],
): ExportRecord {
  const lines = lineRows.map(exportLineFromRow);
  const [first] = lines;
  // Every stored record has 1–50 lines (migration 0011 and the intake): a record without one is a
  // broken invariant, never something to post as zero.
  if (!first) throw new Error(`Expense record ${row.id} has no lines`);
  let gross = 0;
  for (const line of lines) gross += line.amountMinor + line.vatAmountMinor;
  return {
    id: row.id,
    kind: row.kind as ExportRecord['kind'],
    amountMinor: gross,
    currency: row.currency,
    bookingDate: row.booking_date,
    account: first.account,
    ...(row.description ? { description: row.description } : {}),
    ...(row.employee_number ? { employeeNumber: row.employee_number } : {}),
    ...(row.receipt_url ? { receiptUrl: row.receipt_url } : {}),
    lines,
  };
}

/**
 * Booking dates are calendar dates of the organization; a sync period is a pair of instants. A
 * record belongs to the period when its booking date lies between the dates of the period's ends in
 * the organization's time zone (both inclusive): Oslo's November, 2026-10-31T23:00Z onwards, starts
 * on 1 November, not on 31 October.
 */
export function selectionWindow(selection: RecordSelection, timeZone = 'UTC'): { from: string; to: string } {
  return { from: localDate(selection.periodStart, timeZone), to: localDate(selection.periodEnd, timeZone) };
}
