import type { AccountingModuleState } from './accounting-module.js';
import type {
  CompleteSyncLogCommand,
  CreateSyncLogCommand,
  FailSyncLogCommand,
  ReportProgressCommand,
} from './commands.js';
import type { IsoDateTime } from './datetime.js';
import type { SyncStatus } from './enums.js';
import { appendWarning, type ErrorDetails } from './error-details.js';
import { DomainError, organizationNotFound, throwOnErrors, type ValidationIssue } from './errors.js';
import { assertAccountingModuleEnabled } from './rules/accounting-module-must-be-enabled.js';
import { checkCompletedAtAfterStartedAt } from './rules/completed-at-after-started-at.js';
import { checkExternalReferenceIdFormat } from './rules/external-reference-id-format.js';
import { assertErrorDetailsRetained } from './rules/failed-sync-retains-error-details.js';
import { assertMutable } from './rules/immutable-on-terminal-status.js';
import { assertNoActiveSync } from './rules/one-active-sync-per-organization.js';
import { checkOrganizationIdExists } from './rules/organization-id-exists.js';
import { checkPeriodEndAfterPeriodStart } from './rules/period-end-after-period-start.js';
import { checkPeriodSpanBounded } from './rules/period-span-bounded.js';
import { decideCompletion } from './rules/records-count-consistency.js';
import { checkRecordsCountsNonNegative } from './rules/records-counts-non-negative.js';
import { checkRecordsProgressBounded } from './rules/records-progress-bounded.js';
import { checkValidStatusTransition } from './rules/valid-status-transition.js';
import type { SyncLog } from './sync-log.js';

/**
 * The lifecycle as pure decisions: each `plan*` takes the current state and what the caller looked
 * up, applies every rule, and returns the next state — or throws a {@link DomainError}. Stores call
 * these inside their transaction and persist the result; nothing else decides a status.
 */

/** The result of a command: the row to persist and the non-blocking warnings to hand back. */
export interface Planned {
  syncLog: SyncLog;
  warnings: ValidationIssue[];
}

/** Input rules of a create command that need no lookup (period order, counts, who triggered). */
export function validateCreateCommand(command: CreateSyncLogCommand): ValidationIssue[] {
  const issues = [
    ...checkPeriodEndAfterPeriodStart(command),
    ...checkPeriodSpanBounded(command.periodStart, command.periodEnd),
    ...checkRecordsCountsNonNegative(command),
  ];
  if (command.syncType === 'manual' && !command.triggeredBy) {
    issues.push({
      rule: 'schema',
      severity: 'error',
      path: ['triggeredBy'],
      message: 'A manual export must name the admin who triggered it (triggeredBy)',
    });
  }
  if (command.syncType === 'scheduled' && command.triggeredBy) {
    issues.push({
      rule: 'schema',
      severity: 'error',
      path: ['triggeredBy'],
      message: 'A scheduled sync has no triggering user; triggeredBy must be null',
    });
  }
  return issues;
}

/** What a create needs looked up: the organization, its accounting module, its active sync. */
export interface CreateContext {
  id: string;
  now: IsoDateTime;
  organization: unknown;
  accountingModule: AccountingModuleState | null;
  activeSync: { id: string; status: SyncStatus } | null;
}

/**
 * Plan a new `pending` sync. Order of checks: input rules (`VALIDATION_FAILED`), then
 * `organization_id_exists` (`ORGANIZATION_NOT_FOUND`), `accounting_module_must_be_enabled`,
 * the configured system, and `one_active_sync_per_organization`.
 */
export function planCreate(command: CreateSyncLogCommand, context: CreateContext): Planned {
  throwOnErrors(validateCreateCommand(command));
  if (checkOrganizationIdExists(command.organizationId, context.organization).length > 0)
    throw organizationNotFound(command.organizationId);
  assertAccountingModuleEnabled(command.organizationId, context.accountingModule);
  const configured = context.accountingModule?.config?.accountingSystem;
  if (configured && configured !== command.accountingSystem) {
    throwOnErrors([
      {
        rule: 'schema',
        severity: 'error',
        path: ['accountingSystem'],
        message: `Organization ${command.organizationId} is configured for ${configured}, not ${command.accountingSystem}`,
      },
    ]);
  }
  assertNoActiveSync(command.organizationId, context.activeSync);
  return {
    syncLog: {
      id: context.id,
      organizationId: command.organizationId,
      accountingSystem: command.accountingSystem,
      syncType: command.syncType,
      status: 'pending',
      triggeredBy: command.triggeredBy ?? null,
      periodStart: command.periodStart,
      periodEnd: command.periodEnd,
      recordsTotal: command.recordsTotal,
      recordsSynced: 0,
      recordsFailed: 0,
      payloadSummary: command.payloadSummary ?? null,
      errorDetails: null,
      externalReferenceId: null,
      // A pending sync has not run yet; startedAt is when it was scheduled and moves to the
      // moment a worker claims it.
      startedAt: context.now,
      completedAt: null,
      createdAt: context.now,
    },
    warnings: [],
  };
}

