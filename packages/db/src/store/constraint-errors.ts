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

export function constraintToDomainError(error: unknown): DomainError | null {
  const e = unwrap(error);
  if (!e) return null;
  const code = String(e.code ?? '');
  const message = String(e.message ?? '');
  const constraint =
    typeof e.constraint_name === 'string' ? e.constraint_name : constraintFromSqlite(message);

  if (code === 'MS001' || message.includes('RECORD_IMMUTABLE')) {
    return new DomainError(
      'RECORD_IMMUTABLE',
      'The sync log is in a terminal status and can no longer change',
      [
        {
          rule: 'immutable_on_terminal_status',
          severity: 'error',
          path: ['status'],
          message: 'Terminal rows are immutable',
        },
      ],
    );
  }
  if (code === 'MS002' || message.includes('TOMBSTONE_REQUIRED')) {
    return new DomainError(
      'FORBIDDEN',
      'A sync log can only be deleted together with its deletion tombstone',
      [
        {
          rule: 'org_admin_cannot_delete',
          severity: 'error',
          path: ['id'],
          message: 'Delete through syncLogs.delete',
        },
      ],
    );
  }
  if (code === 'MS003' || message.includes('INVALID_STATUS_TRANSITION')) {
    return new DomainError('INVALID_STATUS_TRANSITION', 'The status machine does not allow this move', [
      {
        rule: 'valid_status_transition',
        severity: 'error',
        path: ['status'],
        message: 'Only the transitions of STATUS_TRANSITIONS are allowed',
      },
    ]);
  }
  if (code === 'MS004' || message.includes('RECORDS_PROGRESS_DECREASED')) {
    return new DomainError(
      'VALIDATION_FAILED',
      'Validation failed: progress of a running sync cannot go down',
      [
        {
          rule: 'records_progress_bounded',
          severity: 'error',
          path: ['recordsSynced'],
          message: 'Reported counts never go down while a sync runs',
        },
      ],
    );
  }
  if (code === 'MS005' || message.includes('ACCOUNTING_MODULE_DISABLED')) {
    return new DomainError(
      'ACCOUNTING_MODULE_DISABLED',
      'The accounting module of the organization is disabled',
      [
        {
          rule: 'accounting_module_must_be_enabled',
          severity: 'error',
          path: ['organizationId'],
          message: 'Enable the admin-accounting module first',
        },
      ],
    );
  }
  if (code === 'MS006' || message.includes('LEASE_REQUIRED') || message.includes('LEASE_EPOCH_NOT_GROWING')) {
    // The lease trigger (migration 0007) refused a claim or a change of a running attempt's epoch.
    return new DomainError('LEASE_LOST', `The database refused the sync's lease: ${message.slice(0, 300)}`);
  }
  if (message.includes('UUID_NOT_CANONICAL')) {
    return new DomainError('VALIDATION_FAILED', 'Validation failed: ids are lower-case canonical UUIDs', [
      { rule: 'schema', severity: 'error', path: ['id'], message: 'Use the canonical lower-case UUID' },
    ]);
  }
  if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    if (constraint === 'uq_accounting_sync_logs_one_active_per_org') {
      return new DomainError('SYNC_ALREADY_ACTIVE', 'The organization already has an active sync', [
        {
          rule: 'one_active_sync_per_organization',
          severity: 'error',
          path: ['organizationId'],
          message: 'A new sync waits until the active one reaches a terminal state',
        },
      ]);
    }
    if (
      message.includes('organizations_pkey') ||
      constraint === 'organizations_pkey' ||
      /organizations\.id/.test(message)
    ) {
      return new DomainError('VALIDATION_FAILED', 'An organization with this id already exists', [
        { rule: 'schema', severity: 'error', path: ['id'], message: 'Organization id already in use' },
      ]);
    }
    if (constraint === 'uq_accounting_sync_logs_idempotency_key') {
      return new DomainError('IDEMPOTENCY_KEY_CONFLICT', 'The idempotency key was already used', [
        {
          rule: 'schema',
          severity: 'error',
          path: ['idempotencyKey'],
          message: 'Idempotency key already used',
        },
      ]);
    }
    return null;
  }
  // SQLite cannot add a CHECK to a table: later rules are triggers that raise the same message.
  const sqliteCheckTrigger =
    code === 'SQLITE_CONSTRAINT_TRIGGER' && message.includes('CHECK constraint failed');
  if (code === '23514' || code === 'SQLITE_CONSTRAINT_CHECK' || sqliteCheckTrigger) {
    const known = constraint ? CHECK_RULES[constraint] : undefined;
    return new DomainError(
      'VALIDATION_FAILED',
      `Validation failed: the database refused the row (${constraint ?? 'check'})`,
      [
        {
          rule: known?.rule ?? 'schema',
          severity: 'error',
          path: known?.path ?? [],
          message: `Constraint ${constraint ?? 'check'} failed`,
        },
      ],
    );
  }
  // Class 22 (data exception): a value the column cannot hold, e.g. a NUL byte in text.
  if (/^22[0-9A-Z]{3}$/.test(code)) {
    return new DomainError('VALIDATION_FAILED', 'Validation failed: a value cannot be stored as given', [
      { rule: 'schema', severity: 'error', path: [], message: message.slice(0, 200) },
    ]);
  }
  if (code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return organizationNotFound();
  }
  return null;
}

/** SQLite names the columns of a failed unique index, and the name of a failed CHECK. */
function constraintFromSqlite(message: string): string | undefined {
  const check = /CHECK constraint failed: (\w+)/.exec(message);
  if (check) return check[1];
  if (
    /UNIQUE constraint failed: accounting_sync_logs\.organization_id, accounting_sync_logs\.idempotency_key/.test(
      message,
    )
  ) {
    return 'uq_accounting_sync_logs_idempotency_key';
  }
  if (
    /UNIQUE constraint failed: accounting_sync_logs\.organization_id, accounting_sync_logs\.chain_seq/.test(
      message,
    )
  ) {
    return 'uq_accounting_sync_logs_chain_seq';
  }
  if (/UNIQUE constraint failed: accounting_sync_logs\.organization_id$/.test(message)) {
    return 'uq_accounting_sync_logs_one_active_per_org';
  }
  return undefined;
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
