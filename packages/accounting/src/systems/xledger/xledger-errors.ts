import { isObject } from '../../http/json-body.js';
import { AccountingError } from '../../port.js';

/** One entry of a GraphQL `errors[]` array as Xledger sends it. */
export interface GraphQlError {
  message: string;
  code?: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

/** Read `errors[]` leniently: entries without a message are kept with an empty one. */
export function readGraphQlErrors(value: unknown): GraphQlError[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).map((e) => ({
    message: typeof e.message === 'string' ? e.message : '',
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(Array.isArray(e.path)
      ? { path: e.path.filter((p) => typeof p === 'string' || typeof p === 'number') }
      : {}),
    ...(isObject(e.extensions) ? { extensions: e.extensions } : {}),
  }));
}

/** The provider's code: `extensions.code`, else the top-level `code`, else empty. */
export function graphQlErrorCode(error: GraphQlError): string {
  const fromExtensions = error.extensions?.code;
  if (typeof fromExtensions === 'string') return fromExtensions;
  return error.code ?? '';
}

/**
 * An error that concerns the whole request (throttling, credits, token, query), or undefined when
 * the error may concern one item. `write` marks a mutation, whose outcome a timeout leaves unknown.
 */
export function requestLevelError(
  error: GraphQlError,
  context: { write: boolean; rateLimitDelayMs: number; httpStatus: number },
): AccountingError | undefined {
  const code = graphQlErrorCode(error);
  const base = { providerCode: code || undefined, httpStatus: context.httpStatus };
  const message = error.message || code || 'Xledger refused the request';
  if (code.endsWith('BURST_RATE_LIMIT_REACHED') || code.endsWith('CONCURRENCY_LIMIT_REACHED')) {
    return new AccountingError(message, {
      ...base,
      code,
      category: 'rate_limit',
      retryable: true,
      retryAfterMs: retryAfterFrom(error) ?? context.rateLimitDelayMs,
    });
  }
  if (code.endsWith('INSUFFICIENT_CREDITS')) {
    return new AccountingError(message, { ...base, code, category: 'configuration', retryable: false });
  }
  if (/bad format for api token/i.test(error.message) || code === 'UNAUTHENTICATED' || code === 'FORBIDDEN') {
    return new AccountingError(message, {
      ...base,
      code: code || 'BAD_API_TOKEN',
      category: 'auth',
      retryable: false,
    });
  }
  if (/your query timed out/i.test(error.message)) {
    return new AccountingError(message, {
      ...base,
      code: code || 'QUERY_TIMED_OUT',
      category: 'unavailable',
      retryable: true,
      outcomeUnknown: context.write,
    });
  }
  if (
    /cannot query field/i.test(error.message) ||
    code === 'GRAPHQL_VALIDATION_FAILED' ||
    code === 'GRAPHQL_PARSE_FAILED'
  ) {
    return new AccountingError(message, {
      ...base,
      code: code || 'QUERY_REJECTED',
      category: 'configuration',
      retryable: false,
    });
  }
  return undefined;
}

function retryAfterFrom(error: GraphQlError): number | undefined {
  const seconds = error.extensions?.retryAfterSeconds;
  return typeof seconds === 'number' && seconds >= 0 ? Math.round(seconds * 1000) : undefined;
}
