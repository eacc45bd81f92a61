import { type DimensionKey, type ExportRecord, exportLinesOf, type VatCode } from '@meander/domain';
import type { RejectedRecord } from '../../port.js';
import type { PostingSettings } from '../../posting-settings.js';
import { localAmount } from './dynamics-money.js';

/** Codes of the per-record refusals the posting model finds before anything is sent. */
export const POSTING_MODEL_CODES = {
  /** A line's VAT category has no ledger code in the organization's `vatCodes` and it is needed. */
  vatCategoryUnmapped: 'PREFLIGHT_VAT_CATEGORY_UNMAPPED',
  /** A line carries a value for a dimension key the organization's `dimensions` does not map. */
  dimensionUnmapped: 'PREFLIGHT_DIMENSION_UNMAPPED',
  /** The mapped VAT code is not a VAT Prod. Posting Group of the company. */
  unknownVatCode: 'PREFLIGHT_UNKNOWN_VAT_CODE',
  /** A dimension or dimension value is not in the company. */
  unknownDimensionValue: 'PREFLIGHT_UNKNOWN_DIMENSION_VALUE',
  /** The record's employee is not in the company. */
  unknownEmployee: 'PREFLIGHT_UNKNOWN_EMPLOYEE',
  /** The record's receipt link is not an http(s) URL. */
  receiptUrlInvalid: 'PREFLIGHT_RECEIPT_URL_INVALID',
} as const;

/** One journal line of a record's document: a G/L account line whose balancing side is the credit. */
export interface JournalLinePlan {
  account: string;
  /** Signed decimal string in the local currency, VAT included (the journal line's `amount`). */
  amount: string;
  vatCategory: VatCode;
  /** The VAT Prod. Posting Group sent as `taxCode`; undefined when the line goes without VAT. */
  vatCode: string | undefined;
  /** The record's VAT of the line, signed, in the local currency. */
  vatAmount: string;
  /** Ledger dimension code → dimension value code. */
  dimensions: Record<string, string>;
}

/** The credit side of every line of a document (the journal line's balancing account). */
export interface CreditPlan {
  type: 'Employee' | 'G/L Account' | 'Bank Account';
  number: string;
}

/** A record's document as Business Central receives it. */
export interface DocumentPlan {
  lines: JournalLinePlan[];
  credit: CreditPlan;
  /** The receipt attached to the document's first line: an Internet shortcut holding the link. */
  receipt?: { fileName: string; content: string };
}

/**
 * The receipt as a file Business Central can hold: a Windows Internet shortcut (`.url`) that links
 * to it. The worker never fetches the receipt itself — the URL comes from outside, and fetching it
 * from the worker would let a record make the worker call any address (SSRF) — so what is
 * attached is the link, which the accountant opens from the journal line's or entry's attachments.
 * The URL is normalised by the WHATWG parser, so no line break can reach the file.
 */
function receiptShortcut(url: string): { fileName: string; content: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  return { fileName: 'receipt.url', content: `[InternetShortcut]\r\nURL=${parsed.href}\r\n` };
}

/** What the plan needs from the connection. */
export interface PlanSettings {
  posting: PostingSettings;
  balancing: { type: 'G/L Account' | 'Bank Account'; number: string };
  currency: string;
  rates: Readonly<Record<string, string>> | undefined;
}

/** A category whose VAT is nothing may go without a code: the line posts as before the mapping. */
const NO_VAT_CATEGORIES = new Set<VatCode>(['ZERO', 'EXEMPT']);

/**
 * A record's document: each of its lines one G/L account journal line of the gross amount (net +
 * VAT: the journal line's `amount` includes VAT and Business Central splits the VAT off by the
 * VAT Posting Setup of the line's VAT Bus. × VAT Prod. Posting Group — table 81 "Gen. Journal
 * Line", `Amount` / `VAT Amount`, V), its VAT code as `taxCode` (V: BCApps `APIV2JournalLines.Page.al`,
 * `taxCode` validates into "VAT Prod. Posting Group" when the company uses VAT), and the credit as
 * the line's balancing account — account type Employee with the employee's number, whose posting
 * group decides the payables account (V: table 5200 Employee "Employee Posting Group";
 * GenJnlPostLine `PostEmployee`). The credit rides on each line rather than on a line of its own:
 * `GET journalLines` lists only G/L and bank account lines (V: the page's `OnOpenPage` filter), and
 * the adapter must see every line it created to clear stale ones. A reversal negates every amount.
 * Returns the refusal when the organization's mapping cannot book the record.
 */
export function planDocument(record: ExportRecord, settings: PlanSettings): DocumentPlan | RejectedRecord {
  const { posting } = settings;
  const lines: JournalLinePlan[] = [];
  for (const line of exportLinesOf(record)) {
    const vatCode = posting.vatCodes[line.vatCode];
    if (vatCode === undefined && !(NO_VAT_CATEGORIES.has(line.vatCode) && line.vatAmountMinor === 0)) {
      return configurationRefusal(
        record,
        POSTING_MODEL_CODES.vatCategoryUnmapped,
        `VAT category ${line.vatCode} has no Business Central VAT code: add ${line.vatCode}=<VAT Prod. Posting Group> to vatCodes in the connection settings`,
      );
    }
    const dimensions: Record<string, string> = {};
    for (const [key, value] of Object.entries(line.dimensions ?? {})) {
      if (value === undefined) continue;
      const code = posting.dimensions[key as DimensionKey];
      if (code === undefined) {
        return configurationRefusal(
          record,
          POSTING_MODEL_CODES.dimensionUnmapped,
          `Dimension ${key} (value ${value}) has no Business Central dimension: add ${key}=<Dimension Code> to dimensions in the connection settings`,
        );
      }
      dimensions[code.toUpperCase()] = value.toUpperCase();
    }
    const sign = record.reversal ? -1 : 1;
    const gross = localAmount(
      {
        amountMinor: sign * (line.amountMinor + line.vatAmountMinor),
        currency: record.currency,
        exchangeRate: record.exchangeRate,
      },
      settings.currency,
      settings.rates,
    );
    const vat = localAmount(
      {
        amountMinor: sign * line.vatAmountMinor,
        currency: record.currency,
        exchangeRate: record.exchangeRate,
      },
      settings.currency,
      settings.rates,
    );
    lines.push({
      account: line.account.toUpperCase(),
      amount: gross,
      vatCategory: line.vatCode,
      vatCode: vatCode?.toUpperCase(),
      vatAmount: vat,
      dimensions,
    });
  }
  let receipt: DocumentPlan['receipt'];
  if (record.receiptUrl !== undefined) {
    receipt = receiptShortcut(record.receiptUrl);
    if (receipt === undefined) {
      return {
        recordId: record.id,
        code: POSTING_MODEL_CODES.receiptUrlInvalid,
        category: 'validation',
        retryable: false,
        reason: 'The receipt link is not an http(s) URL',
      };
    }
  }
  const credit: CreditPlan =
    record.employeeNumber !== undefined && posting.employeeCredit === 'employee'
      ? { type: 'Employee', number: record.employeeNumber.toUpperCase() }
      : settings.balancing;
  return { lines, credit, ...(receipt ? { receipt } : {}) };
}

function configurationRefusal(record: ExportRecord, code: string, reason: string): RejectedRecord {
  return { recordId: record.id, code, category: 'configuration', retryable: false, reason };
}

/** Whether a plan is a refusal. */
export function isRefusal(plan: DocumentPlan | RejectedRecord): plan is RejectedRecord {
  return 'recordId' in plan;
}
