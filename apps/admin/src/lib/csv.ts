import { renderCsv, SYNC_LOG_CSV_COLUMNS } from '@meander/domain';

/** RFC 4180 CSV (CRLF line ends) of sync logs, in the columns the CLI's `list --csv` writes. */
export function toCsv(rows: readonly Record<string, unknown>[]): string {
  return renderCsv(SYNC_LOG_CSV_COLUMNS, rows);
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
