/**
 * A cell a spreadsheet would run as a formula (`= + - @`, and tab or CR, which some readers strip
 * before looking) gets a leading apostrophe: CSV injection (OWASP) from ledger-provided text such
 * as rejection reasons or references.
 */
function neutralise(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** One RFC 4180 field: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(value: unknown): string {
  const raw = value === null || value === undefined ? '' : String(value);
  // Numbers are data, not formulas: a negative amount keeps its sign.
  const text = typeof value === 'number' ? raw : neutralise(raw);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV document with a header row, CRLF line ends as RFC 4180 asks. */
export function renderCsv(header: string[], rows: unknown[][]): string {
  return `${[header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}
