import { z } from 'zod';
import { canonicalExchangeRate, exchangeRateSchema } from './exchange-rate.js';
import { EXPORT_RECORD_KINDS, VAT_CODES } from './export-record.js';

/** Lines per record, and records per upsert request. */
export const MAX_EXPENSE_RECORD_LINES = 50;
/** Records one `expenseRecords.upsert` call (or one CLI batch) carries at most. */
export const MAX_UPSERT_RECORDS = 1_000;

/**
 * The rules an expense record input is checked against, one per field, plus the store's own
 * (`VERSION_NOT_NEWER`, `VERSION_PAYLOAD_CONFLICT`, `RECORD_ALREADY_POSTED`, `DUPLICATE_ID_IN_REQUEST`,
 * `RECORD_NOT_FOUND`, `ID_IN_USE`).
 * Clients branch on these names, never on messages.
 */
const EXPENSE_RECORD_RULES = [
  'FIELD_REQUIRED',
  'UNKNOWN_FIELD',
  'ID_UUID',
  'VERSION_POSITIVE_INTEGER',
  'KIND_ENUM',
  'EMPLOYEE_NUMBER_FORMAT',
  'BOOKING_DATE_FORMAT',
  'CURRENCY_ISO_4217',
  'EXCHANGE_RATE_FORMAT',
  'DESCRIPTION_TEXT',
  'RECEIPT_URL_HTTPS',
  'LINES_COUNT',
  'LINE_ACCOUNT_FORMAT',
  'LINE_AMOUNT_POSITIVE_INTEGER',
  'LINE_VAT_CODE_ENUM',
  'LINE_VAT_AMOUNT_NON_NEGATIVE_INTEGER',
  'LINE_DIMENSION_FORMAT',
  'RECORD_TOTAL_SAFE_INTEGER',
  'RECORD_SHAPE',
  'DUPLICATE_ID_IN_REQUEST',
  'VERSION_NOT_NEWER',
  'VERSION_PAYLOAD_CONFLICT',
  'RECORD_ALREADY_POSTED',
  'RECORD_NOT_FOUND',
  'ID_IN_USE',
] as const;
/** A rule an expense record is checked against. */
type ExpenseRecordRule = (typeof EXPENSE_RECORD_RULES)[number];

/** One finding about one record: the rule, the field (camelCase path, as on the wire) and why. */
export interface ExpenseRecordIssue {
  rule: ExpenseRecordRule;
  path: (string | number)[];
  message: string;
}

/** Code[20] in Business Central (employee No., G/L account No., dimension value code). */
const CODE_MAX = 20;
const DESCRIPTION_MAX = 500;
const RECEIPT_URL_MAX = 2_048;
/** Control characters (C0, DEL, C1) and the bidi overrides that make text read other than it is. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** A ledger code: letters, digits and `-_./`, no spaces at either end. */
const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 _./-]*$/;

const codeSchema = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .max(CODE_MAX, `${what} is at most ${CODE_MAX} characters (a ledger code)`)
    .regex(
      CODE_PATTERN,
      `${what} takes letters, digits, spaces and - _ . / (starting with a letter or digit)`,
    )
    .refine((v) => v === v.trim(), `${what} must not end with a space`);

const minorUnits = (what: string, min: 0 | 1) =>
  z
    .number(`${what} must be an integer number of minor units`)
    .int(`${what} must be an integer number of minor units (never a fraction)`)
    .min(min, min === 1 ? `${what} must be greater than zero` : `${what} must not be negative`)
    .refine(Number.isSafeInteger, `${what} exceeds the safe integer range`);

let knownCurrencies: ReadonlySet<string> | undefined;
/** ISO 4217 codes as the runtime's ICU data knows them (read once). */
function isKnownCurrency(code: string): boolean {
  knownCurrencies ??= new Set(Intl.supportedValuesOf('currency'));
  return knownCurrencies.has(code);
}

/**
 * The minor-unit digits of an ISO 4217 currency (NOK 2, JPY 0, KWD 3), from the runtime's ICU data:
 * `amountMinor / 10 ** digits` is the amount in major units. Display only: money stays integer.
 */
