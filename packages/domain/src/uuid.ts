import { z } from 'zod';

/**
 * A UUID in its canonical form: lower-case hex, as PostgreSQL's uuid type prints it. Callers may
 * send upper case; every id is lower-cased on input, so both databases find the same row (the
 * databases refuse non-canonical ids written around the domain).
 */
export const uuidSchema = z.uuid().transform((value) => value.toLowerCase());

/** Lower-case a UUID (or any id string) to its canonical form; other strings only change case. */
export function canonicalUuid(value: string): string {
  return value.toLowerCase();
}
