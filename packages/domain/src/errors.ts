/** How serious a validation issue is: `error` blocks the command, `warning` never does. */
type IssueSeverity = 'error' | 'warning';

/** Names of the spec's validation rules, exactly as written there. */
const VALIDATION_RULES = [
  'period_end_after_period_start',
  'completed_at_after_started_at',
  'records_counts_non_negative',
  'valid_status_transition',
  'organization_id_exists',
  'external_reference_id_format',
] as const;
/** A validation rule named in the spec. */
type ValidationRule = (typeof VALIDATION_RULES)[number];

/**
 * Rules this product adds where the spec is silent. `records_progress_bounded`: while a sync runs,
 * its reported counts never go down and `recordsSynced + recordsFailed` never exceeds `recordsTotal`.
 * `connection_check`: a connection stored with verification must pass the ledger's read-only checks.
 * `confirm_unposted_needs_unverified`: a re-sync confirms postings not in the ledger only when its
 * parent left unverified postings open (there is nothing else to confirm).
 * `time_zone_known`: an organization's time zone is an IANA name the runtime knows.
 * `period_span_bounded`: an export, preview or history filter spans at most five years.
 * `reversal_of_posted_sync`: only a success or partial sync that is not itself a reversal can be
 * reversed. `one_reversal_per_sync`: a sync is reversed at most once (its recovery is a re-sync).
 */
export const PRODUCT_RULES = [
  'records_progress_bounded',
  'connection_check',
  'confirm_unposted_needs_unverified',
  'time_zone_known',
  'period_span_bounded',
  'reversal_of_posted_sync',
  'one_reversal_per_sync',
] as const;
/** A rule this product adds to the spec's. */
export type ProductRule = (typeof PRODUCT_RULES)[number];

/**
 * One finding of a rule. `rule` is a spec rule name, a business rule name, a product rule, or `schema` for a
 * shape error found by zod; `path` points at the offending field (camelCase, as on the wire).
 */
export interface ValidationIssue {
  rule: ValidationRule | BusinessRule | ProductRule | 'schema';
  severity: IssueSeverity;
  path: (string | number)[];
  message: string;
}

/** Names of the spec's business rules, exactly as written there. */
const BUSINESS_RULES = [
  'immutable_on_terminal_status',
  'one_active_sync_per_organization',
  'accounting_module_must_be_enabled',
  'records_count_consistency',
  'org_admin_cannot_delete',
  'failed_sync_retains_error_details',
] as const;
/** A business rule named in the spec. */
type BusinessRule = (typeof BUSINESS_RULES)[number];

/**
 * The public error codes clients branch on (see the contract's error table). `LEASE_LOST`: the
 * caller no longer owns the sync attempt it acts for (the row left `in_progress`, another claim
 * holds a higher epoch, or the lease expired), so it must not write to the ledger again.
 * `SYNC_NOT_REVERSIBLE`: the sync posted nothing a reversal could undo (it is not success or partial)
 * or is itself a reversal. `SYNC_ALREADY_REVERSED`: a reversal of the sync exists already.
 */
const DOMAIN_ERROR_CODES = [
  'VALIDATION_FAILED',
  'ORGANIZATION_NOT_FOUND',
  'ACCOUNTING_MODULE_DISABLED',
  'SYNC_ALREADY_ACTIVE',
  'INVALID_STATUS_TRANSITION',
  'RECORD_IMMUTABLE',
  'ERROR_DETAILS_REQUIRED',
  'IDEMPOTENCY_KEY_CONFLICT',
  'FORBIDDEN',
  'NOT_FOUND',
  'LEASE_LOST',
  'SYNC_NOT_REVERSIBLE',
  'SYNC_ALREADY_REVERSED',
] as const;
/** A public error code. */
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/**
 * The one error type of the domain. Every refused command throws it, carrying the contract's
 * `code` and, where rules were broken, the blocking `issues`.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly code: DomainErrorCode;
  readonly issues: ValidationIssue[];

  constructor(code: DomainErrorCode, message: string, issues: ValidationIssue[] = []) {
    super(message);
    this.code = code;
    this.issues = issues;
  }
}

/** Narrow an unknown thrown value to {@link DomainError} (works across package copies). */
export function isDomainError(value: unknown): value is DomainError {
  if (value instanceof DomainError) return true;
  if (!(value instanceof Error) || value.name !== 'DomainError') return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && (DOMAIN_ERROR_CODES as readonly string[]).includes(code);
}

/** Split findings into blocking errors and warnings. */
function partitionIssues(issues: readonly ValidationIssue[]): {
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
} {
  return {
    errors: issues.filter((i) => i.severity === 'error'),
    warnings: issues.filter((i) => i.severity === 'warning'),
  };
}

/** Throw `VALIDATION_FAILED` when any issue is an error; return the warnings otherwise. */
export function throwOnErrors(
  issues: readonly ValidationIssue[],
  code: DomainErrorCode = 'VALIDATION_FAILED',
) {
  const { errors, warnings } = partitionIssues(issues);
  if (errors.length > 0) {
    const first = errors[0] as ValidationIssue;
    throw new DomainError(code, `Validation failed: ${first.message}`, errors);
  }
  return warnings;
}

/**
 * `ORGANIZATION_NOT_FOUND`: the organization a command names does not exist. Carries the
 * `organization_id_exists` issue on `organizationId`, so every caller — the domain's plan, the
 * stores, the API's routers, a foreign key the database enforced — refuses it alike. Without an id
 * (the database names only the constraint) the message says "The organization".
 */
export function organizationNotFound(organizationId?: string): DomainError {
  const subject = organizationId === undefined ? 'The organization' : `Organization ${organizationId}`;
  return new DomainError('ORGANIZATION_NOT_FOUND', `${subject} does not exist`, [
    {
      rule: 'organization_id_exists',
      severity: 'error',
      path: ['organizationId'],
      message: `${subject} does not exist`,
    },
  ]);
}
