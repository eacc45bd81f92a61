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
