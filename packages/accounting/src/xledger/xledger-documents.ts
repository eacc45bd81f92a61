import { createHash } from 'node:crypto';
import type { ExportRecord } from '@meander/domain';
import { minorUnitsToDecimal } from '../decimal-amount.js';

// The GraphQL documents the adapter sends. Arguments always travel as variables, never inlined,
// so no record text is ever spliced into a query. The input type names are *unconfirmed* (not
// in Xledger's public material); the field names are the ones public clients use.

/** Post items; `extIdentifier` is selected back so each `dbId` is matched to its record by key, not position. */
export const ADD_GL_IMPORT_ITEMS = `mutation AddGLImportItems($inputs: [AddGLImportItemsInput!]!) {
  addGLImportItems(inputs: $inputs) { edges { node { dbId extIdentifier } } }
}`;

/** Find items by Meander's record id (`extIdentifier`): how a lost answer is recovered. */
export const GL_IMPORT_ITEMS_BY_EXT_IDENTIFIER = `query GLImportItemsByExtIdentifier($first: Int!, $after: String, $filter: GLImportItemFilter) {
  glImportItems(first: $first, after: $after, filter: $filter) {
    edges { cursor node { dbId extIdentifier trRegNumber } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** The cheapest authenticated read: proves the endpoint, the token and the credits. */
export const CONNECTION_CHECK = `query ConnectionCheck {
  glImportItems(first: 1) { pageInfo { hasNextPage } }
}`;

/** One item of `addGLImportItems(inputs: …)`. */
export interface GlImportItemInput {
  node: {
    extIdentifier: string;
    postedDate: string;
    account: { code: string };
    amount: string;
    currency: { code: string };
    text?: string;
    trRegNumber: number;
  };
}

/** The mutation input for one record; the amount is a decimal string moved from minor units, never a float. */
export function toGlImportItemInput(record: ExportRecord, trRegNumber: number): GlImportItemInput {
  return {
    node: {
      extIdentifier: record.id,
      postedDate: record.bookingDate,
      account: { code: record.account },
      amount: minorUnitsToDecimal(record.amountMinor, record.currency),
      currency: { code: record.currency },
      ...(record.description ? { text: record.description } : {}),
      trRegNumber,
    },
  };
}

/**
 * The caller-chosen `trRegNumber` (a positive Int32 — the narrowest integer Xledger might use)
 * groups every item of one sync. Derived from the sync log id, so a retried or resumed push of
 * the same sync carries the same number.
 */
export function registrationNumberFor(syncLogId: string): number {
  const digest = createHash('sha256').update(syncLogId).digest();
  return (digest.readUInt32BE(0) % 2_147_483_646) + 1;
}
