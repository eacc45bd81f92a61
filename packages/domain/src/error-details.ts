import { z } from 'zod';
import { errorCategorySchema } from './enums.js';
import { recordIdSchema } from './payload-summary.js';
import { rejectionCategorySchema } from './rejection-category.js';

/** Upper bound on per-record failures kept in one record; the rest are counted, not listed. */
export const MAX_RECORD_FAILURES = 10_000;
/** Upper bound on warnings kept in one record. */
const MAX_WARNINGS = 100;

/** Why one record was rejected. */
const recordFailureSchema = z.strictObject({
  recordId: recordIdSchema,
  code: z.string().min(1).max(120),
  reason: z.string().max(1_000),
  category: errorCategorySchema.optional(),
  retryable: z.boolean().optional(),
  /** The rejection catalogue's code (`code` keeps the vendor's raw code). */
  catalogCode: z.string().min(1).max(120).optional(),
  /** The rejection catalogue's category. */
  catalogCategory: rejectionCategorySchema.optional(),
});
/** Why one record was rejected. */
export type RecordFailure = z.infer<typeof recordFailureSchema>;

/** A non-blocking finding kept with the record (e.g. `external_reference_id_format`). */
const syncWarningSchema = z.strictObject({
  rule: z.string().min(1).max(100),
  message: z.string().max(1_000),
});
/** A non-blocking finding kept with the record. */
export type SyncWarning = z.infer<typeof syncWarningSchema>;

const contextValueSchema = z.union([z.string().max(2_000), z.number(), z.boolean(), z.null()]);

/**
 * Structured error context for failed and partial syncs: the provider's raw code, a normalized
 * category, whether retrying can help, per-record reasons and appended warnings. Sizes are bounded
 * so one bad batch cannot bloat the audit table.
 */
export const errorDetailsSchema = z.strictObject({
  code: z.string().min(1).max(120),
  message: z.string().min(1).max(4_000),
  category: errorCategorySchema,
  retryable: z.boolean(),
  providerCode: z.string().max(200).optional(),
  /** The rejection catalogue's code for the sync-level error. */
  catalogCode: z.string().min(1).max(120).optional(),
  /** The rejection catalogue's category for the sync-level error. */
  catalogCategory: rejectionCategorySchema.optional(),
  correlationId: z.string().max(200).optional(),
  recordFailures: z.array(recordFailureSchema).max(MAX_RECORD_FAILURES).optional(),
  recordFailuresTruncated: z.boolean().optional(),
  warnings: z.array(syncWarningSchema).max(MAX_WARNINGS).optional(),
  context: z
    .record(z.string().max(100), contextValueSchema)
    .refine((c) => Object.keys(c).length <= 50, { message: 'At most 50 context entries' })
    .optional(),
  stack: z.string().max(8_000).optional(),
});
/** Structured error context for failed and partial syncs. */
export type ErrorDetails = z.infer<typeof errorDetailsSchema>;

/** Return a copy of `details` with `warning` appended (bounded; the oldest are kept). */
export function appendWarning(details: ErrorDetails, warning: SyncWarning): ErrorDetails {
  const warnings = [...(details.warnings ?? []), warning].slice(0, MAX_WARNINGS);
  return { ...details, warnings };
}
