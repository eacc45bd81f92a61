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

/**
 * Fetch a file the API serves behind the bearer token (a plain link cannot send the header) and
 * offer it under the name the API gives; a refusal becomes an error with the API's sentence.
 */
export async function downloadWithToken(path: string, token: string): Promise<void> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { message?: string } | null;
    throw new Error(body?.message ?? `The download failed (HTTP ${response.status})`);
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1];
  const type = response.headers.get('content-type') ?? 'application/octet-stream';
  download(name ?? (path.split('/').pop() || 'download'), await response.text(), type);
}
