import type { DimensionKey, ExportRecord, VatCode } from '@meander/domain';
import { convertsSafely, localMinorUnits, minorUnitsToDecimal } from '../../decimal-amount.js';
import { PREFLIGHT_CODES, type RejectedRecord } from '../../port.js';
import { postingSettingsOf } from '../../posting-settings.js';
import type { XledgerConnection } from './xledger-connection.js';

/** Suffix of a record's contra (credit) line's `extIdentifier`. */
const CONTRA_SUFFIX = ':contra';
/** Suffix of the key a reversal posts under: never the key of the posting it reverses. */
const REVERSAL_SUFFIX = ':reversal';

/** Per-record refusals of the posting settings, before anything is sent (catalogue entries of the same names). */
export const XLEDGER_VAT_CATEGORY_UNMAPPED = 'XLEDGER_VAT_CATEGORY_UNMAPPED';
export const XLEDGER_DIMENSION_UNMAPPED = 'XLEDGER_DIMENSION_UNMAPPED';
/** The pre-flight's prediction that Xledger does not know a line's employee, project or GL object value. */
export const XLEDGER_MASTER_DATA_UNKNOWN = 'XLEDGER_MASTER_DATA_UNKNOWN';

/**
 * One GL import item of a voucher: its key is its `extIdentifier` and its `clientId`. Amounts are
 * decimal strings, never floats.
 */
export interface XledgerLine {
  key: string;
  recordId: string;
  contra: boolean;
  account: string;
  /** The line's amount as Xledger books it: VAT included when the line has a tax rule. */
  amount: string;
  currency: string;
  /**
   * A record with its own exchange rate: `amount` (and `taxAmount`) are in this currency, the
   * entity's local one, and `invoiceAmount` is the amount in `currency`, converted at `exchangeRate`.
   */
  amountCurrency?: string;
  invoiceAmount?: string;
  exchangeRate?: string;
  /** Meander's VAT category, the tax rule it maps to and the VAT `amount` includes. */
  vatCategory?: VatCode;
  taxRule?: string;
  taxAmount?: string;
  /** Dimension values by GL import item field (`glObject1`…`glObject5`, `project`). */
  dimensions?: Readonly<Record<string, string>>;
  /** The employee whose sub-ledger the credit line is booked to. */
  subledger?: string;
  /** Text of the item when it is not the record's description (the credit line carries the receipt link). */
  text?: string;
}

/** Separates a record id from its posting round in a key; no record id contains it (RECORD_ID_PATTERN). */
const ROUND_SEPARATOR = '#';

/**
 * The key of a record's posting round: the record id in round 1 (the key every record had before
 * rounds existed, so nothing already booked changes), `<id>#<n>` from round 2 on — a record
 * exported again after its reversal is booked under a key of its own instead of being read back as
 * the voucher that was reversed.
 */
function roundKeyOf(record: Pick<ExportRecord, 'id' | 'postingRound'>): string {
  const round = record.postingRound ?? 1;
  return round > 1 ? `${record.id}${ROUND_SEPARATOR}${round}` : record.id;
}

/**
 * The key a record's voucher is booked and read back under: its round's key, or that key +
 * `:reversal`. Every line key (`<key>:<n>`, `<key>:contra`), document number and invoice number
 * derives from it. The longest key (a 64-character id, round up to 2^53, reversal, contra) stays
 * under 100 characters.
 */
export function voucherKeyOf(record: Pick<ExportRecord, 'id' | 'reversal' | 'postingRound'>): string {
  const base = roundKeyOf(record);
  return record.reversal ? `${base}${REVERSAL_SUFFIX}` : base;
}

/**
 * The voucher a record becomes, or why the organization's posting settings cannot book it.
 *
 * - Each line is one item on its expense account. A line with VAT carries the tax rule its
 *   category maps to (`taxRule { code }`), its amount including the VAT and the VAT as
 *   `taxAmount`: the GL import item has both fields (V: grasp-labs `glImportItems/create`
 *   metadata `taxRule_code`, `taxAmount`; go-xledger `GLImportItemInput` `TaxRule`, `TaxAmount`),
 *   and Xledger's tax rule set-up decides the VAT account (I: no public source says whether
 *   Xledger derives the VAT from the rule or takes `taxAmount`; sending both, with the amount
 *   gross, leaves nothing to derive — the voucher balances on its gross amounts either way).
 * - A ZERO/EXEMPT line with no VAT and no mapping posts without a tax rule; any other unmapped
 *   category, and any dimension whose key is not mapped, refuses the record.
 * - The credit line is the gross total on `contraAccount`; with the record's `employeeNumber` and
 *   `employeeCredit: employee` (the default) it carries the employee as its sub-ledger
 *   (`subledger { code }`, V: grasp-labs create metadata `subledger_code`; employees have a
 *   `subledger_dbId`, grasp-labs `employees/read`).
 * - A receipt link is carried as the credit line's text: the import item's only file fields
 *   (`invoiceFile`, `invoiceFileInput_dbId`) take a file, not a link, and Meander never fetches
 *   the receipt itself.
 * - A record in a foreign currency with its own `exchangeRate` is booked at that rate: each item
 *   carries the amount in the record's currency as `invoiceAmount`, the rate as `exchangeRate` and
 *   the local amount (decimal arithmetic, half away from zero) as `amount` and `taxAmount`; the credit
 *   line is the negated sum of the converted lines, so the voucher balances in the local currency.
 *   V: the GL import item input has `currency`, `amount`, `invoiceAmount` and `exchangeRate`
 *   (grasp-labs `glImportItems/create/metadata.json`; go-xledger `GLImportItem` read fields
 *   `amount`, `invoiceAmount`, `currency`, `exchangeRate`). I: that `amount` is in the entity's
 *   currency and `invoiceAmount` in `currency` — no public source states it. Without its own rate
 *   a record goes as before: `amount` in its currency, Xledger converts.
 * - A reversal negates every amount, under the key of the round it reverses + `:reversal`.
 * - A record without `lines` (written before the intake) is the expense and contra pair of
 *   earlier versions: one line of `amountMinor`, no tax rule.
 */
