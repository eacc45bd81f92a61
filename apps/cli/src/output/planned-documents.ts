import type { PlannedDocument, PlannedLine } from '@meander/accounting';
import { decimalToMinor, formatMoney } from './money.js';
import { renderTable } from './table.js';

/** One planned line as `syncs.preview` returns it. */
export type PlannedLineView = PlannedLine;

/** One planned document as `syncs.preview` returns it (without its record ids, which the table does not show). */
export type PlannedDocumentView = Omit<PlannedDocument, 'recordIds'>;

const ACCOUNT_TYPES: Record<NonNullable<PlannedLineView['accountType']>, string> = {
  gl_account: 'G/L',
  employee: 'employee',
  balancing_account: 'balancing',
};

/**
 * The kind of account a line books: what the adapter says, else — adapters that predate the
 * posting model — a G/L account for a record's line and the balancing account for the contra line.
 */
function accountTypeLabel(line: PlannedLineView): string {
  if (line.accountType) return ACCOUNT_TYPES[line.accountType];
  return line.recordId ? ACCOUNT_TYPES.gl_account : ACCOUNT_TYPES.balancing_account;
}

/** Whether a line books the expense side (a G/L line of a record), not the employee or the contra account. */
export function isExpenseLine(line: PlannedLineView): boolean {
  return line.recordId !== undefined && (line.accountType ?? 'gl_account') === 'gl_account';
}

function vatLabel(line: PlannedLineView): string {
  if (!line.vatCategory && !line.vatCode) return '';
  if (line.vatCategory && line.vatCode) return `${line.vatCategory} → ${line.vatCode}`;
  return line.vatCategory ?? line.vatCode ?? '';
}

function dimensionsLabel(line: PlannedLineView): string {
  return Object.entries(line.dimensions ?? {})
    .map(([code, value]) => `${code}=${value}`)
    .join(', ');
}

/**
 * Every planned document line as a table: the document (number, date, `reversal` when it reverses
 * an earlier posting) on its first line, each line's account and its kind (G/L, employee,
 * balancing), amount, VAT category → the ledger's code and the VAT amount, dimensions, and the
 * document's receipt on its first line. Amounts are decimal strings read exactly as minor units.
 */
export function renderPlannedDocuments(documents: readonly PlannedDocumentView[], locale: string): string {
  const money = (amount: string, currency: string) =>
    formatMoney(decimalToMinor(amount, currency), currency, locale);
  return renderTable(
    [
      'document',
      'date',
      'account',
      'type',
      'amount',
      'currency',
      'VAT',
      'VAT amount',
      'dimensions',
      'receipt',
    ],
    documents.flatMap((d) =>
      d.lines.map((line, i) => [
        i === 0 ? `${d.documentNumber}${d.reversal ? ' (reversal)' : ''}` : '',
        i === 0 ? d.postingDate : '',
        line.account,
        accountTypeLabel(line),
        money(line.amount, line.currency),
        line.currency,
        vatLabel(line),
        line.vatAmount !== undefined ? money(line.vatAmount, line.currency) : '',
        dimensionsLabel(line),
        i === 0 ? (d.receiptUrl ?? '') : '',
      ]),
    ),
  );
}
