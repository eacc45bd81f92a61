import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
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
 * SQLite schema. Datetimes are canonical ISO-8601 UTC text (`2026-10-01T00:00:00.000Z`): one fixed
 * width, so text order is time order and comparisons in CHECKs and indexes are correct.
 * JSON is text. Enums are text + CHECK, as on PostgreSQL, so both schemas compare.
 */
const isoText = <N extends string>(name: N) => text(name);

/** Canonical ISO text: SQLite's own formatting of the value gives it back unchanged (so text order is time order). */
const canonicalIso = (column: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${column}) IS ${column}`;
/** An integer that fits PostgreSQL's 32-bit column, so both dialects hold the same counts. */
const int32 = (column: string) => `typeof(${column}) = 'integer' AND ${column} <= 2147483647`;
const jsonObject = (column: string) =>
  sql.raw(`CASE WHEN json_valid(${column}) THEN json_type(${column}) = 'object' ELSE 0 END`);
const jsonObjectOrNull = (column: string) =>
  sql.raw(
    `${column} IS NULL OR (CASE WHEN json_valid(${column}) THEN json_type(${column}) = 'object' ELSE 0 END)`,
  );

export const organizations = sqliteTable(
  'organizations',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    createdAt: isoText('created_at').notNull(),
    /** IANA time zone the organization keeps its books in (migration 0009). */
    timeZone: text('time_zone').notNull().default('UTC'),
  },
  () => [
    check(
      'ck_organizations_time_zone',
      sql.raw(`length(time_zone) BETWEEN 1 AND 64 AND time_zone NOT GLOB '*[^A-Za-z0-9_/+-]*'`),
    ),
  ],
);

export const moduleConfigurations = sqliteTable(
  'module_configurations',
  {
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    module: text('module').notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull(),
    config: text('config', { mode: 'json' }).$type<unknown>(),
    updatedAt: isoText('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.module] }),
    check('ck_module_configurations_config_object', jsonObjectOrNull('config')),
    check('ck_module_configurations_enabled_boolean', sql`enabled IN (0, 1)`),
  ],
);

export const accountingSyncLogs = sqliteTable(
  'accounting_sync_logs',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'restrict' }),
    accountingSystem: text('accounting_system').notNull(),
    syncType: text('sync_type').notNull(),
    status: text('status').notNull(),
    triggeredBy: text('triggered_by'),
    periodStart: isoText('period_start').notNull(),
    periodEnd: isoText('period_end').notNull(),
    recordsTotal: integer('records_total').notNull(),
    recordsSynced: integer('records_synced').notNull(),
    recordsFailed: integer('records_failed').notNull(),
    payloadSummary: text('payload_summary', { mode: 'json' }).$type<unknown>(),
    errorDetails: text('error_details', { mode: 'json' }).$type<unknown>(),
    externalReferenceId: text('external_reference_id'),
    startedAt: isoText('started_at').notNull(),
    completedAt: isoText('completed_at'),
    createdAt: isoText('created_at').notNull(),
    idempotencyKey: text('idempotency_key'),
    heartbeatAt: isoText('heartbeat_at'),
    claimedBy: text('claimed_by'),
    /** The fencing token of the attempt: grows with every claim in the organization (migration 0007). */
    leaseEpoch: integer('lease_epoch'),
    /** Until when the claimer owns the attempt; renewed by its heartbeat, never after it passed. */
    leaseExpiresAt: isoText('lease_expires_at'),
    runner: text('runner').notNull().default('worker'),
    chainSeq: integer('chain_seq'),
    prevHash: text('prev_hash'),
    chainHash: text('chain_hash'),
    chainRecipe: integer('chain_recipe').notNull().default(1),
    /** The sync this one is the (first) reversal of; one reversal per sync (migration 0013). */
    reversesSyncLogId: text('reverses_sync_log_id'),
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
    check('ck_accounting_sync_logs_payload_summary_object', jsonObjectOrNull('payload_summary')),
    check('ck_accounting_sync_logs_error_details_object', jsonObjectOrNull('error_details')),
    check(
      'ck_records_progress_within_total',
      sql`status NOT IN ('pending', 'in_progress') OR records_synced + records_failed <= records_total`,
    ),
    check(
      'ck_records_counts_integer',
      sql.raw(['records_total', 'records_synced', 'records_failed'].map(int32).join(' AND ')),
    ),
    check(
      'ck_accounting_sync_logs_datetimes_canonical',
      sql.raw(
        [
          canonicalIso('period_start'),
          canonicalIso('period_end'),
          canonicalIso('started_at'),
          `(completed_at IS NULL OR ${canonicalIso('completed_at')})`,
          canonicalIso('created_at'),
          `(heartbeat_at IS NULL OR ${canonicalIso('heartbeat_at')})`,
        ].join(' AND '),
      ),
    ),
  ],
);

export const accountingSyncLogDeletions = sqliteTable(
  'accounting_sync_log_deletions',
  {
    syncLogId: text('sync_log_id').primaryKey(),
    organizationId: text('organization_id').notNull(),
    deletedBy: text('deleted_by').notNull(),
    deletedVia: text('deleted_via').notNull(),
    deletedAt: isoText('deleted_at').notNull(),
    reason: text('reason').notNull(),
    legalBasis: text('legal_basis').notNull(),
    chainSeq: integer('chain_seq'),
    chainHash: text('chain_hash'),
    prevHash: text('prev_hash'),
    redactedRow: text('redacted_row', { mode: 'json' }).$type<unknown>().notNull(),
    /** The product's Ed25519 signature over the deletion's facts (migration 0010), and its key id. */
    signature: text('signature'),
    keyId: text('key_id'),
  },
  (t) => [
    index('idx_accounting_sync_log_deletions_org_seq').on(t.organizationId, t.chainSeq),
    check('ck_deletions_legal_basis', LEGAL_BASIS_CHECK),
    // ck_deletions_deleted_via and ck_deletions_signed_together are triggers here (0010): SQLite
    // cannot add a CHECK to an existing table.
    check('ck_deletions_redacted_row_object', jsonObject('redacted_row')),
    check('ck_deletions_deleted_at_canonical', sql.raw(canonicalIso('deleted_at'))),
  ],
);

/** One current version per record id (migration 0011); see the PostgreSQL schema. */
export const expenseRecords = sqliteTable(
  'expense_records',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id')
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
    updatedAt: isoText('updated_at').notNull(),
    withdrawnAt: isoText('withdrawn_at'),
    postedBySyncLogId: text('posted_by_sync_log_id'),
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
    check(EXCHANGE_RATE_CHECK.name, EXCHANGE_RATE_CHECK.sqlite),
  ],
);

/** The 1–50 lines of a record's current version (net amount, VAT, dimensions per account). */
export const expenseRecordLines = sqliteTable(
  'expense_record_lines',
  {
    recordId: text('record_id')
      .notNull()
      .references(() => expenseRecords.id, { onDelete: 'cascade' }),
    lineNo: integer('line_no').notNull(),
    account: text('account').notNull(),
    amountMinor: integer('amount_minor').notNull(),
    vatCode: text('vat_code').notNull(),
    vatAmountMinor: integer('vat_amount_minor').notNull(),
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
export const auditCheckpoints = sqliteTable(
  'audit_checkpoints',
  {
    organizationId: text('organization_id').notNull(),
    seq: integer('seq').notNull(),
    hash: text('hash').notNull(),
    count: integer('count').notNull(),
    at: isoText('at').notNull(),
    signature: text('signature').notNull(),
    publicKey: text('public_key').notNull(),
    keyId: text('key_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.seq, t.keyId] }),
    check('ck_audit_checkpoints_non_negative', sql`seq >= 0 AND count >= 0 AND count <= seq`),
  ],
);
