import { regexes, z } from 'zod';
import { exchangeRateSchema } from './exchange-rate.js';
import { CURRENCY_PATTERN, RECORD_ID_MAX_LENGTH, RECORD_ID_PATTERN } from './field-patterns.js';
import { currencySchema, recordIdSchema } from './payload-summary.js';

/** Kinds of records Meander exports. */
export const EXPORT_RECORD_KINDS = ['expense_claim', 'reimbursement'] as const;
/** Kind of an exported record. */
export type ExportRecordKind = (typeof EXPORT_RECORD_KINDS)[number];

const ACCOUNT_MAX = 40;
const DESCRIPTION_MAX = 500;
/** Code[20] in Business Central (employee No., dimension value code). */
const CODE_MAX = 20;
const RECEIPT_URL_MAX = 2_048;

/** Meander's VAT categories; each organization maps them to its ledger's own codes. */
export const VAT_CODES = ['HIGH', 'MEDIUM', 'LOW', 'ZERO', 'EXEMPT'] as const;
/** A Meander VAT category. */
export type VatCode = (typeof VAT_CODES)[number];

/** The dimensions a line may carry (Meander's keys; each organization maps them to ledger dimensions). */
export const DIMENSION_KEYS = ['department', 'project', 'costCentre'] as const;
/** A Meander dimension key. */
export type DimensionKey = (typeof DIMENSION_KEYS)[number];

/** Lines one record carries at most. */
export const MAX_EXPORT_RECORD_LINES = 50;

const safeMinor = (min: number) =>
  z.number().int().min(min).refine(Number.isSafeInteger, 'Amount exceeds the safe integer range');

/**
 * One line of a record as an adapter posts it: the net amount on one expense account, its VAT
 * category and VAT amount (integer minor units of the record's currency), and its dimension values.
 */
const exportLineSchema = z.strictObject({
  account: z.string().min(1).max(ACCOUNT_MAX),
  amountMinor: safeMinor(1),
  vatCode: z.enum(VAT_CODES),
  vatAmountMinor: safeMinor(0),
  dimensions: z
    .strictObject({
      department: z.string().min(1).max(CODE_MAX).optional(),
      project: z.string().min(1).max(CODE_MAX).optional(),
      costCentre: z.string().min(1).max(CODE_MAX).optional(),
    })
    .optional(),
});
/** One line of an exported record (net amount, VAT, dimensions). */
export type ExportLine = z.infer<typeof exportLineSchema>;

/**
 * One approved expense claim or reimbursement as an adapter posts it. `amountMinor` is an integer
 * in minor units (never a float). `description` may hold personal data: it goes to the customer's
 * own ledger and never into a payload summary or a log line.
 */
export const exportRecordSchema = z.strictObject({
  id: recordIdSchema,
  kind: z.enum(EXPORT_RECORD_KINDS),
  amountMinor: z.number().int().refine(Number.isSafeInteger, 'Amount exceeds the safe integer range'),
  currency: currencySchema,
  /**
   * The record's own rate to the company's local currency: local units per one unit of
   * `currency`, a decimal string ("11.4835"; never a number). Ledgers that take a rate book at it.
   */
  exchangeRate: exchangeRateSchema.optional(),
  bookingDate: z.iso.date(),
  account: z.string().min(1).max(ACCOUNT_MAX),
  description: z.string().max(DESCRIPTION_MAX).optional(),
  /** The employee the company owes (the credit side), by their number in the ledger. Personal data. */
  employeeNumber: z.string().min(1).max(CODE_MAX).optional(),
  /** The receipt to attach to the posting (https). */
  receiptUrl: z.string().min(1).max(RECEIPT_URL_MAX).optional(),
  /**
   * The record's lines. When present, `amountMinor` is their gross total (net + VAT) and `account`
   * the first line's account; when absent the record is one line of `amountMinor` on `account`
   * without VAT (records written before the intake, and tests): see {@link exportLinesOf}.
   */
  lines: z.array(exportLineSchema).min(1).max(MAX_EXPORT_RECORD_LINES).optional(),
  /**
   * This posting reverses the record's earlier posting: every amount negated, booked under the
   * record's reversal key (never the key of the posting it reverses), with the same exactly-once
   * read-back as any posting.
   */
  reversal: z.literal(true).optional(),
  /**
   * Which posting of the record this is: 1 (also when absent) until a reversal releases the record,
   * then one more each time. Adapters key a round's posting (and its reversal) by record id and round,
   * so a record exported again after its reversal is posted anew instead of being read back as the
   * posting that was reversed. Round 1 keeps the keys the record had before rounds existed.
   */
  postingRound: z
    .number()
    .int()
    .min(1)
    .refine(Number.isSafeInteger, 'Round exceeds the safe integer range')
    .optional(),
});
/** One approved expense claim or reimbursement as an adapter posts it. */
export type ExportRecord = z.infer<typeof exportRecordSchema>;

const KINDS = new Set<unknown>(EXPORT_RECORD_KINDS);
const ISO_DATE = regexes.date;
const REQUIRED_KEYS = 6;
const VAT = new Set<unknown>(VAT_CODES);

const DIMENSION_KEY_SET = new Set<string>(DIMENSION_KEYS);

