import type { ExpenseRecordIssue } from '@meander/domain';

/** A record's own fields: repeated on each of its rows. */
const RECORD_FIELDS = [
  'id',
  'version',
  'kind',
  'employeeNumber',
  'bookingDate',
  'currency',
  'exchangeRate',
  'description',
  'receiptUrl',
] as const;
/** A line's own fields, then the dimensions a line may carry. */
const LINE_FIELDS = ['account', 'amountMinor', 'vatCode', 'vatAmountMinor'] as const;
const DIMENSION_FIELDS = ['department', 'project', 'costCentre'] as const;
const OPTIONAL = new Set<string>(['exchangeRate', 'description', 'receiptUrl', ...DIMENSION_FIELDS]);

/**
 * The CSV layout of `records import`: a header row naming these columns (any order; optional ones
 * may be left out), then one row per line of a record. The rows of one record are consecutive and
 * share its `id`; the record's own fields (id … receiptUrl) are repeated on each of its rows and must
 * agree. Amounts are integers in minor units. An empty cell is an absent optional field.
 */
export const RECORD_CSV_COLUMNS = [...RECORD_FIELDS, ...LINE_FIELDS, ...DIMENSION_FIELDS] as const;
const REQUIRED = RECORD_CSV_COLUMNS.filter((column) => !OPTIONAL.has(column));
const INTEGER_FIELDS = new Set(['version', 'amountMinor', 'vatAmountMinor']);

/** Split one logical CSV row (RFC 4180: quoted fields, doubled quotes) into its fields. */
export function parseCsvRow(row: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < row.length; i += 1) {
    const c = row[i];
    if (quoted) {
      if (c === '"' && row[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** Whether a physical line leaves a quoted field open (the row continues on the next line). */
export function opensQuote(text: string): boolean {
  let open = false;
  for (const c of text) if (c === '"') open = !open;
  return open;
}

/** The header's column positions, or why the header is not the layout's. */
export function readHeader(fields: string[]): Map<string, number> {
  const known = new Set<string>(RECORD_CSV_COLUMNS);
  const unknown = fields.filter((f) => !known.has(f.trim()));
  if (unknown.length > 0)
    throw new Error(`unknown CSV column(s): ${unknown.join(', ')} (see records import --help)`);
  const columns = new Map(fields.map((f, i) => [f.trim(), i]));
  const missing = REQUIRED.filter((c) => !columns.has(c));
  if (missing.length > 0) throw new Error(`the CSV header lacks ${missing.join(', ')}`);
  return columns;
}

/** A cell as the record field takes it: an integer column's digits as a number, anything else as text. */
function cell(columns: Map<string, number>, fields: string[], name: string): unknown {
  const index = columns.get(name);
  const raw = index === undefined ? '' : (fields[index] ?? '');
  if (raw === '') return undefined;
  return INTEGER_FIELDS.has(name) && /^-?\d+$/.test(raw) ? Number(raw) : raw;
}

const defined = (entries: [string, unknown][]) =>
  Object.fromEntries(entries.filter(([, v]) => v !== undefined));

/** One CSV row's record fields and its line. */
export function rowParts(columns: Map<string, number>, fields: string[]) {
  const cells = (names: readonly string[]) =>
    names.map((name): [string, unknown] => [name, cell(columns, fields, name)]);
  const record = defined(cells(RECORD_FIELDS));
  const dimensions = defined(cells(DIMENSION_FIELDS));
  const line = defined([
    ...cells(LINE_FIELDS),
    ['dimensions', Object.keys(dimensions).length > 0 ? dimensions : undefined],
  ]);
  return { record, line };
}

/** The rows of one record, as they are grouped into one candidate record. */
export class CsvRecordGroup {
  readonly lines: Record<string, unknown>[] = [];
  readonly issues: ExpenseRecordIssue[] = [];
  constructor(
    readonly firstLine: number,
    readonly record: Record<string, unknown>,
  ) {}

  /** Add a row of the same id; its record fields must agree with the first row's. */
  add(parts: ReturnType<typeof rowParts>, lineNumber: number): void {
    for (const name of RECORD_FIELDS)
      if (parts.record[name] !== this.record[name] && this.issues.length === 0)
        this.issues.push({
          rule: 'RECORD_SHAPE',
          path: [name],
          message: `line ${lineNumber} gives ${name} another value than line ${this.firstLine} of the same record`,
        });
    this.lines.push(parts.line);
  }

  candidate(): unknown {
    return { ...this.record, lines: this.lines };
  }
}
