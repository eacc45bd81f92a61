import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { RejectedItem } from './rows.js';

/** The CSV's columns, in order. */
export const REJECTION_CSV_COLUMNS = [
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
 * A cell a spreadsheet would run as a formula (leading `=`, `+`, `-`, `@`, tab or carriage return)
 * is prefixed with `'` so it shows as text (OWASP "CSV injection"). Amounts are written by us as
 * plain decimals, and a negative amount is data, not a formula: it is the one column left as is.
 */
export function neutralise(value: unknown, column: string): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  if (column === 'amount' && /^-?\d+\.\d+$/.test(text)) return text;
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** Stream rows as CSV (header first), one row in memory at a time, back-pressure honoured. */
export function rejectionsCsv(rows: AsyncIterable<RejectedItem>): Readable {
  const csv = stringify({ header: true, columns: [...REJECTION_CSV_COLUMNS] });
  const source = Readable.from(
    (async function* () {
      for await (const row of rows) {
        const out: Record<string, string> = {};
        for (const column of REJECTION_CSV_COLUMNS) out[column] = neutralise(row[column], column);
        yield out;
      }
    })(),
  );
  source.on('error', (error) => csv.destroy(error));
  return source.pipe(csv);
}
