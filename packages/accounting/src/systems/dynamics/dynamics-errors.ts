import type { ErrorCategory } from '@meander/domain';
import { isObject } from '../../http/json-body.js';
import { errorForStatus } from '../../http/status-error.js';
import { AccountingError } from '../../port.js';

/** Business Central's OData error: `{"error":{"code","message"}}`, the CorrelationId inside the message. */
export interface ODataError {
  code: string;
  message: string;
  correlationId?: string;
}

/** The code Business Central returns when a key already exists (here: the external document number). */
const ENTITY_WITH_SAME_KEY_EXISTS = 'Internal_EntityWithSameKeyExists';

/** Read an OData error body, or undefined when the body is something else. */
export function readODataError(body: unknown): ODataError | undefined {
  if (!isObject(body) || !isObject(body.error)) return undefined;
  const code = typeof body.error.code === 'string' ? body.error.code : '';
  const message = typeof body.error.message === 'string' ? body.error.message : '';
  const correlationId = correlationIdFrom(message);
  return { code, message, ...(correlationId ? { correlationId } : {}) };
}

/** The GUID after `CorrelationId:` in a Business Central message. */
function correlationIdFrom(message: string): string | undefined {
  return /CorrelationId:\s*([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/.exec(
    message,
  )?.[1];
}

/** How one failed operation reads: a refusal of this record, a key that already exists, or a whole-request failure. */
export type OperationFailure =
  | { kind: 'rejected'; code: string; category: ErrorCategory; reason: string }
  | { kind: 'existing'; code: string }
  | { kind: 'request'; error: AccountingError };

/**
 * Classify a failed journal-line operation by the error code's family. Application_* and the
 * remaining BadRequest_* refuse this record's data (validation, never retried); the rest concern
 * the request (credentials, throttling, outage, a wrong company or journal).
 */
export function classifyOperationFailure(
  status: number,
  error: ODataError | undefined,
  context: { write: boolean; retryAfterMs?: number },
): OperationFailure {
  const code = error?.code ?? '';
  if (code === ENTITY_WITH_SAME_KEY_EXISTS) return { kind: 'existing', code };
  const isRecordRefusal =
    status !== 429 &&
    status < 500 &&
    (code.startsWith('Application_') || (code.startsWith('BadRequest_') && !isNotFound(code, status)));
  if (isRecordRefusal) {
    return {
      kind: 'rejected',
      code,
      category: 'validation',
      reason: stripCorrelation(error?.message ?? code),
    };
  }
  return { kind: 'request', error: dynamicsRequestError(status, error, context) };
}

/** A whole-request failure, typed by the code's family and then by the HTTP status. */
export function dynamicsRequestError(
  status: number,
  error: ODataError | undefined,
  context: { write: boolean; retryAfterMs?: number },
): AccountingError {
  const code = error?.code ?? '';
  const message = error?.message || `Business Central answered HTTP ${status}`;
  const common = {
    httpStatus: status,
    ...(code ? { providerCode: code } : {}),
    ...(error?.correlationId ? { correlationId: error.correlationId } : {}),
  };
  const typed = (
    category: ErrorCategory,
    retryable: boolean,
    outcomeUnknown = false,
    retryAfterMs?: number,
  ) =>
    new AccountingError(message, {
      ...common,
      code: code || `HTTP_${status}`,
      category,
      retryable,
      outcomeUnknown,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  if (status === 429) return typed('rate_limit', true, false, context.retryAfterMs);
  if (code.startsWith('Authentication_') || code.startsWith('Authorization_')) return typed('auth', false);
  if (code === 'Request_EntityChanged') return typed('unavailable', true);
  if (isNotFound(code, status)) return typed('configuration', false);
  if (code.startsWith('Internal_')) return typed('unavailable', true, context.write, context.retryAfterMs);
  if (code.startsWith('Application_') || code.startsWith('BadRequest_')) return typed('validation', false);
  return errorForStatus({
    status,
    write: context.write,
    message,
    ...(code ? { providerCode: code } : {}),
    ...(error?.correlationId ? { correlationId: error.correlationId } : {}),
    ...(context.retryAfterMs !== undefined ? { retryAfterMs: context.retryAfterMs } : {}),
  });
}

function isNotFound(code: string, status: number): boolean {
  return status === 404 || code === 'BadRequest_NotFound' || code === 'BadRequest_ResourceNotFound';
}

/** Per-record reasons are kept without the correlation id, which lives on the batch error instead. */
function stripCorrelation(message: string): string {
  return message.replace(/\s*CorrelationId:\s*[0-9a-fA-F-]+\.?/, '').trim();
}
