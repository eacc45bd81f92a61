import type { SyncLog } from './sync-log.js';

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
 * The fields hashed by chain recipe 1, frozen: the spec's 17 fields as they were when the chain was
 * introduced. Never edit this list — a row sealed with recipe 1 must verify forever. A new field goes
 * into a new recipe (`CHAIN_FIELDS_V2`, `CHAIN_RECIPES[2]`, `CURRENT_CHAIN_RECIPE = 2`), and every row
 * keeps the recipe it was sealed with beside its hash. The recipe is documented once, in
 * packages/db/README.md ("The hash chain, for auditors").
 */
export const CHAIN_FIELDS_V1 = Object.freeze([
  'id',
  'organizationId',
  'accountingSystem',
  'syncType',
  'status',
  'triggeredBy',
  'periodStart',
  'periodEnd',
  'recordsTotal',
  'recordsSynced',
  'recordsFailed',
  'payloadSummary',
  'errorDetails',
  'externalReferenceId',
  'startedAt',
  'completedAt',
  'createdAt',
] as const satisfies readonly (keyof SyncLog)[]);

/** Every chain recipe, by version: the fields each one hashes. */
export const CHAIN_RECIPES = Object.freeze({ 1: CHAIN_FIELDS_V1 });
/** A chain recipe version. */
export type ChainRecipeVersion = keyof typeof CHAIN_RECIPES;
/** The recipe new seals use. */
export const CURRENT_CHAIN_RECIPE: ChainRecipeVersion = 1;

/** True when `value` names a known chain recipe. */
export function isChainRecipeVersion(value: unknown): value is ChainRecipeVersion {
  return typeof value === 'number' && Object.hasOwn(CHAIN_RECIPES, value);
}

/**
 * The canonical JSON of a sync log's fields under a chain recipe (camelCase keys, datetimes as
 * `YYYY-MM-DDTHH:mm:ss.sssZ`, absent values as `null`). This is what the compliance hash chain
 * hashes; an auditor can recompute it from an evidence export.
 */
export function canonicalSyncLogJson(
  syncLog: SyncLog,
  recipe: ChainRecipeVersion = CURRENT_CHAIN_RECIPE,
): string {
  const picked: Record<string, unknown> = {};
  for (const field of CHAIN_RECIPES[recipe]) picked[field] = syncLog[field] ?? null;
  return canonicalJson(picked);
}
