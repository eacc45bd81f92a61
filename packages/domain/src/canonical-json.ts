import { SYNC_LOG_FIELDS, type SyncLog } from './sync-log.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Canonical JSON: object keys sorted by UTF-16 code unit order at every depth, no whitespace,
 * `undefined` members dropped, numbers and strings as `JSON.stringify` writes them. Two equal
 * values always give the same string, so a hash over it is stable.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value as Json));
}

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value).sort()) {
      const member = value[key];
      if (member !== undefined) out[key] = sortKeys(member);
    }
    return out;
  }
  return value;
}

/**
 * The canonical JSON of a sync log's spec fields (camelCase keys, datetimes as
 * `YYYY-MM-DDTHH:mm:ss.sssZ`, absent values as `null`). This is what the compliance hash chain
 * hashes; an auditor can recompute it from an evidence export.
 */
export function canonicalSyncLogJson(syncLog: SyncLog): string {
  const picked: Record<string, unknown> = {};
  for (const field of SYNC_LOG_FIELDS) picked[field] = syncLog[field] ?? null;
  return canonicalJson(picked);
}
