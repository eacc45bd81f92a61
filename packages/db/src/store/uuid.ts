const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a string can be a row id. PostgreSQL refuses to compare a malformed uuid (an error);
 * the stores answer "not found" for an id that cannot exist, the same on both dialects.
 */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
