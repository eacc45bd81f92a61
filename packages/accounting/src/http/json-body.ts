import { AccountingError } from '../port.js';

/**
 * Parse a response body that must be JSON. A body that is not (a garbled answer, a proxy's HTML
 * page) is a typed, retryable error; after a write its outcome is unknown.
 */
export function parseJsonBody(body: string, context: { status: number; write: boolean }): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new AccountingError(`Malformed response body (HTTP ${context.status}, ${body.length} bytes)`, {
      code: 'MALFORMED_RESPONSE',
      category: 'unknown',
      retryable: true,
      httpStatus: context.status,
      outcomeUnknown: context.write,
    });
  }
}

/** Narrow an unknown JSON value to a plain object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An answer that parsed but lacks what it must hold: retryable, and after a write its outcome is unknown. */
export function malformed(message: string, write = true): AccountingError {
  return new AccountingError(message, {
    code: 'MALFORMED_RESPONSE',
    category: 'unknown',
    retryable: true,
    outcomeUnknown: write,
  });
}
