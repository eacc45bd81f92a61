import { SYNC_LOG_FIELDS } from './sync-log.js';

type SyncLogField = (typeof SYNC_LOG_FIELDS)[number];

/**
 * The one CSV writer of the product (API downloads, `meander-sync … --csv`, the console): RFC 4180
 * fields with CRLF line ends, and the CSV-injection guard (OWASP) on every text cell.
 */

/** The spec's fields a history download carries: all but the two JSON documents, in the spec's order. */
export type SyncLogCsvColumn = Exclude<SyncLogField, 'payloadSummary' | 'errorDetails'>;

/** The columns of a sync-log history download, the same in the console and the CLI. */
export const SYNC_LOG_CSV_COLUMNS: readonly SyncLogCsvColumn[] = SYNC_LOG_FIELDS.filter(
  (field): field is SyncLogCsvColumn => field !== 'payloadSummary' && field !== 'errorDetails',
);

/**
 * Characters that make a spreadsheet treat a cell as a formula or a DDE call when they lead it:
 * `= + - @ |` and their fullwidth forms (`＝ ＋ － ＠ ｜`, which some spreadsheets fold to ASCII).
 */
const FORMULA_LEAD = /^[=+\-@|\uFF1D\uFF0B\uFF0D\uFF20\uFF5C]/u;
/** A plain number as we write amounts and counts: data, never a formula, so its sign stays. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * A cell's text made safe for a spreadsheet: a text whose first visible character starts a
 * formula (white space or a tab before it does not hide it), or that starts with a tab or
 * carriage return, gets a leading `'`. Plain numbers and `null` pass as they are.
 */
export function neutraliseCsvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (typeof value === 'number' || PLAIN_NUMBER.test(text)) return text;
  // NFKC folds every compatibility form of a formula character (fullwidth `＝`, small `﹦`, …) to ASCII.
  if (/^[\t\r]/.test(text) || FORMULA_LEAD.test(text.trimStart().normalize('NFKC'))) return `'${text}`;
  return text;
}

/** One RFC 4180 field, guarded: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(value: unknown): string {
  const text = neutraliseCsvCell(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line (no line end). */
function csvLine(values: readonly unknown[]): string {
  return values.map(csvField).join(',');
}

/** A CSV document: header row, then one row per item, CRLF line ends (RFC 4180). */
export function renderCsv<const C extends string>(
  columns: readonly C[],
  rows: readonly Partial<Record<C, unknown>>[],
): string {
  return `${[csvLine(columns), ...rows.map((row) => csvRow(columns, row))].join('\r\n')}\r\n`;
}

/**
 * The same document for streaming, one line (with its line end) at a time as the rows arrive, so a
 * download of any size holds one row in memory. `lineEnd` is there for a format already published
 * with `\n` (the rejections CSV): its bytes stay what they were.
 */
export async function* csvLines<const C extends string>(
  columns: readonly C[],
  rows: AsyncIterable<Partial<Record<C, unknown>>> | Iterable<Partial<Record<C, unknown>>>,
  lineEnd: '\r\n' | '\n' = '\r\n',
): AsyncGenerator<string> {
  yield `${csvLine(columns)}${lineEnd}`;
  for await (const row of rows) yield `${csvRow(columns, row)}${lineEnd}`;
}

function csvRow<C extends string>(columns: readonly C[], row: Partial<Record<C, unknown>>): string {
  return csvLine(columns.map((c) => row[c]));
}
