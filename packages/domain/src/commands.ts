import { z } from 'zod';
import { isoDateTimeSchema } from './datetime.js';
import { displayTextSchema } from './display-text.js';
import {
  accountingSystemSchema,
  deletionLegalBasisSchema,
  syncStatusSchema,
  syncTypeSchema,
} from './enums.js';
import { errorDetailsSchema } from './error-details.js';
import {
  DomainError,
  PRODUCT_RULES,
  type ProductRule,
  throwOnErrors,
  type ValidationIssue,
} from './errors.js';
import { payloadSummarySchema } from './payload-summary.js';
import { checkPeriodEndAfterPeriodStart } from './rules/period-end-after-period-start.js';
import { checkRecordsCountsNonNegative } from './rules/records-counts-non-negative.js';
import {
  externalReferenceIdSchema,
  RECORD_COUNT_FIELDS,
  type RecordCountField,
  recordCountSchema,
} from './sync-log.js';
import { uuidSchema } from './uuid.js';

/** A caller-chosen key that makes a create or push safe to retry. */
export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'Idempotency keys are printable ASCII without spaces');

/**
 * Record a new sync (it starts `pending`). Counts are checked by the
 * `records_counts_non_negative` rule rather than the schema, so the error names the rule.
 */
export const createSyncLogCommandSchema = z.strictObject({
  organizationId: uuidSchema,
  accountingSystem: accountingSystemSchema,
  syncType: syncTypeSchema,
  periodStart: isoDateTimeSchema,
  periodEnd: isoDateTimeSchema,
  recordsTotal: recordCountSchema,
  triggeredBy: uuidSchema.nullish(),
  payloadSummary: payloadSummarySchema.nullish(),
  idempotencyKey: idempotencyKeySchema.optional(),
});
/** Input of the create command (before parsing). */
export type CreateSyncLogInput = z.input<typeof createSyncLogCommandSchema>;
/** The parsed create command. */
export type CreateSyncLogCommand = z.output<typeof createSyncLogCommandSchema>;

/** Move a pending sync to `in_progress`. */
export const startSyncLogCommandSchema = z.strictObject({ id: uuidSchema });

/** Report running counts of an active sync. */
export const reportProgressCommandSchema = z.strictObject({
  id: uuidSchema,
  recordsSynced: recordCountSchema,
  recordsFailed: recordCountSchema,
});
/** The parsed progress command. */
export type ReportProgressCommand = z.output<typeof reportProgressCommandSchema>;

/** Finish an in-progress sync; the domain decides `success` or `partial`. */
export const completeSyncLogCommandSchema = z.strictObject({
  id: uuidSchema,
  recordsSynced: recordCountSchema,
  recordsFailed: recordCountSchema,
  externalReferenceId: externalReferenceIdSchema.nullish(),
  errorDetails: errorDetailsSchema.nullish(),
  /** What was actually sent; replaces the summary recorded at creation when given. */
  payloadSummary: payloadSummarySchema.nullish(),
});
/** The parsed complete command. */
export type CompleteSyncLogCommand = z.output<typeof completeSyncLogCommandSchema>;

/** Fail an active sync. `errorDetails` is checked by `failed_sync_retains_error_details`. */
export const failSyncLogCommandSchema = z.strictObject({
  id: uuidSchema,
  errorDetails: errorDetailsSchema.nullish(),
  /** Replaces the summary recorded at creation when given (e.g. to add `ledgerRequests`). */
  payloadSummary: payloadSummarySchema.nullish(),
});
/** The parsed fail command. */
export type FailSyncLogCommand = z.output<typeof failSyncLogCommandSchema>;

/** Delete a sync log (global admin via the audit-log service only), with reason and legal basis. */
export const deleteSyncLogCommandSchema = z.strictObject({
  id: uuidSchema,
  reason: displayTextSchema(3, 1_000),
  legalBasis: deletionLegalBasisSchema,
});
/** The parsed delete command. */
export type DeleteSyncLogCommand = z.output<typeof deleteSyncLogCommandSchema>;

/** Largest page a list may ask for. */
export const MAX_PAGE_SIZE = 200;
/** Page size when none is asked for. */
export const DEFAULT_PAGE_SIZE = 50;

