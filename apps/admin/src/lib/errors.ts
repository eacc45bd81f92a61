/** The error data the API attaches to every tRPC error (see CONTRACT.md "Errors"). */
interface ApiErrorData {
  code?: string;
  httpStatus?: number;
  domainCode?: string;
  issues?: { rule?: string; severity?: string; path?: (string | number)[]; message?: string }[];
}

const FIELD_LABELS: Record<string, string> = {
  organizationId: 'Organization',
  periodStart: 'Period start',
  periodEnd: 'Period end',
  periodFrom: 'Period from',
  periodTo: 'Period to',
  startedAfter: 'Started after',
  startedBefore: 'Started before',
  triggeredBy: 'Triggered by',
  syncLogId: 'Sync',
  id: 'Sync',
  limit: 'Page size',
  cursor: 'Page',
};

const RULE_SENTENCES: Record<string, string> = {
  period_end_after_period_start: 'the end of the period must be after its start',
  organization_id_exists: 'this organization does not exist',
  one_active_sync_per_organization: 'a sync for this organization is already running',
  accounting_module_must_be_enabled: 'the accounting module is disabled for this organization',
  immutable_on_terminal_status: 'a finished sync can no longer be changed',
  valid_status_transition: 'the sync is not in a state that allows this',
  records_count_consistency: 'synced and failed records cannot exceed the total',
  records_counts_non_negative: 'record counts cannot be negative',
  failed_sync_retains_error_details: 'a failed sync must say why it failed',
  completed_at_after_started_at: 'a sync cannot complete before it started',
  org_admin_cannot_delete: 'only the audit-log service may delete sync records',
};

const CODE_SENTENCES: Record<string, string> = {
  ORGANIZATION_NOT_FOUND: 'This organization does not exist.',
  ACCOUNTING_MODULE_DISABLED:
    'The accounting module is disabled for this organization, so nothing can be exported. A global admin can enable it.',
  SYNC_ALREADY_ACTIVE:
    'A sync is already running for this organization. Wait until it finishes, then try again.',
  INVALID_STATUS_TRANSITION:
    'This sync is not in a state that allows this action any more. Reload to see where it is.',
  RECORD_IMMUTABLE:
    'This sync has finished; finished syncs are part of the audit trail and cannot be changed.',
  ERROR_DETAILS_REQUIRED: 'A failed sync must say why it failed.',
  IDEMPOTENCY_KEY_CONFLICT: 'This idempotency key was already used for a different push.',
  SYNC_NOT_REVERSIBLE:
    'This sync cannot be reversed: only a success or partial sync that is not itself a reversal can be.',
  SYNC_ALREADY_REVERSED:
    'This sync was already reversed. If that reversal did not finish, re-sync the reversal instead.',
  FORBIDDEN: 'Your role is not allowed to do this.',
  NOT_FOUND: 'Not found: it does not exist, or it belongs to an organization you cannot see.',
  UNAUTHENTICATED: 'Your session has ended or the token is not valid. Sign in again.',
  DATABASE_UNAVAILABLE: 'The database cannot be reached right now. Try again in a moment.',
  RATE_LIMITED: 'Too many requests in a short time. Wait a moment and try again.',
  TOO_MANY_REQUESTS: 'Too many requests in a short time. Wait a moment and try again.',
};

function dataOf(error: unknown): ApiErrorData | null {
  if (typeof error !== 'object' || error === null) return null;
  const data = (error as { data?: unknown }).data;
  if (typeof data === 'object' && data !== null) return data as ApiErrorData;
  // A 413 from the body limit and some proxies answer with { error: { data } } outside tRPC's shape.
  const shape = (error as { shape?: { data?: unknown } }).shape;
  return typeof shape?.data === 'object' && shape.data !== null ? (shape.data as ApiErrorData) : null;
}

function fieldOf(path: (string | number)[] | undefined): string | null {
  const last = path?.filter((p) => typeof p === 'string').at(-1);
  if (!last) return null;
  return FIELD_LABELS[last] ?? last.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** One sentence per blocking issue, e.g. "Period end: the end of the period must be after its start." */
export function issueSentences(issues: ApiErrorData['issues']): string[] {
  return (issues ?? [])
    .filter((issue) => issue.severity !== 'warning')
    .map((issue) => {
      const what = (issue.rule && RULE_SENTENCES[issue.rule]) ?? issue.message ?? 'is not valid';
      const field = fieldOf(issue.path);
      const sentence = field ? `${field}: ${what}` : capitalize(what);
      return sentence.endsWith('.') ? sentence : `${sentence}.`;
    });
}

/**
 * A typed API error as sentences for people: from `domainCode` and `issues`, never raw JSON.
 * `headline` is one sentence; `details` lists the field problems of a validation error.
 */
export function describeError(error: unknown): { headline: string; details: string[] } {
  const data = dataOf(error);
  const domainCode = data?.domainCode;
  const details = issueSentences(data?.issues);
  if (domainCode === 'VALIDATION_FAILED') {
    if (data?.code === 'PAYLOAD_TOO_LARGE' || data?.httpStatus === 413)
      return { headline: 'The request is too large for the API.', details };
    return {
      headline: details.length > 0 ? 'Some values need fixing.' : 'The request was not valid.',
      details,
    };
  }
  if (domainCode && CODE_SENTENCES[domainCode]) {
    const headline = CODE_SENTENCES[domainCode] as string;
    // A rule-level reason (e.g. "the end of the period must be after its start") only adds news when it differs.
    return { headline, details: details.filter((d) => d.toLowerCase() !== headline.toLowerCase()) };
  }
  if (data?.httpStatus === 401 || data?.code === 'UNAUTHORIZED')
    return { headline: CODE_SENTENCES.UNAUTHENTICATED as string, details: [] };
  if (data?.httpStatus === 429 || data?.code === 'TOO_MANY_REQUESTS')
    return { headline: CODE_SENTENCES.TOO_MANY_REQUESTS as string, details: [] };
  const message = error instanceof Error ? error.message : '';
  if (!data && (error instanceof TypeError || /fetch|network|Failed to/i.test(message)))
    return { headline: 'The API cannot be reached. Check that it is running and try again.', details: [] };
  if (data?.httpStatus && data.httpStatus >= 500)
    return {
      headline: 'The API had an internal problem. Try again; if it persists, tell the operators.',
      details: [],
    };
  return { headline: 'Something went wrong. Try again.', details: [] };
}

/** Whether an error means the token is no longer accepted (the console then signs out). */
export function isUnauthenticated(error: unknown): boolean {
  const data = dataOf(error);
  return data?.httpStatus === 401 || data?.code === 'UNAUTHORIZED' || data?.domainCode === 'UNAUTHENTICATED';
}
