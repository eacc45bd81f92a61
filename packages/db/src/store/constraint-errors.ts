import { DomainError, organizationNotFound, type ValidationIssue } from '@meander/domain';

/**
 * Maps a constraint the database enforced (because a race or a raw caller slipped past the domain
 * checks) to the DomainError the domain would have thrown. Returns null for anything else, which
 * the caller rethrows: only real faults (connection loss) stay driver errors.
 */
const CHECK_RULES: Record<string, { rule: ValidationIssue['rule']; path: string[] }> = {
  ck_records_counts_non_negative: { rule: 'records_counts_non_negative', path: ['recordsTotal'] },
  ck_records_counts_integer: { rule: 'records_counts_non_negative', path: ['recordsTotal'] },
  ck_period_end_after_period_start: { rule: 'period_end_after_period_start', path: ['periodEnd'] },
  ck_completed_at_after_started_at: { rule: 'completed_at_after_started_at', path: ['completedAt'] },
  ck_completed_at_null_while_active: { rule: 'valid_status_transition', path: ['completedAt'] },
  ck_sealed_exactly_when_terminal: { rule: 'valid_status_transition', path: ['status'] },
  ck_failed_sync_retains_error_details: { rule: 'failed_sync_retains_error_details', path: ['errorDetails'] },
  ck_records_count_consistency: { rule: 'records_count_consistency', path: ['recordsSynced'] },
  ck_records_progress_within_total: { rule: 'records_progress_bounded', path: ['recordsSynced'] },
  ck_triggered_by_matches_sync_type: { rule: 'schema', path: ['triggeredBy'] },
  ck_accounting_sync_logs_payload_summary_object: { rule: 'schema', path: ['payloadSummary'] },
  ck_accounting_sync_logs_error_details_object: { rule: 'schema', path: ['errorDetails'] },
  ck_records_within_total: { rule: 'records_progress_bounded', path: ['recordsSynced'] },
  ck_error_details_code_and_message: { rule: 'failed_sync_retains_error_details', path: ['errorDetails'] },
  ck_partial_counts_explained: { rule: 'records_count_consistency', path: ['errorDetails', 'warnings'] },
  ck_accounting_system_matches_module: { rule: 'schema', path: ['accountingSystem'] },
  ck_deletions_deleted_via: { rule: 'schema', path: ['deletedVia'] },
  ck_deletions_signed_together: { rule: 'schema', path: ['signature'] },
};

interface DriverError {
  code?: unknown;
  message?: unknown;
  constraint_name?: unknown;
  cause?: unknown;
}

function unwrap(error: unknown): DriverError | null {
  if (typeof error !== 'object' || error === null) return null;
  const e = error as DriverError;
  // Drizzle wraps driver errors; the SQLSTATE lives on the cause.
  if (e.cause && typeof e.cause === 'object' && 'code' in e.cause) return e.cause as DriverError;
  return e;
}

/** One blocking issue, as every mapped error carries it. */
const issue = (rule: ValidationIssue['rule'], path: string[], message: string): ValidationIssue => ({
  rule,
  severity: 'error',
  path,
  message,
});

/**
 * What the triggers raise, by the SQLSTATE PostgreSQL's trigger sets (MS00x) or the word SQLite's
 * RAISE puts in its message.
 */
