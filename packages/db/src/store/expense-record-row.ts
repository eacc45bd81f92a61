import { type ExportLine, type ExportRecord, localDate } from '@meander/domain';
import { LINE_COLUMNS, type LineColumnsRow, lineFromRow } from './expense-record-view.js';
import type { RecordSelection } from './port.js';
import { rowOf } from './rows.js';

/** One line of an exportable record as an export page selects it: the record's columns and the line's. */
export interface ExportPageRow extends LineColumnsRow {
  id: string;
  kind: string;
  currency: string;
  booking_date: string;
  description: string | null;
  employee_number: string | null;
  receipt_url: string | null;
  exchange_rate: string | null;
  posting_round: number | string;
}

/** Checks one line of an export page. */
export const exportPageRow = rowOf<ExportPageRow>('export page', {
  id: 'text',
  kind: 'text',
  currency: 'text',
  booking_date: 'text',
  description: 'text?',
  employee_number: 'text?',
  receipt_url: 'text?',
  exchange_rate: 'text?',
  posting_round: 'number',
  ...LINE_COLUMNS,
});

/**
 * A record's first row and its lines (in line order) → the record an adapter posts: every line,
 * the gross total (net + VAT of every line) as `amountMinor` — what the employee is owed and what
 * payload summaries add up —, the first line's account as `account`, and its open posting round.
 */
function exportRecordOf(row: ExportPageRow, lines: ExportLine[]): ExportRecord {
  let gross = 0;
  for (const line of lines) gross += line.amountMinor + line.vatAmountMinor;
  return {
    id: row.id,
    kind: row.kind as ExportRecord['kind'],
    amountMinor: gross,
    currency: row.currency,
    ...(row.exchange_rate !== null ? { exchangeRate: row.exchange_rate } : {}),
    bookingDate: row.booking_date,
    account: row.account,
    ...(row.description ? { description: row.description } : {}),
    ...(row.employee_number ? { employeeNumber: row.employee_number } : {}),
    ...(row.receipt_url ? { receiptUrl: row.receipt_url } : {}),
    lines,
    ...postingRoundField(row.posting_round),
  };
}

/**
 * The record's open posting round as an export record carries it: only from the second round on,
 * so a record never reversed goes out exactly as before rounds existed (absent means round 1).
 */
export function postingRoundField(round: number | string | undefined): { postingRound?: number } {
  const n = Number(round ?? 1);
  return n > 1 ? { postingRound: n } : {};
}

/**
 * An export page's rows (one per line, a record's lines together in line order) → its records. A
 * record has 1–50 lines (migration 0011 and the intake), and the page joins them, so a record
 * without lines never appears.
 */
export function exportRecordsOf(rows: readonly ExportPageRow[]): ExportRecord[] {
  const records: ExportRecord[] = [];
  let i = 0;
  while (i < rows.length) {
    const first = rows[i] as ExportPageRow;
    const lines: ExportLine[] = [];
    for (; i < rows.length && (rows[i] as ExportPageRow).id === first.id; i += 1)
      lines.push(lineFromRow(rows[i] as ExportPageRow));
    records.push(exportRecordOf(first, lines));
  }
  return records;
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