/**
 * Filters of the history list, newest `startedAt` first. `periodFrom`/`periodTo` select syncs whose
 * period overlaps that window; `cursor` is the opaque `nextCursor` of the previous page.
 */
export const listSyncLogsQuerySchema = z.strictObject({
  organizationId: uuidSchema.optional(),
  status: syncStatusSchema.optional(),
  accountingSystem: accountingSystemSchema.optional(),
  syncType: syncTypeSchema.optional(),
  triggeredBy: uuidSchema.optional(),
  periodFrom: isoDateTimeSchema.optional(),
  periodTo: isoDateTimeSchema.optional(),
  startedAfter: isoDateTimeSchema.optional(),
  startedBefore: isoDateTimeSchema.optional(),
  cursor: z.string().min(1).max(200).optional(),
  limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
});
/** Input of the list query (before parsing). */
export type ListSyncLogsInput = z.input<typeof listSyncLogsQuerySchema>;
/** The parsed list query. */
export type ListSyncLogsQuery = z.output<typeof listSyncLogsQuerySchema>;

/**
 * Turn zod's issues into the domain's issue shape: rule `schema`, or the rule a refinement names in
 * its `params.rule` (e.g. `time_zone_known`).
 */
export function issuesFromZod(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    rule: ruleOf(issue),
    severity: 'error',
    path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: issue.message,
  }));
}

/**
 * The spec's rules on single fields, for whatever command carries those fields: a period ends after
 * it starts (`period_end_after_period_start`), counts are non-negative integers
 * (`records_counts_non_negative`). parseCommand runs them, so a parsed command is a valid one.
 */
function fieldRuleIssues(command: unknown): ValidationIssue[] {
  if (typeof command !== 'object' || command === null) return [];
  const c = command as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  if (typeof c.periodStart === 'string' && typeof c.periodEnd === 'string') {
    issues.push(...checkPeriodEndAfterPeriodStart({ periodStart: c.periodStart, periodEnd: c.periodEnd }));
  }
  const counts: Partial<Record<RecordCountField, number>> = {};
  for (const field of RECORD_COUNT_FIELDS) {
    if (typeof c[field] === 'number') counts[field] = c[field];
  }
  return [...issues, ...checkRecordsCountsNonNegative(counts)];
}

function ruleOf(issue: z.core.$ZodIssue): ValidationIssue['rule'] {
  const params = 'params' in issue ? (issue.params as { rule?: unknown } | undefined) : undefined;
  const rule = params?.rule;
  return typeof rule === 'string' && (PRODUCT_RULES as readonly string[]).includes(rule)
    ? (rule as ProductRule)
    : 'schema';
}

/**
 * Objects a schema produced, with the schema that produced them. An edge that already validated its
 * input with the same schema (the API's procedures) hands the store that very object, and the
 * store's `parseCommand` then returns it instead of running the schema over it a second time.
 * Entries are weak: a command is remembered only while the request holding it is alive.
 */
const validatedBy = new WeakMap<object, z.ZodType>();

/**
 * `schema`, marking what it outputs as validated by it, for an edge that validates commands before
 * they reach the store. The output is shallow-frozen, so a marked command is exactly what the schema
 * produced; anything else (another object, one a different schema produced) is parsed as before.
 */
export function validatingOnce<S extends z.ZodType<object>>(schema: S) {
  return schema.transform((command) => {
    Object.freeze(command);
    validatedBy.set(command, schema);
    return command;
  });
}

/**
 * Parse `input` with `schema`, then check the spec's single-field rules on what it produced (a
 * period that ends after it starts, non-negative counts), throwing `VALIDATION_FAILED` with
 * field-level issues named by rule on either failure. Rules that need a lookup or the current row
 * (organization exists, one active sync, transitions) are the `plan*` functions' work.
 */
export function parseCommand<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  if (typeof input === 'object' && input !== null && validatedBy.get(input) === schema) {
    return input as z.output<S>;
  }
  const result = schema.safeParse(input);
  if (result.success) {
    throwOnErrors(fieldRuleIssues(result.data));
    return result.data;
  }
  const issues = issuesFromZod(result.error);
  const first = issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  throw new DomainError(
    'VALIDATION_FAILED',
    `Validation failed: ${where}${first?.message ?? 'invalid input'}`,
    issues,
  );
}
