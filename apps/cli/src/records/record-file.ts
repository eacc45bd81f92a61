import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ExpenseRecordIssue } from '@meander/domain';
import { CsvRecordGroup, opensQuote, parseCsvRow, readHeader, rowParts } from './csv-records.js';

/** One candidate record of a file: where it starts, and the value (or why it could not be read). */
export type FileRecord =
  | { line: number; value: unknown; issues?: undefined }
  | { line: number; value?: undefined; id: string | null; issues: ExpenseRecordIssue[] };

/** The formats `records import` reads, by file extension. */
export function formatOf(path: string): 'jsonl' | 'csv' | null {
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  if (/\.csv$/i.test(path)) return 'csv';
  return null;
}

/** Physical lines with their 1-based numbers and the bytes read so far (for the progress bar). */
async function* numberedLines(path: string): AsyncGenerator<{ text: string; line: number; bytes: number }> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    yield { text, line, bytes: stream.bytesRead };
  }
}

/** JSON Lines: one record per non-empty line. A line that is not JSON is refused on its own. */
async function* jsonlRecords(path: string, progress: (bytes: number) => void): AsyncGenerator<FileRecord> {
  for await (const { text, line, bytes } of numberedLines(path)) {
    progress(bytes);
    if (text.trim() === '') continue;
    try {
      yield { line, value: JSON.parse(text) as unknown };
    } catch (error) {
      yield {
        line,
        id: null,
        issues: [{ rule: 'RECORD_SHAPE', path: [], message: `not JSON: ${(error as Error).message}` }],
      };
    }
  }
}

/** CSV: one row per line of a record, consecutive rows of the same id making one record. */
async function* csvRecords(path: string, progress: (bytes: number) => void): AsyncGenerator<FileRecord> {
  let columns: Map<string, number> | null = null;
  let group: CsvRecordGroup | null = null;
  let pending: { text: string; line: number } | null = null;
  const finish = (g: CsvRecordGroup): FileRecord =>
    g.issues.length > 0
      ? { line: g.firstLine, id: typeof g.record.id === 'string' ? g.record.id : null, issues: g.issues }
      : { line: g.firstLine, value: g.candidate() };
  for await (const { text, line, bytes } of numberedLines(path)) {
    progress(bytes);
    // A quoted field may hold a line break: the row goes on until its quotes close.
    const row: { text: string; line: number } = pending
      ? { text: `${pending.text}\n${text}`, line: pending.line }
      : { text, line };
    if (opensQuote(row.text)) {
      pending = row;
      continue;
    }
    pending = null;
    if (row.text.trim() === '') continue;
    const fields = parseCsvRow(row.text);
    if (!columns) {
      columns = readHeader(fields);
      continue;
    }
    const parts = rowParts(columns, fields);
    if (group && parts.record.id !== undefined && parts.record.id === group.record.id) {
      group.add(parts, row.line);
      continue;
    }
    if (group) yield finish(group);
    group = new CsvRecordGroup(row.line, parts.record);
    group.add(parts, row.line);
  }
  if (group) yield finish(group);
}

/** The candidate records of a file, streamed (a file of any size is read in bounded memory). */
export function recordsOf(path: string, format: 'jsonl' | 'csv', progress: (bytes: number) => void) {
  return format === 'jsonl' ? jsonlRecords(path, progress) : csvRecords(path, progress);
}