function assertTransition(current: SyncLog, to: SyncStatus): void {
  assertMutable(current);
  const issues = checkValidStatusTransition(current.status, to);
  if (issues.length > 0) {
    throw new DomainError('INVALID_STATUS_TRANSITION', (issues[0] as ValidationIssue).message, issues);
  }
}

/** Plan `pending → in_progress` (a worker claimed it at `now`). */
export function planStart(current: SyncLog, now: IsoDateTime): Planned {
  assertTransition(current, 'in_progress');
  return { syncLog: { ...current, status: 'in_progress', startedAt: now }, warnings: [] };
}

/**
 * Plan new running counts for an active sync: non-negative, never lower than the last report, and
 * never more than `recordsTotal` together (`records_progress_bounded`).
 */
export function planProgress(current: SyncLog, command: Omit<ReportProgressCommand, 'id'>): Planned {
  assertMutable(current);
  throwOnErrors(checkRecordsCountsNonNegative(command));
  throwOnErrors(checkRecordsProgressBounded(current, command));
  return {
    syncLog: { ...current, recordsSynced: command.recordsSynced, recordsFailed: command.recordsFailed },
    warnings: [],
  };
}

/** Append warnings to error details, creating a warnings-only record on a clean success. */
function withWarnings(details: ErrorDetails | null, warnings: ValidationIssue[]): ErrorDetails | null {
  if (warnings.length === 0) return details;
  let next: ErrorDetails = details ?? {
    code: 'COMPLETED_WITH_WARNINGS',
    message: 'The sync completed; see warnings',
    category: 'validation',
    retryable: false,
  };
  for (const w of warnings) next = appendWarning(next, { rule: w.rule, message: w.message });
  return next;
}

/**
 * Plan the completion of an in-progress sync: `records_count_consistency` decides success or
 * partial, `failed_sync_retains_error_details` requires context for rejections, and a reference of
 * the wrong shape is kept with an `external_reference_id_format` warning.
 */
export function planComplete(
  current: SyncLog,
  command: Omit<CompleteSyncLogCommand, 'id'>,
  now: IsoDateTime,
): Planned {
  // success and partial share their only source state, so one check covers both.
  assertTransition(current, 'success');
  throwOnErrors(checkRecordsCountsNonNegative(command));
  const decision = decideCompletion({
    recordsTotal: current.recordsTotal,
    recordsSynced: command.recordsSynced,
    recordsFailed: command.recordsFailed,
    errorDetails: command.errorDetails,
  });
  throwOnErrors(checkCompletedAtAfterStartedAt({ startedAt: current.startedAt, completedAt: now }));

  const formatWarnings = checkExternalReferenceIdFormat(
    current.accountingSystem,
    command.externalReferenceId,
  );
  const countWarnings: ValidationIssue[] = (decision.errorDetails?.warnings ?? [])
    .filter((w) => w.rule === 'records_count_consistency')
    .map((w) => ({
      rule: 'records_count_consistency',
      severity: 'warning',
      path: ['recordsTotal'],
      message: w.message,
    }));

  return {
    syncLog: {
      ...current,
      status: decision.status,
      recordsSynced: command.recordsSynced,
      recordsFailed: command.recordsFailed,
      externalReferenceId: command.externalReferenceId ?? null,
      payloadSummary: command.payloadSummary ?? current.payloadSummary,
      errorDetails: withWarnings(decision.errorDetails, formatWarnings),
      completedAt: now,
    },
    warnings: [...countWarnings, ...formatWarnings],
  };
}

/** Plan `pending|in_progress → failed`; error details are mandatory. */
export function planFail(
  current: SyncLog,
  command: Omit<FailSyncLogCommand, 'id'>,
  now: IsoDateTime,
): Planned {
  assertTransition(current, 'failed');
  assertErrorDetailsRetained('failed', command.errorDetails);
  // A pending sync failed before it ran completes at the moment it is failed; never before it "started".
  const completedAt = Date.parse(now) < Date.parse(current.startedAt) ? current.startedAt : now;
  return {
    syncLog: {
      ...current,
      status: 'failed',
      errorDetails: command.errorDetails ?? null,
      payloadSummary: command.payloadSummary ?? current.payloadSummary,
      completedAt,
    },
    warnings: [],
  };
}
