import { type AdapterRuntime, chunk } from '../../adapter-options.js';
import { isObject, malformed } from '../../http/json-body.js';
import { RetryBudget } from '../../http/retry-budget.js';
import { withRetries } from '../../http/with-retries.js';
import { AccountingError } from '../../port.js';
import type { XledgerClient } from './xledger-client.js';
import {
  ACCOUNTS_BY_CODE,
  GL_IMPORT_ITEM_ERRORS,
  GL_IMPORT_ITEMS_BY_EXT_IDENTIFIER,
  JOURNAL_ENTRIES_BY_EXT_IDENTIFIER,
  LEDGER_STATE_BY_EXT_IDENTIFIER,
  OBJECT_KINDS,
  PROCESSING_STATE,
} from './xledger-documents.js';
import { graphQlErrorCode } from './xledger-errors.js';

/** Keys per filtered read and items per page (grasp-labs reads pages of `first: 1000`). */
const READ_PAGE_SIZE = 500;

/** What the ledger holds for some `extIdentifier`s. */
export interface LedgerState {
  /** Lines booked: `extIdentifier` → lowest journal entry `dbId`. */
  booked: Map<string, string>;
  /** Import items listed: `extIdentifier` → their `dbId`s (staged, refused, or processed and still listed). */
  listed: Map<string, string[]>;
}

/** One connection of a request that asks for several, and how to continue it alone. */
interface ConnectionPart {
  field: string;
  /** The variable of the combined request that carries this connection's filter. */
  variable: string;
  filter: Record<string, unknown>;
  /** A single-connection query taking `$first`, `$after` and `$filter`, for its further pages. */
  continuation: string;
}

/**
 * Xledger's reads, page by page. Reads inside a push are tried once (`retried = false`): the
 * push's own retry budget repeats them.
 */
export class XledgerReads {
  constructor(
    private readonly client: XledgerClient,
    private readonly runtime: AdapterRuntime,
  ) {}

  /** Booked lines and listed import items for these `extIdentifier`s, one request per 500 keys. */
  async ledgerState(keys: readonly string[], signal: AbortSignal | undefined): Promise<LedgerState> {
    const state: LedgerState = { booked: new Map(), listed: new Map() };
    for (const slice of chunk(keys, READ_PAGE_SIZE)) {
      const nodes = await this.together(
        LEDGER_STATE_BY_EXT_IDENTIFIER,
        [
          {
            field: 'journalEntries',
            variable: 'entries',
            filter: { extIdentifier_in: slice },
            continuation: JOURNAL_ENTRIES_BY_EXT_IDENTIFIER,
          },
          {
            field: 'glImportItems',
            variable: 'items',
            filter: { extIdentifier_in: slice },
            continuation: GL_IMPORT_ITEMS_BY_EXT_IDENTIFIER,
          },
        ],
        signal,
      );
      addBooked(state.booked, nodes.journalEntries ?? []);
      for (const node of nodes.glImportItems ?? []) {
        const dbId = idText(node.dbId);
        if (dbId === undefined || typeof node.extIdentifier !== 'string') continue;
        state.listed.set(node.extIdentifier, [...(state.listed.get(node.extIdentifier) ?? []), dbId]);
      }
    }
    return state;
  }