export function voucherOf(
  record: ExportRecord,
  connection: XledgerConnection,
): { lines: XledgerLine[] } | { refusal: RejectedRecord } {
  const settings = postingSettingsOf(connection);
  const base = voucherKeyOf(record);
  const sign = record.reversal ? -1 : 1;
  const money = (minor: number) => minorUnitsToDecimal(sign * minor, record.currency);
  const local = connection.localCurrency;
  const rate = record.currency === local ? undefined : record.exchangeRate;
  const localMinor = (minor: number) =>
    rate === undefined ? sign * minor : localMinorUnits(sign * minor, record.currency, local, rate);
  if (rate !== undefined && !convertsSafely(record.amountMinor, record.currency, local, rate))
    return {
      refusal: {
        recordId: record.id,
        code: PREFLIGHT_CODES.foreignCurrency,
        category: 'validation',
        retryable: false,
        reason: `The record's ${record.currency} total at the rate ${rate} exceeds the largest amount that can be booked in ${local}`,
      },
    };
  const booked = (minor: number) =>
    rate === undefined ? money(minor) : minorUnitsToDecimal(localMinor(minor), local);
  const converted = (minor: number) =>
    rate === undefined ? {} : { amountCurrency: local, invoiceAmount: money(minor), exchangeRate: rate };
  const lines: XledgerLine[] = [];
  let total = 0;
  let localTotal = 0;
  const source = record.lines ?? [
    { account: record.account, amountMinor: record.amountMinor, vatCode: 'ZERO' as const, vatAmountMinor: 0 },
  ];
  for (const [i, line] of source.entries()) {
    const taxRule = record.lines ? settings.vatCodes[line.vatCode] : undefined;
    const untaxed = line.vatAmountMinor === 0 && (line.vatCode === 'ZERO' || line.vatCode === 'EXEMPT');
    if (record.lines && taxRule === undefined && !untaxed) {
      return refuse(
        record,
        XLEDGER_VAT_CATEGORY_UNMAPPED,
        `Line ${i + 1} has VAT category ${line.vatCode}${line.vatAmountMinor ? ` with VAT ${minorUnitsToDecimal(line.vatAmountMinor, record.currency)}` : ''}, and the connection setting vatCodes maps no Xledger tax rule to ${line.vatCode}`,
      );
    }
    const dimensions: Record<string, string> = {};
    for (const [key, value] of Object.entries(line.dimensions ?? {}) as [DimensionKey, string][]) {
      const field = settings.dimensions[key];
      if (field === undefined) {
        return refuse(
          record,
          XLEDGER_DIMENSION_UNMAPPED,
          `Line ${i + 1} has ${key} ${value}, and the connection setting dimensions maps ${key} to no GL import item field`,
        );
      }
      dimensions[field] = value;
    }
    const gross = line.amountMinor + (taxRule === undefined ? 0 : line.vatAmountMinor);
    total += gross;
    localTotal += localMinor(gross);
    lines.push({
      key: i === 0 ? base : `${base}:${i + 1}`,
      recordId: record.id,
      contra: false,
      account: line.account,
      amount: booked(gross),
      currency: record.currency,
      ...converted(gross),
      ...(record.lines ? { vatCategory: line.vatCode } : {}),
      ...(taxRule === undefined ? {} : { taxRule, taxAmount: booked(line.vatAmountMinor) }),
      ...(Object.keys(dimensions).length ? { dimensions } : {}),
    });
  }
  const employee = settings.employeeCredit === 'employee' ? record.employeeNumber : undefined;
  lines.push({
    key: `${base}${CONTRA_SUFFIX}`,
    recordId: record.id,
    contra: true,
    account: connection.contraAccount,
    amount: rate === undefined ? money(-total) : minorUnitsToDecimal(-localTotal, local),
    currency: record.currency,
    ...converted(-total),
    ...(employee ? { subledger: employee } : {}),
    ...(record.receiptUrl ? { text: record.receiptUrl } : {}),
  });
  return { lines };
}

/** The lines of a record the push already knows the posting settings accept. */
export function linesOf(record: ExportRecord, connection: XledgerConnection): XledgerLine[] {
  const voucher = voucherOf(record, connection);
  if ('refusal' in voucher)
    throw new Error(`record ${record.id} was to be refused: ${voucher.refusal.reason}`);
  return voucher.lines;
}

function refuse(record: ExportRecord, code: string, reason: string): { refusal: RejectedRecord } {
  return { refusal: { recordId: record.id, code, category: 'configuration', retryable: false, reason } };
}
