import { Readable } from 'node:stream';
import { neutraliseCsvCell } from '@meander/domain';
import { stringify } from 'csv-stringify';
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

/** Stream rows as CSV (header first), one row in memory at a time, back-pressure honoured. */
export function rejectionsCsv(rows: AsyncIterable<RejectedItem>): Readable {
  const csv = stringify({ header: true, columns: [...REJECTION_CSV_COLUMNS] });
  const source = Readable.from(
    (async function* () {
      for await (const row of rows) {
        const out: Record<string, string> = {};
        for (const column of REJECTION_CSV_COLUMNS) out[column] = neutraliseCsvCell(row[column]);
        yield out;
      }
    })(),
  );
  source.on('error', (error) => csv.destroy(error));
  return source.pipe(csv);
}
