import { type DomainError, isDomainError, issuesFromZod, type ValidationIssue } from '@meander/domain';
import type { TRPC_ERROR_CODE_KEY, TRPCError } from '@trpc/server';

interface IssueLike {
  path?: PropertyKey[];
  message?: string;
}

/** An issue on the wire: a domain rule, or a rule of the API's own edge (batch size). */
type ApiIssue = Omit<ValidationIssue, 'rule'> & { rule: ValidationIssue['rule'] | 'max_batch_size' };

/** What an error's `data` says beyond tRPC's shape, and the message when tRPC's would not do. */
export interface ErrorKind {
  domainCode: string | null;
  issues: ApiIssue[];
  /** Replaces tRPC's message (a validation failure the API itself found lists its issues). */
  message?: string;
}

/** The message tRPC's `maxBatchSize` check throws. */
const TRPC_BATCH_TOO_LARGE = 'Batch call exceeds maximum size';

/** zod (or any Standard Schema) issues → the contract's issue shape. */
function schemaIssues(cause: unknown): ValidationIssue[] | null {
  const issues = (cause as { issues?: unknown } | null)?.issues;
  if (!Array.isArray(issues)) return null;
  // A refinement that names its rule (`params.rule`, e.g. time_zone_known) keeps it on the wire.
  const rules = issuesFromZod({ issues } as Parameters<typeof issuesFromZod>[0]);
  return (issues as IssueLike[]).map((i, n) => ({
    rule: rules[n]?.rule ?? 'schema',
    severity: 'error',
    path: (i.path ?? []).map((p) => (typeof p === 'number' ? p : String(p))),
    message: i.message ?? 'Invalid value',
  }));
}

/** A validation failure found at the API's edge: its message names every issue. */
function validationFailed(issues: ApiIssue[]): ErrorKind {
  const listed = issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
  return { domainCode: 'VALIDATION_FAILED', issues, message: `Validation failed: ${listed}` };
}

/**
 * The kinds an error is told apart by, first match wins: the order matters (a domain error may
 * travel under any tRPC code; a lost database under INTERNAL_SERVER_ERROR or SERVICE_UNAVAILABLE).
 */
const KINDS: readonly { is: (error: TRPCError) => boolean; kind: (error: TRPCError) => ErrorKind }[] = [
  {
    is: (error) => isDomainError(error.cause),
    kind: (error) => {
      const cause = error.cause as DomainError;
      return { domainCode: cause.code, issues: cause.issues };
    },
  },
  {
    // tRPC's own batch cap (the HTTP layer refuses first; this covers any other way in).
    is: (error) => error.code === 'BAD_REQUEST' && error.message === TRPC_BATCH_TOO_LARGE,
    kind: (error) =>
      validationFailed([{ rule: 'max_batch_size', severity: 'error', path: [], message: error.message }]),
  },
  {
    is: (error) => error.code === 'BAD_REQUEST' || error.code === 'PARSE_ERROR',
    kind: (error) =>
      validationFailed(
        schemaIssues(error.cause) ?? [
          { rule: 'schema', severity: 'error', path: [], message: error.message },
        ],
      ),
  },
  {
    is: (error) => (error.cause as { code?: unknown } | undefined)?.code === 'DATABASE_UNAVAILABLE',
    kind: () => ({ domainCode: 'DATABASE_UNAVAILABLE', issues: [] }),
  },
];

/** The rest is told apart by its tRPC code alone. */
const DOMAIN_CODE_OF_TRPC: Partial<Record<TRPC_ERROR_CODE_KEY, string>> = {
  TOO_MANY_REQUESTS: 'RATE_LIMITED',
  UNAUTHORIZED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
};

/** The domain code and issues a failed call reports in its error's `data`. */
export function errorKind(error: TRPCError): ErrorKind {
  const match = KINDS.find((k) => k.is(error));
  if (match) return match.kind(error);
  return { domainCode: DOMAIN_CODE_OF_TRPC[error.code] ?? null, issues: [] };
}
