/** Narrow an unknown JSON value to a plain object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A calendar date `YYYY-MM-DD` that exists. */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** A decimal amount as a string (kept exactly) — from a JSON string, or from a JSON number as a fallback. */
export function decimalText(value: unknown): string | undefined {
  if (typeof value === 'string' && /^-?\d{1,20}(\.\d{1,6})?$/.test(value)) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
