import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import {
  APPROVAL_STATE_CHECK,
  EXCHANGE_RATE_CHECK,
  EXPENSE_KIND_CHECK,
  EXPENSE_LINE_CHECKS,
  EXPENSE_RECORD_CHECKS,
  LEGAL_BASIS_CHECK,
  SYNC_LOG_CHECKS,
} from '../checks.js';

/**
 * PostgreSQL schema: the same tables, columns, indexes and CHECKs as the SQLite schema, with native
 * types (uuid, timestamptz(3), jsonb). Datetimes are read as ISO strings so both stores map rows alike.
 */
const tz = <N extends string>(name: N) =>
  timestamp(name, { withTimezone: true, precision: 3, mode: 'string' });

export const organizations = pgTable(
  'organizations',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    createdAt: tz('created_at').notNull(),
    /** IANA time zone the organization keeps its books in (migration 0009). */
    timeZone: text('time_zone').notNull().default('UTC'),
  },
  () => [check('ck_organizations_time_zone', sql.raw(`time_zone ~ '^[A-Za-z0-9_/+-]{1,64}$'`))],
);

export const moduleConfigurations = pgTable(
  'module_configurations',
  {
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    module: text('module').notNull(),
    enabled: boolean('enabled').notNull(),
    config: jsonb('config').$type<unknown>(),
    updatedAt: tz('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.module] }),
    check('ck_module_configurations_config_object', sql`config IS NULL OR jsonb_typeof(config) = 'object'`),
  ],
);

export const accountingSyncLogs = pgTable(
  'accounting_sync_logs',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'restrict' }),
    accountingSystem: text('accounting_system').notNull(),
    syncType: text('sync_type').notNull(),
    status: text('status').notNull(),
    triggeredBy: uuid('triggered_by'),
    periodStart: tz('period_start').notNull(),
    periodEnd: tz('period_end').notNull(),
    recordsTotal: integer('records_total').notNull(),
    recordsSynced: integer('records_synced').notNull(),
    recordsFailed: integer('records_failed').notNull(),
    payloadSummary: jsonb('payload_summary').$type<unknown>(),
    errorDetails: jsonb('error_details').$type<unknown>(),
    externalReferenceId: text('external_reference_id'),
    startedAt: tz('started_at').notNull(),
    completedAt: tz('completed_at'),
    createdAt: tz('created_at').notNull(),
    idempotencyKey: text('idempotency_key'),
    heartbeatAt: tz('heartbeat_at'),
    claimedBy: text('claimed_by'),
    /** The fencing token of the attempt: grows with every claim in the organization (migration 0007). */
    leaseEpoch: integer('lease_epoch'),
    /** Until when the claimer owns the attempt; renewed by its heartbeat, never after it passed. */
    leaseExpiresAt: tz('lease_expires_at'),
    runner: text('runner').notNull().default('worker'),
    chainSeq: integer('chain_seq'),
    prevHash: text('prev_hash'),
    chainHash: text('chain_hash'),
    chainRecipe: integer('chain_recipe').notNull().default(1),
    /** The sync this one is the (first) reversal of; one reversal per sync (migration 0013). */
    reversesSyncLogId: uuid('reverses_sync_log_id'),
  },
  (t) => [
    index('idx_accounting_sync_logs_org_started').on(t.organizationId, t.startedAt),
    index('idx_accounting_sync_logs_org_status').on(t.organizationId, t.status),
    index('idx_accounting_sync_logs_triggered_by').on(t.triggeredBy),
    index('idx_accounting_sync_logs_period').on(t.organizationId, t.periodStart, t.periodEnd),
    index('idx_accounting_sync_logs_status').on(t.status),
    uniqueIndex('uq_accounting_sync_logs_one_active_per_org')
      .on(t.organizationId)
      .where(sql`status IN ('pending', 'in_progress')`),
    uniqueIndex('uq_accounting_sync_logs_idempotency_key')
      .on(t.organizationId, t.idempotencyKey)
      .where(sql`idempotency_key IS NOT NULL`),
    uniqueIndex('uq_accounting_sync_logs_chain_seq').on(t.organizationId, t.chainSeq),
    uniqueIndex('uq_accounting_sync_logs_one_reversal')
      .on(t.reversesSyncLogId)
      .where(sql`reverses_sync_log_id IS NOT NULL`),
    index('idx_accounting_sync_logs_org_created').on(t.organizationId, t.createdAt, t.id),
    index('idx_accounting_sync_logs_org_epoch').on(t.organizationId, t.leaseEpoch),
    ...Object.entries(SYNC_LOG_CHECKS).map(([name, body]) => check(name, body)),
    check(
      'ck_accounting_sync_logs_payload_summary_object',
      sql`payload_summary IS NULL OR jsonb_typeof(payload_summary) = 'object'`,
    ),
    check(
      'ck_accounting_sync_logs_error_details_object',
      sql`error_details IS NULL OR jsonb_typeof(error_details) = 'object'`,
    ),
    check(
      'ck_records_progress_within_total',
      sql`status NOT IN ('pending', 'in_progress') OR records_synced::bigint + records_failed <= records_total`,
    ),
  ],
);

