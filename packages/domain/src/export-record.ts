import { regexes, z } from 'zod';
import { CURRENCY_PATTERN, RECORD_ID_MAX_LENGTH, RECORD_ID_PATTERN } from './field-patterns.js';
import { currencySchema, recordIdSchema } from './payload-summary.js';

/** Kinds of records Meander exports. */
export const EXPORT_RECORD_KINDS = ['expense_claim', 'reimbursement'] as const;
/** Kind of an exported record. */
export type ExportRecordKind = (typeof EXPORT_RECORD_KINDS)[number];

const ACCOUNT_MAX = 40;
const DESCRIPTION_MAX = 500;

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
  bookingDate: z.iso.date(),
  account: z.string().min(1).max(ACCOUNT_MAX),
  description: z.string().max(DESCRIPTION_MAX).optional(),
});
/** One approved expense claim or reimbursement as an adapter posts it. */
export type ExportRecord = z.infer<typeof exportRecordSchema>;

const KINDS = new Set<unknown>(EXPORT_RECORD_KINDS);
const ISO_DATE = regexes.date;
const REQUIRED_KEYS = 6;

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
  const { id, kind, amountMinor, currency, bookingDate, account, description } = r;
  return (
    keys === (Object.hasOwn(r, 'description') ? REQUIRED_KEYS + 1 : REQUIRED_KEYS) &&
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
