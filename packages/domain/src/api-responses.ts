import { z } from 'zod';
import { rejectionCategorySchema } from './rejection-category.js';
import { syncLogSchema } from './sync-log.js';

/**
 * Schemas for what the product's API (and `meander-sync … --json`) returns, for other teams that
 * read it. {@link syncLogSchema} is the stored record exactly (strict: it refuses unknown keys);
 * these wrap it the way the responses do.
 */

/** One rejected record as `rejections.list` and `meander-sync rejections|show --json` give it. */
export const rejectedItemSchema = z.strictObject({
  recordId: z.string().min(1),
  /** The ledger's raw code and message, verbatim. */
  vendorCode: z.string(),
  vendorReason: z.string(),
  /** The rejection catalogue's code, category, message for a person, and fix. */
  code: z.string().min(1),
  category: rejectionCategorySchema,
  message: z.string(),
  fix: z.string(),
  retryable: z.boolean(),
  /** The expense as Meander holds it (null when it is no longer approved or was removed). */
  bookingDate: z.string().nullable(),
  /** Decimal string in the currency's units (`"129.90"`), never a float. */
  amount: z
    .string()
    .regex(/^-?\d+(\.\d+)?$/)
    .nullable(),
  /** The same amount in integer minor units, as a string (exact beyond 2^53). */
  amountMinor: z
    .string()
    .regex(/^-?\d+$/)
    .nullable(),
  currency: z.string().nullable(),
  account: z.string().nullable(),
  description: z.string().nullable(),
});
/** One rejected record, explained. */
export type RejectedItemView = z.infer<typeof rejectedItemSchema>;

/**
 * What `meander-sync show <id> --json` prints: the sync log, plus `rejections` (the explained
 * rejected records) when it has any.
 */
export const syncLogWithRejectionsSchema = syncLogSchema.extend({
  rejections: z.array(rejectedItemSchema).optional(),
});

/** A page of `syncLogs.list` (and `meander-sync list --json`): newest first, `nextCursor` null on the last. */
export const syncLogPageSchema = z.strictObject({
  items: z.array(syncLogSchema),
  nextCursor: z.string().nullable(),
});
