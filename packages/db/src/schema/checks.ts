import {
  ACCOUNTING_SYSTEMS,
  ACTIVE_STATUSES,
  DELETION_LEGAL_BASES,
  MAX_EXPENSE_RECORD_LINES,
  SYNC_STATUSES,
  SYNC_TYPES,
  VAT_CODES,
} from '@meander/domain';
import { type SQL, sql } from 'drizzle-orm';

/**
 * CHECK bodies shared by both dialects, built from the domain's enums so a new status, system or
 * type cannot be forgotten in one schema. The migrations are hand-written SQL; the schema-parity
 * test compares them with these lists.
 */
const list = (values: readonly string[]) => values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ');

/** `column IN ('a', 'b', …)` over a domain enum. */
export function inEnum(column: string, values: readonly string[]): SQL {
  return sql.raw(`${column} IN (${list(values)})`);
}

export const RUNNERS = ['worker', 'external'] as const;
const EXPENSE_RECORD_KINDS = ['expense_claim', 'reimbursement'] as const;
const APPROVAL_STATES = ['draft', 'submitted', 'approved', 'rejected'] as const;
/** The chain recipes a row may be sealed with (see hash-chain.ts). */
const CHAIN_RECIPE_VERSIONS = [1] as const;

const active = list(ACTIVE_STATUSES);

/** The accounting_sync_logs CHECKs both dialects share, by constraint name. */
export const SYNC_LOG_CHECKS = {
  ck_accounting_sync_logs_status: inEnum('status', SYNC_STATUSES),
  ck_accounting_sync_logs_accounting_system: inEnum('accounting_system', ACCOUNTING_SYSTEMS),
  ck_accounting_sync_logs_sync_type: inEnum('sync_type', SYNC_TYPES),
  ck_accounting_sync_logs_runner: inEnum('runner', RUNNERS),
  ck_records_counts_non_negative: sql`records_total >= 0 AND records_synced >= 0 AND records_failed >= 0`,
  ck_period_end_after_period_start: sql`period_end > period_start`,
  ck_completed_at_after_started_at: sql`completed_at IS NULL OR completed_at >= started_at`,
  ck_completed_at_null_while_active: sql.raw(`(status IN (${active})) = (completed_at IS NULL)`),
  ck_sealed_exactly_when_terminal: sql.raw(`(chain_hash IS NULL) = (status IN (${active}))`),
  ck_failed_sync_retains_error_details: sql`status NOT IN ('failed', 'partial') OR error_details IS NOT NULL`,
  ck_records_count_consistency: sql`status <> 'success' OR (records_failed = 0 AND records_synced = records_total)`,
  ck_triggered_by_matches_sync_type: sql`(sync_type <> 'manual' OR triggered_by IS NOT NULL) AND (sync_type <> 'scheduled' OR triggered_by IS NULL)`,
  ck_accounting_sync_logs_chain_recipe: sql.raw(`chain_recipe IN (${CHAIN_RECIPE_VERSIONS.join(', ')})`),
} as const;

export const LEGAL_BASIS_CHECK = inEnum('legal_basis', DELETION_LEGAL_BASES);
export const EXPENSE_KIND_CHECK = inEnum('kind', EXPENSE_RECORD_KINDS);
export const APPROVAL_STATE_CHECK = inEnum('approval_state', APPROVAL_STATES);

/** expense_records CHECKs (migrations 0011 and 0013), by constraint name. */
export const EXPENSE_RECORD_CHECKS = {
  ck_expense_records_version_positive: sql`version >= 1`,
  ck_expense_records_receipt_url_https: sql`receipt_url IS NULL OR receipt_url LIKE 'https://%'`,
  ck_expense_records_posted_not_withdrawn: sql`posted_by_sync_log_id IS NULL OR withdrawn_at IS NULL`,
  ck_expense_records_posted_is_approved: sql`posted_by_sync_log_id IS NULL OR approval_state = 'approved'`,
  ck_expense_records_posting_round: sql`posting_round >= 1`,
} as const;

/**
 * The record's own exchange rate (migration 0014): the domain's EXCHANGE_RATE_PATTERN, and not zero.
 * Per dialect: SQLite has no regular expressions and spells the pattern out with GLOB.
 */
export const EXCHANGE_RATE_CHECK = {
  name: 'ck_expense_records_exchange_rate',
  postgres: sql.raw(
    "exchange_rate IS NULL OR (exchange_rate ~ '^(0|[1-9][0-9]{0,8})(\\.[0-9]{1,6})?$' AND exchange_rate ~ '[1-9]')",
  ),
  sqlite: sql.raw(
    "exchange_rate IS NULL OR (typeof(exchange_rate) = 'text' AND exchange_rate GLOB '[0-9]*' AND exchange_rate NOT GLOB '*[^0-9.]*' AND exchange_rate NOT GLOB '*.*.*' AND exchange_rate NOT GLOB '*.' AND exchange_rate NOT GLOB '0[0-9]*' AND exchange_rate GLOB '*[1-9]*' AND (CASE WHEN instr(exchange_rate, '.') = 0 THEN length(exchange_rate) <= 9 ELSE instr(exchange_rate, '.') <= 10 AND length(exchange_rate) - instr(exchange_rate, '.') <= 6 END))",
  ),
} as const;

/** expense_record_lines CHECKs (migration 0011), by constraint name. */
export const EXPENSE_LINE_CHECKS = {
  ck_expense_record_lines_amount_positive: sql`amount_minor > 0`,
  ck_expense_record_lines_vat_non_negative: sql`vat_amount_minor >= 0`,
  ck_expense_record_lines_vat_code: inEnum('vat_code', VAT_CODES),
  ck_expense_record_lines_line_no: sql.raw(`line_no >= 1 AND line_no <= ${MAX_EXPENSE_RECORD_LINES}`),
} as const;
