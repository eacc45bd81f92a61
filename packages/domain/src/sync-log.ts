import { z } from 'zod';
import { isoDateTimeSchema } from './datetime.js';
import { accountingSystemSchema, syncStatusSchema, syncTypeSchema } from './enums.js';
import { errorDetailsSchema } from './error-details.js';
import { payloadSummarySchema } from './payload-summary.js';

/** Largest count a record may carry (the database column is a 32-bit integer). */
const MAX_RECORD_COUNT = 2_147_483_647;

/** A record count: a non-negative 32-bit integer. */
export const recordCountSchema = z.number().int().max(MAX_RECORD_COUNT);

/** An external reference id as returned by the accounting system (free form; see the format rule). */
export const externalReferenceIdSchema = z.string().min(1).max(200);

/**
 * The immutable audit record of one sync attempt, with the spec's fields in camelCase.
 * Datetimes are canonical ISO-8601 UTC strings (see `IsoDateTime`).
 */
export const syncLogSchema = z.strictObject({
  id: z.uuid(),
  organizationId: z.uuid(),
  accountingSystem: accountingSystemSchema,
  syncType: syncTypeSchema,
  status: syncStatusSchema,
  triggeredBy: z.uuid().nullable(),
  periodStart: isoDateTimeSchema,
  periodEnd: isoDateTimeSchema,
  recordsTotal: recordCountSchema,
  recordsSynced: recordCountSchema,
  recordsFailed: recordCountSchema,
  payloadSummary: payloadSummarySchema.nullable(),
  errorDetails: errorDetailsSchema.nullable(),
  externalReferenceId: externalReferenceIdSchema.nullable(),
  startedAt: isoDateTimeSchema,
  completedAt: isoDateTimeSchema.nullable(),
  createdAt: isoDateTimeSchema,
});
/** The immutable audit record of one sync attempt. */
export type SyncLog = z.infer<typeof syncLogSchema>;

/** The spec's field names, in the order the spec lists them (used for canonical JSON and parity). */
export const SYNC_LOG_FIELDS = [
  'id',
  'organizationId',
  'accountingSystem',
  'syncType',
  'status',
  'triggeredBy',
  'periodStart',
  'periodEnd',
  'recordsTotal',
  'recordsSynced',
  'recordsFailed',
  'payloadSummary',
  'errorDetails',
  'externalReferenceId',
  'startedAt',
  'completedAt',
  'createdAt',
] as const satisfies readonly (keyof SyncLog)[];

/** The spec's record counts, in its order: each a non-negative 32-bit integer (`records_counts_non_negative`). */
export const RECORD_COUNT_FIELDS = [
  'recordsTotal',
  'recordsSynced',
  'recordsFailed',
] as const satisfies readonly (keyof SyncLog)[];
/** One of the spec's record counts. */
export type RecordCountField = (typeof RECORD_COUNT_FIELDS)[number];
