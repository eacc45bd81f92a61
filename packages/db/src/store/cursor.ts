import { DomainError } from '@meander/domain';
import { isUuid } from './uuid.js';

/**
 * Position in the history list: the last row's `(createdAt, id)`, the keyset order. Both are
 * immutable, so a row that starts (its `startedAt` moves) while a client pages is neither skipped
 * nor repeated.
 */
export interface ListCursor {
  createdAt: string;
  id: string;
}

/** Opaque base64url cursor; clients pass back `nextCursor` unchanged. */
export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id]), 'utf8').toString('base64url');
}

/** Decode a cursor, refusing anything this store did not produce with `VALIDATION_FAILED`. */
export function decodeCursor(raw: string): ListCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [createdAt, id] = parsed as unknown[];
      if (typeof createdAt === 'string' && typeof id === 'string' && isUuid(id)) {
        const date = new Date(createdAt);
        if (!Number.isNaN(date.getTime())) return { createdAt: date.toISOString(), id: id.toLowerCase() };
      }
    }
  } catch {
    // fall through to the typed error
  }
  throw new DomainError('VALIDATION_FAILED', 'Validation failed: cursor is not a cursor this API returned', [
    { rule: 'schema', severity: 'error', path: ['cursor'], message: 'Pass back nextCursor unchanged' },
  ]);
}