/** Whether `dimensions` is plainly a line's dimension values: known keys, codes of 1–20 characters. */
function plainDimensions(dimensions: unknown): boolean {
  if (
    typeof dimensions !== 'object' ||
    dimensions === null ||
    Object.getPrototypeOf(dimensions) !== Object.prototype
  )
    return false;
  for (const key in dimensions) {
    if (!Object.hasOwn(dimensions, key) || !DIMENSION_KEY_SET.has(key)) return false;
    const value = (dimensions as Record<string, unknown>)[key];
    if (typeof value !== 'string' || value.length < 1 || value.length > CODE_MAX) return false;
  }
  return true;
}

/**
 * Whether `lines` is plainly a list of lines, with or without dimensions (anything else goes to the
 * schema): the demo's and the intake's records carry dimensions and receipts, and adapters check
 * every record of every batch.
 */
function plainLines(lines: unknown): boolean {
  if (!Array.isArray(lines) || lines.length < 1 || lines.length > MAX_EXPORT_RECORD_LINES) return false;
  for (const line of lines as unknown[]) {
    if (typeof line !== 'object' || line === null || Object.getPrototypeOf(line) !== Object.prototype)
      return false;
    const l = line as Record<string, unknown>;
    const hasDimensions = Object.hasOwn(l, 'dimensions');
    if (Object.keys(l).length !== (hasDimensions ? 5 : 4)) return false;
    if (hasDimensions && !plainDimensions(l.dimensions)) return false;
    const { account, amountMinor, vatCode, vatAmountMinor } = l;
    if (
      !(
        typeof account === 'string' &&
        account.length >= 1 &&
        account.length <= ACCOUNT_MAX &&
        Number.isSafeInteger(amountMinor) &&
        (amountMinor as number) >= 1 &&
        VAT.has(vatCode) &&
        Number.isSafeInteger(vatAmountMinor) &&
        (vatAmountMinor as number) >= 0
      )
    )
      return false;
  }
  return true;
}

/**
 * Whether `value` is plainly an export record: every field present, of its type and within the
 * schema's own bounds, and no other key. A sufficient test only — whatever it does not recognise is
 * left to the schema, which decides.
 */
function plainlyValid(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype)
    return false;
  const r = value as Record<string, unknown>;
  let keys = 0;
  for (const key in r) {
    if (!Object.hasOwn(r, key)) return false;
    keys += 1;
  }
  const {
    id,
    kind,
    amountMinor,
    currency,
    bookingDate,
    account,
    description,
    employeeNumber,
    receiptUrl,
    lines,
    postingRound,
  } = r;
  let optional = 0;
  if (Object.hasOwn(r, 'description')) optional += 1;
  if (Object.hasOwn(r, 'employeeNumber')) {
    if (typeof employeeNumber !== 'string' || employeeNumber.length < 1 || employeeNumber.length > CODE_MAX)
      return false;
    optional += 1;
  }
  if (Object.hasOwn(r, 'receiptUrl')) {
    if (typeof receiptUrl !== 'string' || receiptUrl.length < 1 || receiptUrl.length > RECEIPT_URL_MAX)
      return false;
    optional += 1;
  }
  if (Object.hasOwn(r, 'lines')) {
    if (!plainLines(lines)) return false;
    optional += 1;
  }
  if (Object.hasOwn(r, 'postingRound')) {
    if (!Number.isSafeInteger(postingRound) || (postingRound as number) < 1) return false;
    optional += 1;
  }
  return (
    keys === REQUIRED_KEYS + optional &&
    typeof id === 'string' &&
    id.length <= RECORD_ID_MAX_LENGTH &&
    RECORD_ID_PATTERN.test(id) &&
    KINDS.has(kind) &&
    Number.isSafeInteger(amountMinor) &&
    typeof currency === 'string' &&
    CURRENCY_PATTERN.test(currency) &&
    typeof bookingDate === 'string' &&
    ISO_DATE.test(bookingDate) &&
    typeof account === 'string' &&
    account.length >= 1 &&
    account.length <= ACCOUNT_MAX &&
    (description === undefined || (typeof description === 'string' && description.length <= DESCRIPTION_MAX))
  );
}

/**
 * Why `value` is not an {@link ExportRecord} — the schema's issues as `path: message`, joined by
 * `; ` — or `undefined` when it is one. Adapters check every record of every batch, often twice
 * (pre-flight, then push): a record already in the schema's exact form is recognised without
 * running the schema, and anything else is decided by {@link exportRecordSchema}.
 */
export function exportRecordProblem(value: unknown): string | undefined {
  if (plainlyValid(value)) return undefined;
  const parsed = exportRecordSchema.safeParse(value);
  if (parsed.success) return undefined;
  return parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
}

/**
 * The lines an adapter posts for a record: its own, or — for a record without lines — one line of
 * `amountMinor` on `account` with no VAT.
 */
export function exportLinesOf(record: Pick<ExportRecord, 'lines' | 'account' | 'amountMinor'>): ExportLine[] {
  return (
    record.lines ?? [
      { account: record.account, amountMinor: record.amountMinor, vatCode: 'ZERO', vatAmountMinor: 0 },
    ]
  );
}
