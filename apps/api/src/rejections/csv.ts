import { Readable } from 'node:stream';
import { csvLines } from '@meander/domain';
import type { RejectedItem } from './rows.js';

/** The CSV's columns, in order. */
const REJECTION_CSV_COLUMNS = [
  'recordId',
  'bookingDate',
  'amount',
  'currency',
  'account',
  'description',
  'category',
  'code',
  'message',
  'fix',
  'retryable',
  'vendorCode',
  'vendorReason',
] as const satisfies readonly (keyof RejectedItem)[];

/**
 * Stream rows as CSV (header first) through the domain's one writer, one row in memory at a time,
 * back-pressure honoured. Lines end in `\n`, as this download always has.
 */
export function rejectionsCsv(rows: AsyncIterable<RejectedItem>): Readable {
  // Not object mode: each line goes out as UTF-8 bytes, what an HTTP body takes.
  return Readable.from(csvLines(REJECTION_CSV_COLUMNS, rows, '\n'), { objectMode: false });
}