export const accountingSyncLogDeletions = pgTable(
  'accounting_sync_log_deletions',
  {
    syncLogId: uuid('sync_log_id').primaryKey(),
    organizationId: uuid('organization_id').notNull(),
    deletedBy: uuid('deleted_by').notNull(),
    deletedVia: text('deleted_via').notNull(),
    deletedAt: tz('deleted_at').notNull(),
    reason: text('reason').notNull(),
    legalBasis: text('legal_basis').notNull(),
    chainSeq: integer('chain_seq'),
    chainHash: text('chain_hash'),
    prevHash: text('prev_hash'),
    redactedRow: jsonb('redacted_row').$type<unknown>().notNull(),
    /** The product's Ed25519 signature over the deletion's facts (migration 0010), and its key id. */
    signature: text('signature'),
    keyId: text('key_id'),
  },
  (t) => [
    index('idx_accounting_sync_log_deletions_org_seq').on(t.organizationId, t.chainSeq),
    check('ck_deletions_legal_basis', LEGAL_BASIS_CHECK),
    check('ck_deletions_deleted_via', sql`deleted_via = 'audit-log-service'`),
    check('ck_deletions_signed_together', sql`(signature IS NULL) = (key_id IS NULL)`),
    check('ck_deletions_redacted_row_object', sql`jsonb_typeof(redacted_row) = 'object'`),
  ],
);

/**
 * One current version per record id (migration 0011): an upsert replaces the row and its lines
 * under a higher version. Triggers refuse a lower version, a different payload under the same
 * version, and any change to a posted record or its lines.
 */
export const expenseRecords = pgTable(
  'expense_records',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    currency: text('currency').notNull(),
    bookingDate: text('booking_date').notNull(),
    approvalState: text('approval_state').notNull(),
    description: text('description'),
    version: integer('version').notNull().default(1),
    employeeNumber: text('employee_number').notNull(),
    receiptUrl: text('receipt_url'),
    /** The record's own rate to the local currency, a decimal string (migration 0014). */
    exchangeRate: text('exchange_rate'),
    contentHash: text('content_hash').notNull(),
    updatedAt: tz('updated_at').notNull(),
    withdrawnAt: tz('withdrawn_at'),
    postedBySyncLogId: uuid('posted_by_sync_log_id'),
    /** Which posting of the record is open: 1, and one more each time a reversal releases it (0013). */
    postingRound: integer('posting_round').notNull().default(1),
  },
  (t) => [
    index('idx_expense_records_org_state_date').on(t.organizationId, t.approvalState, t.bookingDate, t.id),
    index('idx_expense_records_posted_by')
      .on(t.postedBySyncLogId, t.id)
      .where(sql`posted_by_sync_log_id IS NOT NULL`),
    check('ck_expense_records_kind', EXPENSE_KIND_CHECK),
    check('ck_expense_records_approval_state', APPROVAL_STATE_CHECK),
    ...Object.entries(EXPENSE_RECORD_CHECKS).map(([name, body]) => check(name, body)),
    check(EXCHANGE_RATE_CHECK.name, EXCHANGE_RATE_CHECK.postgres),
  ],
);

/** The 1–50 lines of a record's current version (net amount, VAT, dimensions per account). */
export const expenseRecordLines = pgTable(
  'expense_record_lines',
  {
    recordId: uuid('record_id')
      .notNull()
      .references(() => expenseRecords.id, { onDelete: 'cascade' }),
    lineNo: integer('line_no').notNull(),
    account: text('account').notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    vatCode: text('vat_code').notNull(),
    vatAmountMinor: bigint('vat_amount_minor', { mode: 'number' }).notNull(),
    department: text('department'),
    project: text('project'),
    costCentre: text('cost_centre'),
  },
  (t) => [
    primaryKey({ columns: [t.recordId, t.lineNo] }),
    ...Object.entries(EXPENSE_LINE_CHECKS).map(([name, body]) => check(name, body)),
  ],
);

/** Signed chain heads (migration 0004): append-only, no foreign key, outside the sync-log tables. */
export const auditCheckpoints = pgTable(
  'audit_checkpoints',
  {
    organizationId: uuid('organization_id').notNull(),
    seq: integer('seq').notNull(),
    hash: text('hash').notNull(),
    count: integer('count').notNull(),
    at: tz('at').notNull(),
    signature: text('signature').notNull(),
    publicKey: text('public_key').notNull(),
    keyId: text('key_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.seq, t.keyId] }),
    check('ck_audit_checkpoints_non_negative', sql`seq >= 0 AND count >= 0 AND count <= seq`),
  ],
);
