import { DatabaseUnavailableError, unavailableError } from '@meander/db';
import {
  type Action,
  authorize,
  DomainError,
  isDomainError,
  type Principal,
  type ValidationIssue,
} from '@meander/domain';
import { initTRPC, TRPCError } from '@trpc/server';
import { RateLimitedError } from '../rate-limit.js';
import type { Context } from './context.js';
import { TRPC_CODE_OF } from './domain-error-map.js';
import { errorKind } from './error-kinds.js';

const t = initTRPC.context<Context>().create({
  // No transformer: inputs and outputs are plain JSON, callable from any HTTP client.
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const { domainCode, issues, message = shape.message } = errorKind(error);
    // Internal errors never leak their message (it may name tables or data).
    const safeMessage = error.code === 'INTERNAL_SERVER_ERROR' ? 'Internal error' : message;
    // (SERVICE_UNAVAILABLE keeps its message: it names no data, only that nothing was written.)
    return {
      ...shape,
      message: safeMessage,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        domainCode,
        issues,
        ...(cause instanceof RateLimitedError ? { retryAfterSeconds: cause.retryAfterSeconds } : {}),
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * The tRPC error a domain error or a lost database maps to, or null for anything else. Subscriptions
 * use it too: an error thrown while a stream runs never passes the middleware below, and tRPC would
 * call it INTERNAL_SERVER_ERROR — which clients treat as retryable and reconnect forever.
 */
export function toTrpcError(cause: unknown): TRPCError | null {
  if (cause instanceof TRPCError) return cause;
  if (isDomainError(cause))
    return new TRPCError({ code: TRPC_CODE_OF[cause.code], message: cause.message, cause });
  const unavailable = cause instanceof DatabaseUnavailableError ? cause : unavailableError(cause);
  // Not the caller's fault and nothing was written: 503, safe to retry.
  if (unavailable)
    return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: unavailable.message, cause: unavailable });
  return null;
}

/**
 * A failed call → the tRPC error the contract names (so a rule never surfaces as a 500), counted
 * for /metrics. Shared by every procedure's one middleware.
 */
function failWith(ctx: Context, path: string, type: string, error: TRPCError): never {
  const cause = error.cause;
  const mapped = cause instanceof TRPCError ? null : toTrpcError(cause);
  ctx.metrics.countProcedure(path, type, isDomainError(cause) && mapped ? mapped.code : error.code);
  if (mapped) throw mapped;
  if (error.code === 'INTERNAL_SERVER_ERROR') {
    ctx.logger.error(
      { requestId: ctx.requestId, path, err: String(error.cause ?? error) },
      'procedure failed',
    );
  }
  throw error;
}

/** A throw from our own checks, as tRPC would have wrapped it. */
function asTRPCError(error: unknown): TRPCError {
  if (error instanceof TRPCError) return error;
  return new TRPCError({
    code: 'INTERNAL_SERVER_ERROR',
    cause: error instanceof Error ? error : new Error(String(error)),
  });
}

const AUTH_MESSAGES = {
  missing: 'Authentication required: send Authorization: Bearer <token>',
  invalid: 'The bearer token is not valid',
  expired: 'The bearer token has expired',
  claims: 'The bearer token lacks the claims this API needs (sub, role, org for org admins, iat, exp)',
  lifetime:
    'The bearer token lives longer than this API accepts (exp − iat above AUTH_TOKEN_MAX_LIFETIME_SECONDS)',
  issuer: 'The bearer token was issued by an issuer this API does not accept (iss)',
  audience: 'The bearer token is meant for another audience (aud)',
} as const;

/** Throw FORBIDDEN unless the domain policy lets `principal` do `action` (optionally on an organization). */
export function requireAllowed(principal: Principal, action: Action, organizationId?: string): void {
  const decision = authorize(principal, action, organizationId);
  if (!decision.allowed) {
    const issues: ValidationIssue[] =
      action === 'syncLog.delete'
        ? [{ rule: 'org_admin_cannot_delete', severity: 'error', path: [], message: decision.reason }]
        : [];
    throw new DomainError('FORBIDDEN', decision.reason, issues);
  }
}

/**
 * The one middleware of an authenticated procedure, in order: a known principal (401), the
 * principal's write limit for mutations (429 with Retry-After — before the input is even parsed, so
 * a flood of invalid writes is slowed like a flood of valid ones), the policy's verdict on `action`
 * (403; the organization-level check happens in the handler), then the procedure; any failure is
 * mapped to the contract's code and counted. One middleware instead of three stacked ones: one
 * closure, one context object per call.
 */
function guarded(action: Action | null) {
  return t.middleware(async ({ ctx, path, type, next }) => {
    const principal = ctx.principal;
    try {
      if (!principal) {
        throw new TRPCError({ code: 'UNAUTHORIZED', message: AUTH_MESSAGES[ctx.authFailure ?? 'missing'] });
      }
      if (type === 'mutation' && ctx.writeLimiter) {
        try {
          await ctx.writeLimiter.take(`${principal.role}:${principal.userId}`);
        } catch (error) {
          if (error instanceof RateLimitedError)
            throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: error.message, cause: error });
          throw error;
        }
      }
      if (action) requireAllowed(principal, action);
    } catch (error) {
      failWith(
        ctx,
        path,
        type,
        isDomainError(error)
          ? new TRPCError({ code: TRPC_CODE_OF[error.code], message: error.message, cause: error })
          : asTRPCError(error),
      );
    }
    // The context already holds this principal, known non-null now: only its type needs narrowing.
    // `next({ ctx: { principal } })` would say the same but makes tRPC copy the whole context (every
    // dependency of the app) into a new object on every call.
    const result = await next<{ principal: Principal }>({});
    if (!result.ok) failWith(ctx, path, type, result.error);
    ctx.metrics.countProcedure(path, type, 'OK');
    return result;
  });
}

/** A procedure for one action of the policy; the organization-level check happens in the handler. */
export function procedureFor(action: Action) {
  return t.procedure.use(guarded(action));
}