const RAISED: readonly {
  sqlstate?: string;
  words: readonly string[];
  error: (message: string) => DomainError;
}[] = [
  {
    sqlstate: 'MS001',
    words: ['RECORD_IMMUTABLE'],
    error: () =>
      new DomainError('RECORD_IMMUTABLE', 'The sync log is in a terminal status and can no longer change', [
        issue('immutable_on_terminal_status', ['status'], 'Terminal rows are immutable'),
      ]),
  },
  {
    sqlstate: 'MS002',
    words: ['TOMBSTONE_REQUIRED'],
    error: () =>
      new DomainError('FORBIDDEN', 'A sync log can only be deleted together with its deletion tombstone', [
        issue('org_admin_cannot_delete', ['id'], 'Delete through syncLogs.delete'),
      ]),
  },
  {
    sqlstate: 'MS003',
    words: ['INVALID_STATUS_TRANSITION'],
    error: () =>
      new DomainError('INVALID_STATUS_TRANSITION', 'The status machine does not allow this move', [
        issue(
          'valid_status_transition',
          ['status'],
          'Only the transitions of STATUS_TRANSITIONS are allowed',
        ),
      ]),
  },
  {
    sqlstate: 'MS004',
    words: ['RECORDS_PROGRESS_DECREASED'],
    error: () =>
      new DomainError('VALIDATION_FAILED', 'Validation failed: progress of a running sync cannot go down', [
        issue(
          'records_progress_bounded',
          ['recordsSynced'],
          'Reported counts never go down while a sync runs',
        ),
      ]),
  },
  {
    sqlstate: 'MS005',
    words: ['ACCOUNTING_MODULE_DISABLED'],
    error: () =>
      new DomainError('ACCOUNTING_MODULE_DISABLED', 'The accounting module of the organization is disabled', [
        issue(
          'accounting_module_must_be_enabled',
          ['organizationId'],
          'Enable the admin-accounting module first',
        ),
      ]),
  },
  {
    // The lease trigger (migration 0007) refused a claim or a change of a running attempt's epoch.
    sqlstate: 'MS006',
    words: ['LEASE_REQUIRED', 'LEASE_EPOCH_NOT_GROWING'],
    error: (message) =>
      new DomainError('LEASE_LOST', `The database refused the sync's lease: ${message.slice(0, 300)}`),
  },
  {
    words: ['UUID_NOT_CANONICAL'],
    error: () =>
      new DomainError('VALIDATION_FAILED', 'Validation failed: ids are lower-case canonical UUIDs', [
        issue('schema', ['id'], 'Use the canonical lower-case UUID'),
      ]),
  },
];

/** The unique constraints a caller can run into, by name; any other is a fault, not a refusal. */
const UNIQUE: Readonly<Record<string, () => DomainError>> = {
  uq_accounting_sync_logs_one_active_per_org: () =>
    new DomainError('SYNC_ALREADY_ACTIVE', 'The organization already has an active sync', [
      issue(
        'one_active_sync_per_organization',
        ['organizationId'],
        'A new sync waits until the active one reaches a terminal state',
      ),
    ]),
  organizations_pkey: () =>
    new DomainError('VALIDATION_FAILED', 'An organization with this id already exists', [
      issue('schema', ['id'], 'Organization id already in use'),
    ]),
  uq_accounting_sync_logs_idempotency_key: () =>
    new DomainError('IDEMPOTENCY_KEY_CONFLICT', 'The idempotency key was already used', [
      issue('schema', ['idempotencyKey'], 'Idempotency key already used'),
    ]),
};

/**
 * SQLite names the columns of a failed unique index, not the index: the index each column list
 * belongs to (the names PostgreSQL reports).
 */
const SQLITE_UNIQUE_COLUMNS: Readonly<Record<string, string>> = {
  'accounting_sync_logs.organization_id, accounting_sync_logs.idempotency_key':
    'uq_accounting_sync_logs_idempotency_key',
  'accounting_sync_logs.organization_id, accounting_sync_logs.chain_seq': 'uq_accounting_sync_logs_chain_seq',
  'accounting_sync_logs.organization_id': 'uq_accounting_sync_logs_one_active_per_org',
  'organizations.id': 'organizations_pkey',
};

/** The constraint a SQLite message names: a CHECK by its name, a unique index by its columns. */
function constraintFromSqlite(message: string): string | undefined {
  const check = /CHECK constraint failed: (\w+)/.exec(message);
  if (check) return check[1];
  const unique = /UNIQUE constraint failed: (.+)$/.exec(message);
  return unique ? SQLITE_UNIQUE_COLUMNS[unique[1] as string] : undefined;
}

function checkError(constraint: string | undefined): DomainError {
  const known = constraint ? CHECK_RULES[constraint] : undefined;
  return new DomainError(
    'VALIDATION_FAILED',
    `Validation failed: the database refused the row (${constraint ?? 'check'})`,
    [issue(known?.rule ?? 'schema', known?.path ?? [], `Constraint ${constraint ?? 'check'} failed`)],
  );
}