export function currencyMinorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
    .maximumFractionDigits as number;
}

/** The dimensions of one line: each optional, each a ledger dimension value code. */
const expenseLineDimensionsSchema = z.strictObject({
  department: codeSchema('department').optional(),
  project: codeSchema('project').optional(),
  costCentre: codeSchema('costCentre').optional(),
});

/** One line of an expense record: the net amount on one account, its VAT and dimensions. */
const expenseLineInputSchema = z.strictObject({
  account: codeSchema('account'),
  amountMinor: minorUnits('amountMinor', 1),
  vatCode: z.enum(VAT_CODES, `vatCode must be one of ${VAT_CODES.join(', ')}`),
  vatAmountMinor: minorUnits('vatAmountMinor', 0),
  dimensions: expenseLineDimensionsSchema.optional(),
});
/** One line of an expense record. */
export type ExpenseLineInput = z.infer<typeof expenseLineInputSchema>;

/**
 * An approved expense claim or reimbursement as Meander's expense system hands it over. Money is
 * integer minor units of `currency`; `amountMinor` is net, `vatAmountMinor` the VAT on top.
 * `description` and `employeeNumber` are personal data: they reach the customer's ledger, never a
 * sync log.
 */
const expenseRecordInputSchema = z
  .strictObject({
    id: z.uuid('id must be a UUID'),
    version: z
      .number('version must be an integer ≥ 1')
      .int('version must be an integer ≥ 1')
      .min(1, 'version must be an integer ≥ 1')
      .max(2_147_483_647, 'version must fit a 32-bit integer'),
    kind: z.enum(EXPORT_RECORD_KINDS, `kind must be one of ${EXPORT_RECORD_KINDS.join(', ')}`),
    employeeNumber: codeSchema('employeeNumber'),
    bookingDate: z.iso.date('bookingDate must be a calendar date YYYY-MM-DD'),
    currency: z
      .string('currency must be an ISO 4217 code such as NOK')
      .regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code such as NOK')
      .refine(isKnownCurrency, 'currency is not an ISO 4217 code'),
    /**
     * The record's own rate to the company's local currency (local units per one unit of
     * `currency`), for a record in another currency: ledgers that take a rate book at it.
     */
    exchangeRate: exchangeRateSchema.optional(),
    description: z
      .string('description must be text')
      .max(DESCRIPTION_MAX, `description is at most ${DESCRIPTION_MAX} characters`)
      .refine((v) => !UNSAFE_TEXT.test(v), 'description must not contain control or bidi-override characters')
      .optional(),
    receiptUrl: z
      .url({ protocol: /^https$/, hostname: z.regexes.domain, error: 'receiptUrl must be an https URL' })
      .max(RECEIPT_URL_MAX, `receiptUrl is at most ${RECEIPT_URL_MAX} characters`)
      .optional(),
    lines: z
      .array(expenseLineInputSchema, 'lines must be an array')
      .min(1, 'a record has at least one line')
      .max(MAX_EXPENSE_RECORD_LINES, `a record has at most ${MAX_EXPENSE_RECORD_LINES} lines`),
  })
  .refine(
    (r) => Number.isSafeInteger(r.lines.reduce((sum, l) => sum + l.amountMinor + l.vatAmountMinor, 0)),
    {
      message: 'the record total (net + VAT) exceeds the safe integer range',
      path: ['lines'],
      params: { total: true },
    },
  );
/** An expense record as the intake takes it. */
export type ExpenseRecordInput = z.infer<typeof expenseRecordInputSchema>;

/** The rule of a field, by the last name in its path. */
const FIELD_RULES: Record<string, ExpenseRecordRule> = {
  id: 'ID_UUID',
  version: 'VERSION_POSITIVE_INTEGER',
  kind: 'KIND_ENUM',
  employeeNumber: 'EMPLOYEE_NUMBER_FORMAT',
  bookingDate: 'BOOKING_DATE_FORMAT',
  currency: 'CURRENCY_ISO_4217',
  exchangeRate: 'EXCHANGE_RATE_FORMAT',
  description: 'DESCRIPTION_TEXT',
  receiptUrl: 'RECEIPT_URL_HTTPS',
  lines: 'LINES_COUNT',
  account: 'LINE_ACCOUNT_FORMAT',
  amountMinor: 'LINE_AMOUNT_POSITIVE_INTEGER',
  vatCode: 'LINE_VAT_CODE_ENUM',
  vatAmountMinor: 'LINE_VAT_AMOUNT_NON_NEGATIVE_INTEGER',
  dimensions: 'LINE_DIMENSION_FORMAT',
  department: 'LINE_DIMENSION_FORMAT',
  project: 'LINE_DIMENSION_FORMAT',
  costCentre: 'LINE_DIMENSION_FORMAT',
};

