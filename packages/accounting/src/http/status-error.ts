import type { ErrorCategory } from '@meander/domain';
import { AccountingError } from '../port.js';

/** What the provider said about a failed request, once its own body was read. */
export interface StatusErrorInput {
  status: number;
  write: boolean;
  message: string;
  providerCode?: string;
  correlationId?: string;
  retryAfterMs?: number;
}

/**
 * The generic reading of an HTTP status for a whole request, used when the provider's body says
 * nothing more specific. 5xx after a write leaves the outcome unknown; 429 was refused unapplied.
 */
export function errorForStatus(input: StatusErrorInput): AccountingError {
  const { status } = input;
  const [code, category, retryable] = classify(status);
  return new AccountingError(input.message, {
    code: input.providerCode ?? code,
    category,
    retryable,
    httpStatus: status,
    outcomeUnknown: input.write && (status >= 500 || status === 408),
    ...(input.providerCode ? { providerCode: input.providerCode } : {}),
    ...(input.correlationId ? { correlationId: input.correlationId } : {}),
    ...(input.retryAfterMs !== undefined ? { retryAfterMs: input.retryAfterMs } : {}),
  });
}

function classify(status: number): [string, ErrorCategory, boolean] {
  if (status === 401 || status === 403) return ['AUTH_FAILED', 'auth', false];
  if (status === 429) return ['RATE_LIMITED', 'rate_limit', true];
  if (status === 408) return ['TIMEOUT', 'unavailable', true];
  if (status === 413) return ['PAYLOAD_TOO_LARGE', 'configuration', false];
  if (status === 404) return ['NOT_FOUND', 'configuration', false];
  if (status === 501) return ['NOT_IMPLEMENTED', 'configuration', false];
  if (status >= 500) return ['UNAVAILABLE', 'unavailable', true];
  if (status >= 400) return ['BAD_REQUEST', 'validation', false];
  return ['UNEXPECTED_STATUS', 'unknown', false];
}
