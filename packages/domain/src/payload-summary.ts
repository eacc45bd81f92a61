import { z } from 'zod';
import { displayTextProblem } from './display-text.js';
import { CURRENCY_PATTERN, RECORD_ID_MAX_LENGTH, RECORD_ID_PATTERN } from './field-patterns.js';

/** Upper bound on record ids kept in one summary; larger syncs set `recordIdsTruncated`. */
export const MAX_SUMMARY_RECORD_IDS = 10_000;

/**
 * A record id as Meander and external runners send it: an opaque key of letters, digits and
 * `-_.:`. The narrow alphabet is deliberate: free text (names, e-mails, descriptions) cannot pass.
 */
export const recordIdSchema = z
  .string()
  .min(1)
  .max(RECORD_ID_MAX_LENGTH)
  .regex(RECORD_ID_PATTERN, 'Record ids may contain only letters, digits and - _ . :');

/** An amount in integer minor units, as a decimal string so it never becomes a float. */
const minorUnitsSchema = z
  .string()
  .regex(/^-?(0|[1-9][0-9]{0,29})$/, 'Amounts are integer minor units written as a decimal string');

/** ISO-4217 currency code. */
export const currencySchema = z
  .string()
  .regex(CURRENCY_PATTERN, 'Currency must be an ISO-4217 code such as NOK');

/** A request count as the ledger bills it: reads and writes, each a non-negative 32-bit integer. */
const ledgerRequestsSchema = z.strictObject({
  reads: z.number().int().min(0).max(2_147_483_647),
  writes: z.number().int().min(0).max(2_147_483_647),
});
/** Requests one sync sent to its ledger. */
export type LedgerRequests = z.infer<typeof ledgerRequestsSchema>;

/** The longest reason an operator may give for a reversal. */
export const REVERSAL_REASON_MAX = 500;

/**
 * What a reversal reverses and why: the reversed sync's id and the operator's reason (display text,
 * normalised on the way in by {@link reversalReasonSchema}). The reason is the operator's own words
 * about the sync; nothing about an employee is asked for or needed there.
 */
const reversalSummarySchema = z.strictObject({
  of: z.uuid(),
  reason: z
    .string()
    .min(1)
    .max(REVERSAL_REASON_MAX)
    .refine((text) => displayTextProblem(text) === null, 'The reason must be plain visible text'),
});
/** The `reversal` field of a reversal's payload summary. */
export type ReversalSummary = z.infer<typeof reversalSummarySchema>;

/**
 * What was sent, compactly. Strict: unknown keys are rejected, which is how "never contains PII"
 * is enforced — there is simply no field a name, e-mail or description could go into.
 */
export const payloadSummarySchema = z
  .strictObject({
    formatVersion: z.string().regex(/^[0-9]+(\.[0-9]+){0,2}$/, 'Format version is like "1" or "1.2"'),
    recordIds: z.array(recordIdSchema).max(MAX_SUMMARY_RECORD_IDS).optional(),
    recordIdsTruncated: z.boolean().optional(),
    recordCount: z.number().int().min(0).max(2_147_483_647).optional(),
    totalAmountMinor: minorUnitsSchema.optional(),
    currency: currencySchema.optional(),
    parentSyncId: z.uuid().optional(),
    /**
     * Requests the sync sent to the ledger (token requests and retries included): what the run cost
     * against the ledger's API allowance. Written by the worker when the sync ends, failed ones too.
     */
    ledgerRequests: ledgerRequestsSchema.optional(),
    /**
     * A re-sync on which an operator (its `triggeredBy`) confirmed that the parent's unverified
     * postings (`POSTED_NOT_FOUND`) are not in the ledger: this sync may send them once.
     */
    confirmedUnposted: z.literal(true).optional(),
    /**
     * This sync reverses what the sync `of` posted (the first reversal, and every re-sync of it):
     * it posts each record's reversing document and releases the records it reversed.
     */
    reversal: reversalSummarySchema.optional(),
  })
  .refine((s) => s.totalAmountMinor === undefined || s.currency !== undefined, {
    message: 'A total amount needs its currency',
    path: ['currency'],
  });
/** Compact, PII-free metadata about what a sync sent. */
export type PayloadSummary = z.infer<typeof payloadSummarySchema>;

/** The export format version this product writes. */
export const CURRENT_EXPORT_FORMAT_VERSION = '1';
