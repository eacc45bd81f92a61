import type { ExportRecord } from '@meander/domain';
import {
  type AdapterOptions,
  type AdapterRuntime,
  chunk,
  resolveAdapterRuntime,
} from '../adapter-options.js';
import { BatchState } from '../batch-state.js';
import { isObject } from '../http/json-body.js';
import { RetryBudget } from '../http/retry-budget.js';
import { withRetries } from '../http/with-retries.js';
import {
  type AccountingAdapter,
  AccountingError,
  type BatchContext,
  type BatchResult,
  type ConnectionCheck,
} from '../port.js';
import { XledgerClient } from './xledger-client.js';
import type { XledgerConnection } from './xledger-connection.js';
import {
  ADD_GL_IMPORT_ITEMS,
  CONNECTION_CHECK,
  GL_IMPORT_ITEMS_BY_EXT_IDENTIFIER,
  registrationNumberFor,
  toGlImportItemInput,
} from './xledger-documents.js';
import { DUPLICATE_EXT_IDENTIFIER, erroredRecordKey, graphQlErrorCode } from './xledger-errors.js';

/** Xledger does not publish a ceiling for one mutation (*unconfirmed*); keep requests modest. */
const MAX_ITEMS_PER_MUTATION = 500;
/** Ids per read-back query and items per page. */
const READ_BACK_PAGE_SIZE = 100;

/**
 * Xledger over GraphQL. Each record becomes one GL import item whose `extIdentifier` is Meander's
 * record id; the ledger's `dbId` is the record's external id.
 *
 * The batch reference (`externalReferenceId`) is the lowest `dbId` of the batch's accepted items:
 * Xledger issues no batch id (*unconfirmed*), a `dbId` is server-issued and numeric (1–19 digits,
 * the domain's expected shape), and the lowest one is the same whichever attempt posted what.
 * Every item of a sync also carries one caller-chosen `trRegNumber` (see `registrationNumberFor`).
 */
export class XledgerAdapter implements AccountingAdapter {
  readonly system = 'xledger' as const;
  private readonly runtime: AdapterRuntime;
  private readonly client: XledgerClient;

  constructor(connection: XledgerConnection, options: AdapterOptions = {}) {
    this.runtime = resolveAdapterRuntime(options, MAX_ITEMS_PER_MUTATION);
    this.client = new XledgerClient(connection, this.runtime);
  }

  async pushBatch(records: readonly ExportRecord[], context: BatchContext): Promise<BatchResult> {
    const state = new BatchState(records, this.runtime.readBackBeforePush || context.readBackFirst === true);
    const budget = new RetryBudget(this.runtime.policy, this.runtime.random);
    const trRegNumber = registrationNumberFor(context.syncLogId);
    await withRetries(
      () => this.pushPending(state, trRegNumber, budget, context.signal),
      budget,
      this.runtime.sleep,
      context.signal,
    );
    return state.result(lowestDbId(state.acceptedRecords().map((r) => r.externalId)));
  }

  async checkConnection(signal?: AbortSignal): Promise<ConnectionCheck> {
    const budget = new RetryBudget(this.runtime.policy, this.runtime.random);
    try {
      const result = await withRetries(
        () => this.client.execute(CONNECTION_CHECK, {}, { write: false, signal }),
        budget,
        this.runtime.sleep,
        signal,
      );
      const first = result.errors[0];
      if (first) return { ok: false, error: unknownError(first.message, graphQlErrorCode(first), false) };
      return { ok: true };
    } catch (error) {
      if (error instanceof AccountingError) return { ok: false, error };
      throw error;
    }
  }

  /** One attempt: settle what is in doubt, then send what is still pending, slice by slice. */
  private async pushPending(
    state: BatchState,
    trRegNumber: number,
    budget: RetryBudget,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    if (state.readBackNeeded) await this.readBack(state, state.pendingIds(), signal);
    for (const slice of chunk(state.pendingRecords(), this.runtime.itemsPerRequest)) {
      const stillPending = slice.filter((r) => state.isPending(r.id));
      if (stillPending.length === 0) continue;
      await this.sendSlice(state, stillPending, trRegNumber, signal);
      budget.succeeded();
      if (state.readBackNeeded)
        await this.readBack(
          state,
          stillPending.map((r) => r.id),
          signal,
        );
    }
  }

