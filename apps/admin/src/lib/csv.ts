/** The history columns of a CSV download, in the order the CLI's `list --csv` writes them. */
export const CSV_COLUMNS = [
  'id',
  'organizationId',
  'accountingSystem',
  'syncType',
  'status',
  'triggeredBy',
  'periodStart',
  'periodEnd',
  'recordsTotal',
  'recordsSynced',
  'recordsFailed',
  'externalReferenceId',
  'startedAt',
  'completedAt',
  'createdAt',
] as const;

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  // Spreadsheet apps run cells starting with = + - @ as formulas: prefix them (OWASP CSV injection).
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** RFC 4180 CSV (CRLF line ends) of sync logs. */
export function toCsv(rows: readonly Record<string, unknown>[]): string {
  const lines = [CSV_COLUMNS.join(','), ...rows.map((row) => CSV_COLUMNS.map((c) => cell(row[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** Offer `content` as a file download. */
export function download(filename: string, content: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
