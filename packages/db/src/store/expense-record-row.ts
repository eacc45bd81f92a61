import { type ExportRecord, localDate } from '@meander/domain';
import type { RecordSelection } from './port.js';

/** An exportable record as the export pages select it: the record and its single line. */
export interface ExpenseRecordRow {
  id: string;
  kind: string;
  amount_minor: number | string;
  currency: string;
  booking_date: string;
  account: string;
  description: string | null;
}

/** Row → the record an adapter posts. */
export function exportRecordFromRow(row: ExpenseRecordRow): ExportRecord {
  return {
    id: row.id,
    kind: row.kind as ExportRecord['kind'],
    amountMinor: Number(row.amount_minor),
    currency: row.currency,
    bookingDate: row.booking_date,
    account: row.account,
    ...(row.description ? { description: row.description } : {}),
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
