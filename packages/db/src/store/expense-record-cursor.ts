import { DomainError } from '@meander/domain';
import { isUuid } from './uuid.js';

/** Position in an expense-record list: the last record's `(bookingDate, id)`, the keyset order. */
export interface RecordCursor {
  bookingDate: string;
  id: string;
}

/** Opaque base64url cursor; clients pass back `nextCursor` unchanged. */
export function encodeRecordCursor(bookingDate: string, id: string): string {
  return Buffer.from(JSON.stringify([bookingDate, id]), 'utf8').toString('base64url');
}

/** Decode a cursor, refusing anything this store did not produce with `VALIDATION_FAILED`. */
export function decodeRecordCursor(raw: string): RecordCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [bookingDate, id] = parsed as unknown[];
      if (
        typeof bookingDate === 'string' &&
        /^\d{4}-\d{2}-\d{2}$/.test(bookingDate) &&
        typeof id === 'string' &&
        isUuid(id)
      )
        return { bookingDate, id: id.toLowerCase() };
    }
  } catch {
    // fall through to the typed error
  }
  throw new DomainError('VALIDATION_FAILED', 'Validation failed: cursor is not a cursor this API returned', [
    { rule: 'schema', severity: 'error', path: ['cursor'], message: 'Pass back nextCursor unchanged' },
  ]);
}