const UNIQUE_CODES = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);
const CHECK_CODES = new Set(['23514', 'SQLITE_CONSTRAINT_CHECK']);
const FOREIGN_KEY_CODES = new Set(['23503', 'SQLITE_CONSTRAINT_FOREIGNKEY']);

/**
 * Maps a constraint the database enforced (because a race or a raw caller slipped past the domain
 * checks) to the DomainError the domain would have thrown. Returns null for anything else, which
 * the caller rethrows: only real faults (connection loss) stay driver errors.
 */
function constraintToDomainError(error: unknown): DomainError | null {
  const e = unwrap(error);
  if (!e) return null;
  const code = String(e.code ?? '');
  const message = String(e.message ?? '');
  const constraint =
    typeof e.constraint_name === 'string' ? e.constraint_name : constraintFromSqlite(message);

  const raised = RAISED.find((r) => code === r.sqlstate || r.words.some((word) => message.includes(word)));
  if (raised) return raised.error(message);
  if (UNIQUE_CODES.has(code)) {
    // PostgreSQL's message names the primary key even where the error carries no constraint name.
    const name = message.includes('organizations_pkey') ? 'organizations_pkey' : constraint;
    return (name ? UNIQUE[name]?.() : undefined) ?? null;
  }
  // SQLite cannot add a CHECK to a table: later rules are triggers that raise the same message.
  const sqliteCheckTrigger =
    code === 'SQLITE_CONSTRAINT_TRIGGER' && message.includes('CHECK constraint failed');
  if (CHECK_CODES.has(code) || sqliteCheckTrigger) return checkError(constraint);
  // Class 22 (data exception): a value the column cannot hold, e.g. a NUL byte in text.
  if (/^22[0-9A-Z]{3}$/.test(code)) {
    return new DomainError('VALIDATION_FAILED', 'Validation failed: a value cannot be stored as given', [
      issue('schema', [], message.slice(0, 200)),
    ]);
  }
  if (FOREIGN_KEY_CODES.has(code)) return organizationNotFound();
  return null;
}

/** Translate constraint violations into DomainErrors and lost connections into DatabaseUnavailableError. */
export function rethrowAsDomainError(error: unknown): never {
  throw constraintToDomainError(error) ?? unavailableError(error) ?? error;
}

/**
 * The database could not be reached or dropped the connection mid-statement (server restart, a
 * terminated backend, network loss). Nothing was committed: the transaction died with it. Callers
 * may retry; the API answers 503.
 */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  readonly code = 'DATABASE_UNAVAILABLE';
  constructor(readonly driverCode: string) {
    super(`The database is unavailable (${driverCode}); nothing was written`);
  }
}

/**
 * The "database unreachable" families: connection exceptions (08xxx), admin/crash shutdown and
 * cannot-connect-now (57P01-03), too many connections / out of resources (53xxx), a statement or
 * lock timeout (57014), a database dropped under us (3D000), socket and DNS failures, the driver's
 * own connection states, and SQLite's busy/IO errors. Each means the transaction died: nothing written.
 */
const UNAVAILABLE =
  /^(08[0-9A-Z]{3}|57P0[1-3]|53[0-9A-Z]{3}|57014|3D000|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|CONNECTION_(CLOSED|ENDED|DESTROYED)|CONNECT_TIMEOUT|SQLITE_BUSY.*|SQLITE_IOERR.*)$/;

/** A connection-level failure, as a typed error; null for anything else. */
export function unavailableError(error: unknown): DatabaseUnavailableError | null {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    message?: unknown;
    cause?: { code?: unknown; message?: unknown };
  };
  const driver = e.code === undefined && e.cause ? e.cause : e;
  const code = String(driver.code ?? '');
  if (UNAVAILABLE.test(code)) return new DatabaseUnavailableError(code);
  // ALLOW_CONNECTIONS false answers 55000, a class shared with real prerequisite errors: the message decides.
  if (code === '55000' && /not currently accepting connections/.test(String(driver.message ?? ''))) {
    return new DatabaseUnavailableError(code);
  }
  return null;
}