  private async sendSlice(
    state: BatchState,
    slice: readonly ExportRecord[],
    trRegNumber: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const keys = slice.map((r) => r.id);
    let result: Awaited<ReturnType<XledgerClient['execute']>>;
    try {
      result = await this.client.execute(
        ADD_GL_IMPORT_ITEMS,
        { inputs: slice.map((r) => toGlImportItemInput(r, trRegNumber)) },
        { write: true, signal },
      );
    } catch (error) {
      if (error instanceof AccountingError && error.details.outcomeUnknown) state.readBackNeeded = true;
      throw error;
    }

    const created = readCreatedItems(result.data, keys, result.errors.length === 0);
    if (created === undefined) {
      state.readBackNeeded = true;
      throw malformed('addGLImportItems answered without edges');
    }
    for (const [key, dbId] of created) state.accept(key, dbId);

    for (const error of result.errors) {
      const key = erroredRecordKey(error, keys);
      const code = graphQlErrorCode(error);
      if (key === undefined) {
        // An error no item owns, next to a mutation: what it applied is unknown until read back.
        state.readBackNeeded = true;
        throw unknownError(error.message || 'Xledger refused the batch', code || 'UNKNOWN', true);
      }
      if (code === DUPLICATE_EXT_IDENTIFIER) state.markReportedExisting(key, code);
      else
        state.reject({
          recordId: key,
          code: code || 'UNKNOWN',
          category: code === 'INVALID_VALUE' ? 'validation' : 'unknown',
          retryable: false,
          reason: error.message || 'Refused by Xledger',
        });
    }

    const unaccounted = keys.filter((k) => state.isPending(k) && !created.has(k));
    const unexplained = unaccounted.filter(
      (k) => !result.errors.some((e) => erroredRecordKey(e, keys) === k),
    );
    if (unexplained.length > 0) {
      state.readBackNeeded = true;
      throw new AccountingError(`Xledger's answer did not mention ${unexplained.length} of the items sent`, {
        code: 'INCOMPLETE_RESPONSE',
        category: 'unknown',
        retryable: true,
        outcomeUnknown: true,
      });
    }
  }

  /** Ask the ledger which of `keys` it holds (Relay pages) and settle them in `state`. */
  private async readBack(
    state: BatchState,
    keys: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const held = new Map<string, string>();
    for (const slice of chunk(keys, READ_BACK_PAGE_SIZE)) {
      let after: string | null = null;
      do {
        const result = await this.client.execute(
          GL_IMPORT_ITEMS_BY_EXT_IDENTIFIER,
          { first: READ_BACK_PAGE_SIZE, after, filter: { extIdentifier_in: slice } },
          { write: false, signal },
        );
        const first = result.errors[0];
        if (first) throw unknownError(first.message, graphQlErrorCode(first) || 'UNKNOWN', false, true);
        const page = readPage(result.data);
        for (const { extIdentifier, dbId } of page.items) {
          const known = held.get(extIdentifier);
          held.set(extIdentifier, known === undefined ? dbId : (lowestDbId([known, dbId]) ?? dbId));
        }
        after = page.next;
      } while (after !== null);
    }
    state.applyReadBack(keys, held);
  }
}

/** `dbId` per `extIdentifier` from the mutation's edges; by position only when every item succeeded. */
function readCreatedItems(
  data: Record<string, unknown> | null,
  keys: readonly string[],
  allSucceeded: boolean,
): Map<string, string> | undefined {
  const connection = data?.addGLImportItems;
  // With item errors the whole field may be null: then nothing in this answer was created.
  if (!isObject(connection) || !Array.isArray(connection.edges)) return allSucceeded ? undefined : new Map();
  const created = new Map<string, string>();
  const positional = allSucceeded && connection.edges.length === keys.length;
  connection.edges.forEach((edge, index) => {
    const node = isObject(edge) && isObject(edge.node) ? edge.node : undefined;
    const dbId = node ? idText(node.dbId) : undefined;
    if (node === undefined || dbId === undefined) return;
    const key =
      typeof node.extIdentifier === 'string' ? node.extIdentifier : positional ? keys[index] : undefined;
    if (key !== undefined && keys.includes(key)) created.set(key, dbId);
  });
  return created;
}

function readPage(data: Record<string, unknown> | null): {
  items: { extIdentifier: string; dbId: string }[];
  next: string | null;
} {
  const connection = data?.glImportItems;
  if (!isObject(connection) || !Array.isArray(connection.edges) || !isObject(connection.pageInfo)) {
    throw malformed('glImportItems answered without edges and pageInfo', false);
  }
  const items: { extIdentifier: string; dbId: string }[] = [];
  let lastCursor: string | null = null;
  for (const edge of connection.edges) {
    if (!isObject(edge) || !isObject(edge.node)) continue;
    if (typeof edge.cursor === 'string') lastCursor = edge.cursor;
    const dbId = idText(edge.node.dbId);
    const extIdentifier = edge.node.extIdentifier;
    if (dbId !== undefined && typeof extIdentifier === 'string') items.push({ extIdentifier, dbId });
  }
  if (connection.pageInfo.hasNextPage !== true) return { items, next: null };
  const endCursor = connection.pageInfo.endCursor;
  const next = typeof endCursor === 'string' ? endCursor : lastCursor;
  if (next === null) throw malformed('glImportItems has a next page but no cursor', false);
  return { items, next };
}

/** Xledger sends Int64 ids as strings; accept a JSON integer too. */
function idText(value: unknown): string | undefined {
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

function malformed(message: string, write = true): AccountingError {
  return new AccountingError(message, {
    code: 'MALFORMED_RESPONSE',
    category: 'unknown',
    retryable: true,
    outcomeUnknown: write,
  });
}

function unknownError(
  message: string,
  code: string,
  outcomeUnknown: boolean,
  retryable = false,
): AccountingError {
  return new AccountingError(message || 'Xledger reported an error', {
    code: code || 'UNKNOWN',
    providerCode: code || undefined,
    category: 'unknown',
    retryable,
    outcomeUnknown,
  });
}