function ruleOf(issue: z.core.$ZodIssue): ExpenseRecordRule {
  if (issue.code === 'unrecognized_keys') return 'UNKNOWN_FIELD';
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'FIELD_REQUIRED';
  if (issue.code === 'custom' && issue.params?.total) return 'RECORD_TOTAL_SAFE_INTEGER';
  const field = [...issue.path].reverse().find((segment) => typeof segment === 'string');
  return (typeof field === 'string' && FIELD_RULES[field]) || 'RECORD_SHAPE';
}

/** zod's issues as the intake reports them, named by their rule: the first finding per field. */
function expenseRecordIssues(error: z.ZodError): ExpenseRecordIssue[] {
  const seen = new Set<string>();
  const all = error.issues.flatMap((issue): ExpenseRecordIssue[] => {
    const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({
        rule: 'UNKNOWN_FIELD' as const,
        path: [...path, key],
        message: `${key} is not a field of an expense record`,
      }));
    const message =
      issue.code === 'invalid_type' && issue.input === undefined
        ? `${path.join('.')} is required`
        : issue.message;
    return [{ rule: ruleOf(issue), path, message }];
  });
  return all.filter((issue) => {
    const key = JSON.stringify([issue.rule, issue.path]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The verdict on one candidate record: the parsed record, or the issues that refuse it. */
export type ExpenseRecordVerdict =
  | { ok: true; record: ExpenseRecordInput }
  | { ok: false; issues: ExpenseRecordIssue[] };

/** Check one candidate record against every field's rule. */
export function checkExpenseRecordInput(value: unknown): ExpenseRecordVerdict {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return {
      ok: false,
      issues: [{ rule: 'RECORD_SHAPE', path: [], message: 'a record must be a JSON object' }],
    };
  const parsed = expenseRecordInputSchema.safeParse(value);
  if (parsed.success) return { ok: true, record: parsed.data };
  // Parsed again with the inputs in the issues (to tell a missing field from a wrong one): only
  // refused records pay for it.
  const refused = expenseRecordInputSchema.safeParse(value, { reportInput: true });
  return refused.success
    ? { ok: true, record: refused.data }
    : { ok: false, issues: expenseRecordIssues(refused.error) };
}

/** The states a stored record is in, as the intake reports them. */
export const EXPENSE_RECORD_STATES = ['approved', 'withdrawn', 'posted'] as const;
/** A stored record's state. */
export type ExpenseRecordState = (typeof EXPENSE_RECORD_STATES)[number];

/**
 * The canonical form of a record's content, for "same id and version, same payload?": keys in a
 * fixed order, absent optionals dropped, so a re-sent record compares equal whatever its key order.
 * The exchange rate comes last and only when present, in its canonical text ("11.50" is "11.5"),
 * so the hashes of records stored before it existed still match.
 */
export function expenseRecordFingerprint(record: ExpenseRecordInput): string {
  return JSON.stringify([
    record.id.toLowerCase(),
    record.version,
    record.kind,
    record.employeeNumber,
    record.bookingDate,
    record.currency,
    record.description ?? null,
    record.receiptUrl ?? null,
    record.lines.map((l) => [
      l.account,
      l.amountMinor,
      l.vatCode,
      l.vatAmountMinor,
      l.dimensions?.department ?? null,
      l.dimensions?.project ?? null,
      l.dimensions?.costCentre ?? null,
    ]),
    ...(record.exchangeRate !== undefined ? [canonicalExchangeRate(record.exchangeRate)] : []),
  ]);
}
