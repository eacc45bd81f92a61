import { z } from 'zod';

/**
 * Datetimes are ISO-8601 UTC strings with millisecond precision (`2026-10-01T00:00:00.000Z`)
 * everywhere in the domain: on the wire, in the types, in the rules. One representation end to end
 * means no `Date`/string drift between the API, the store and other teams' code. Offsets are
 * accepted at the edge and normalized to UTC.
 */
export type IsoDateTime = string;

/** zod schema: an ISO-8601 datetime with `Z` or an offset, normalized to canonical UTC. */
export const isoDateTimeSchema = z.iso
  .datetime({ offset: true })
  .refine((v) => !Number.isNaN(Date.parse(v)), { message: 'Invalid datetime' })
  .transform((v) => new Date(v).toISOString());

/** Compare two canonical datetimes; negative when `a` is earlier. */
export function compareDateTimes(a: IsoDateTime, b: IsoDateTime): number {
  return Date.parse(a) - Date.parse(b);
}
