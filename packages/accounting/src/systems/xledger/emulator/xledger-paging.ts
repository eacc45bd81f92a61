import { GraphQLError } from 'graphql';
import type { XledgerJournalEntry, XledgerLedgerItem } from './xledger-ledger.js';
import type { XledgerAccount } from './xledger-processing.js';

/** Article 23685633055250 ("GraphQL pagination"): at most 10,000 records per query, then cursors. */
export const XLEDGER_MAX_RECORDS_PER_QUERY = 10_000;

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
}
export interface ItemFilter {
  dbId?: string | null;
  dbId_in?: readonly string[] | null;
  extIdentifier?: string | null;
  extIdentifier_in?: readonly string[] | null;
  trRegNumber?: number | null;
}
export interface ErrorFilter {
  dbId?: string | null;
  transactionDbId?: string | null;
  transactionDbId_in?: readonly string[] | null;
}
export interface AccountFilter {
  dbId?: string | null;
  code?: string | null;
  code_in?: readonly string[] | null;
}

export function matchesItem(item: XledgerLedgerItem, f: ItemFilter | undefined): boolean {
  if (!f) return true;
  if (f.dbId != null && item.dbId !== f.dbId) return false;
  if (f.dbId_in != null && !f.dbId_in.includes(item.dbId)) return false;
  if (f.extIdentifier != null && item.extIdentifier !== f.extIdentifier) return false;
  if (
    f.extIdentifier_in != null &&
    (item.extIdentifier === null || !f.extIdentifier_in.includes(item.extIdentifier))
  )
    return false;
  if (f.trRegNumber != null && item.trRegNumber !== f.trRegNumber) return false;
  return true;
}

export interface JournalEntryFilter {
  dbId?: string | null;
  extIdentifier?: string | null;
  extIdentifier_in?: readonly string[] | null;
}

export function matchesEntry(e: XledgerJournalEntry, f: JournalEntryFilter | undefined): boolean {
  if (!f) return true;
  if (f.dbId != null && e.dbId !== f.dbId) return false;
  if (f.extIdentifier != null && e.extIdentifier !== f.extIdentifier) return false;
  if (
    f.extIdentifier_in != null &&
    (e.extIdentifier === null || !f.extIdentifier_in.includes(e.extIdentifier))
  )
    return false;
  return true;
}

export function matchesError(
  e: { dbId: string; transactionDbId: string },
  f: ErrorFilter | undefined,
): boolean {
  if (!f) return true;
  if (f.dbId != null && e.dbId !== f.dbId) return false;
  if (f.transactionDbId != null && e.transactionDbId !== f.transactionDbId) return false;
  if (f.transactionDbId_in != null && !f.transactionDbId_in.includes(e.transactionDbId)) return false;
  return true;
}

export function matchesAccount(a: XledgerAccount & { dbId: string }, f: AccountFilter | undefined): boolean {
  if (!f) return true;
  if (f.dbId != null && a.dbId !== f.dbId) return false;
  if (f.code != null && a.code !== f.code) return false;
  if (f.code_in != null && !f.code_in.includes(a.code)) return false;
  return true;
}

/** A Relay page over rows ordered by `dbId`; cursors are opaque base64 of the `dbId`. */
export function page<T extends { dbId: string }>(
  rows: readonly T[],
  args: PageArgs,
  maxPageSize: number,
  toNode: (row: T) => unknown,
) {
  if (args.after != null && decodeCursor(args.after) === null) {
    throw new GraphQLError('after is not a cursor of this connection');
  }
  for (const n of [args.first, args.last]) {
    if (n != null && n < 0) throw new GraphQLError('first and last must not be negative');
  }
  const after = args.after != null ? decodeCursor(args.after) : null;
  const rest = after === null ? [...rows] : rows.filter((r) => BigInt(r.dbId) > after);
  // Larger pages are cut to the server's ceiling, as GraphQL servers commonly do; hasNextPage says so.
  let slice: T[];
  let hasNextPage = false;
  let hasPreviousPage = after !== null;
  if (args.first == null && args.last != null) {
    const size = Math.min(args.last, maxPageSize);
    slice = rest.slice(Math.max(0, rest.length - size));
    hasPreviousPage = slice.length < rest.length;
  } else {
    const size = Math.min(args.first ?? maxPageSize, maxPageSize);
    slice = rest.slice(0, size);
    hasNextPage = rest.length > size;
  }
  const edges = slice.map((row) => ({ cursor: encodeCursor(row.dbId), node: toNode(row) }));
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

function encodeCursor(dbId: string): string {
  return Buffer.from(`dbId:${dbId}`).toString('base64');
}

/** The `dbId` inside a cursor, or null when it is not one of ours. */
function decodeCursor(cursor: string): bigint | null {
  const match = /^dbId:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  return match?.[1] ? BigInt(match[1]) : null;
}