  /**
   * Whether imported items were processed: the journal entries of `keys` and the processing
   * errors of the items `itemDbIds`, one request per 500 of each.
   */
  async processingState(
    keys: readonly string[],
    itemDbIds: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<{ booked: Map<string, string>; errors: Map<string, string[]> }> {
    const booked = new Map<string, string>();
    const errors = new Map<string, string[]>();
    const keySlices = chunk(keys, READ_PAGE_SIZE);
    const idSlices = chunk(itemDbIds, READ_PAGE_SIZE);
    for (let i = 0; i < Math.max(keySlices.length, idSlices.length); i++) {
      const nodes = await this.together(
        PROCESSING_STATE,
        [
          {
            field: 'journalEntries',
            variable: 'entries',
            // An empty `_in` list matches nothing.
            filter: { extIdentifier_in: keySlices[i] ?? [] },
            continuation: JOURNAL_ENTRIES_BY_EXT_IDENTIFIER,
          },
          {
            field: 'glImportItemErrors',
            variable: 'errors',
            filter: { transactionDbId_in: idSlices[i] ?? [] },
            continuation: GL_IMPORT_ITEM_ERRORS,
          },
        ],
        signal,
      );
      addBooked(booked, nodes.journalEntries ?? []);
      addErrors(errors, nodes.glImportItemErrors ?? []);
    }
    return { booked, errors };
  }

  /** `glImportItemErrors` messages per import item `dbId`. */
  async importErrors(dbIds: readonly string[], signal: AbortSignal | undefined) {
    const errors = new Map<string, string[]>();
    for (const slice of chunk(dbIds, READ_PAGE_SIZE)) {
      const nodes: Record<string, unknown>[] = [];
      for await (const node of this.pages(
        GL_IMPORT_ITEM_ERRORS,
        'glImportItemErrors',
        { transactionDbId_in: slice },
        signal,
        false,
      ))
        nodes.push(node);
      addErrors(errors, nodes);
    }
    return errors;
  }

  /** Account codes of `codes` that the chart of accounts holds. */
  async knownAccounts(codes: readonly string[], signal: AbortSignal | undefined): Promise<Set<string>> {
    const known = new Set<string>();
    for (const slice of chunk(codes, READ_PAGE_SIZE)) {
      for await (const node of this.pages(ACCOUNTS_BY_CODE, 'accounts', { code_in: slice }, signal)) {
        if (typeof node.code === 'string') known.add(node.code);
      }
    }
    return known;
  }

  /** Which of `codes` the connection `field` (read with `query`, filtered by `code_in` and `filter`) holds. */
  async existingCodes(
    query: string,
    field: string,
    codes: readonly string[],
    signal: AbortSignal | undefined,
    filter: Record<string, unknown> = {},
  ): Promise<Set<string>> {
    const found = new Set<string>();
    for (const slice of chunk(codes, READ_PAGE_SIZE)) {
      for await (const node of this.pages(query, field, { ...filter, code_in: slice }, signal)) {
        if (typeof node.code === 'string') found.add(node.code);
      }
    }
    return found;
  }

  /** The `dbId` of the object kind named `name` (e.g. `TAX_RULE`), if Xledger lists one. */
  async objectKindDbId(name: string, signal: AbortSignal | undefined): Promise<string | undefined> {
    for await (const node of this.pages(OBJECT_KINDS, 'objectKinds', null, signal)) {
      if (node.name === name) return idText(node.dbId);
    }
    return undefined;
  }

  /**
   * A read; an error in the answer fails it. `retried` reads have their own retry budget; reads
   * inside a push are tried once, because the push's own retries repeat them.
   */
  async read(
    query: string,
    variables: Record<string, unknown>,
    signal: AbortSignal | undefined,
    retried = true,
  ): Promise<Record<string, unknown> | null> {
    const once = () => this.client.execute(query, variables, { write: false, signal });
    const result = retried
      ? await withRetries(
          once,
          new RetryBudget(this.runtime.policy, this.runtime.random),
          this.runtime.sleep,
          signal,
        )
      : await once();
    const first = result.errors[0];
    if (first) {
      const code = graphQlErrorCode(first) || 'UNKNOWN';
      throw new AccountingError(first.message || 'Xledger reported an error', {
        code,
        providerCode: code,
        category: 'unknown',
        retryable: false,
      });
    }
    return result.data;
  }

  /**
   * Several connections in one request (each a root field of `query`), every one then continued
   * alone while it has more pages (article 23685633055250: at most 10,000 records per query, then
   * cursors). Tried once: only pushes use it.
   */
  private async together(
    query: string,
    parts: readonly ConnectionPart[],
    signal: AbortSignal | undefined,
  ): Promise<Record<string, Record<string, unknown>[]>> {
    const variables: Record<string, unknown> = { first: READ_PAGE_SIZE };
    for (const part of parts) variables[part.variable] = part.filter;
    const data = await this.read(query, variables, signal, false);
    const found: Record<string, Record<string, unknown>[]> = {};
    for (const part of parts) {
      const { nodes, next } = pageOf(data, part.field);
      if (next !== null) {
        for await (const node of this.pages(part.continuation, part.field, part.filter, signal, false, next))
          nodes.push(node);
      }
      found[part.field] = nodes;
    }
    return found;
  }

  /** Every node of a filtered Relay connection, page by page, from `after`. */
  async *pages(
    query: string,
    field: string,
    filter: Record<string, unknown> | null,
    signal: AbortSignal | undefined,
    retried = true,
    after: string | null = null,
  ): AsyncGenerator<Record<string, unknown>> {
    let cursor = after;
    do {
      // A connection without a filter argument gets no `filter` variable (`objectKinds`).
      const variables = { first: READ_PAGE_SIZE, after: cursor, ...(filter ? { filter } : {}) };
      const data = await this.read(query, variables, signal, retried);
      const { nodes, next } = pageOf(data, field);
      yield* nodes;
      cursor = next;
    } while (cursor !== null);
  }
}

/** The nodes of one page of `field`, and the cursor of the next page (null on the last). */
function pageOf(
  data: Record<string, unknown> | null,
  field: string,
): { nodes: Record<string, unknown>[]; next: string | null } {
  const connection = data?.[field];
  if (!isObject(connection) || !Array.isArray(connection.edges) || !isObject(connection.pageInfo)) {
    throw malformed(`${field} answered without edges and pageInfo`, false);
  }
  const nodes: Record<string, unknown>[] = [];
  let lastCursor: string | null = null;
  for (const edge of connection.edges) {
    if (!isObject(edge) || !isObject(edge.node)) continue;
    if (typeof edge.cursor === 'string') lastCursor = edge.cursor;
    nodes.push(edge.node);
  }
  if (connection.pageInfo.hasNextPage !== true) return { nodes, next: null };
  const endCursor = connection.pageInfo.endCursor;
  const next = typeof endCursor === 'string' ? endCursor : lastCursor;
  if (next === null) throw malformed(`${field} has a next page but no cursor`, false);
  return { nodes, next };
}

function addBooked(booked: Map<string, string>, nodes: readonly Record<string, unknown>[]): void {
  for (const node of nodes) {
    const dbId = idText(node.dbId);
    if (dbId === undefined || typeof node.extIdentifier !== 'string') continue;
    const known = booked.get(node.extIdentifier);
    booked.set(node.extIdentifier, known === undefined ? dbId : (lowestDbId([known, dbId]) ?? dbId));
  }
}

function addErrors(errors: Map<string, string[]>, nodes: readonly Record<string, unknown>[]): void {
  for (const node of nodes) {
    const dbId = idText(node.transactionDbId);
    if (dbId === undefined) continue;
    const message = typeof node.message === 'string' && node.message ? node.message : 'Refused by Xledger';
    errors.set(dbId, [...(errors.get(dbId) ?? []), message]);
  }
}

/** Xledger sends Int64 ids as strings; accept a JSON integer too. */
export function idText(value: unknown): string | undefined {
  if (typeof value === 'string' && /^[0-9]{1,19}$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}

/** The numerically lowest of Int64 ids written as strings, or null for none. */
export function lowestDbId(ids: readonly string[]): string | null {
  let lowest: string | null = null;
  for (const id of ids) {
    if (lowest === null || BigInt(id) < BigInt(lowest)) lowest = id;
  }
  return lowest;
}
