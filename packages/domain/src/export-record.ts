import { z } from 'zod';
import { currencySchema, recordIdSchema } from './payload-summary.js';

/** Kinds of records Meander exports. */
export const EXPORT_RECORD_KINDS = ['expense_claim', 'reimbursement'] as const;
/** Kind of an exported record. */
export type ExportRecordKind = (typeof EXPORT_RECORD_KINDS)[number];

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
  account: z.string().min(1).max(40),
  description: z.string().max(500).optional(),
});
/** One approved expense claim or reimbursement as an adapter posts it. */
export type ExportRecord = z.infer<typeof exportRecordSchema>;
