import type { ExportRecord } from '@meander/domain';
import {
  type AdapterOptions,
  type AdapterRuntime,
  chunk,
  resolveAdapterRuntime,
} from '../../adapter-options.js';
import { BatchState } from '../../batch-state.js';
import type { RequestCount } from '../../http/http-request.js';
import { isObject } from '../../http/json-body.js';
import { RetryBudget } from '../../http/retry-budget.js';
import { withRetries } from '../../http/with-retries.js';
import { invalidRecordRejection } from '../../invalid-record.js';
import {
  type AccountingAdapter,
  AccountingError,
  type BatchContext,
  type BatchResult,
  type ConnectionCheck,
  type ConnectionCheckItem,
  type ConnectionReport,
  PREFLIGHT_CODES,
  type PreflightContext,
  type PreflightResult,
  type RejectedRecord,
} from '../../port.js';
import { SyncScopedReads } from '../../sync-scoped-reads.js';
import { type GraphQlResult, XledgerClient } from './xledger-client.js';
import type { XledgerConnection } from './xledger-connection.js';
import {
  ACCOUNTS_BY_CODE,
  ADD_GL_IMPORT_ITEMS,
  CONNECTION_CHECK,
  GL_IMPORT_ITEM_ERRORS,
  GL_IMPORT_ITEMS_BY_EXT_IDENTIFIER,
  linesFor,
  plannedDocumentFor,
  registrationNumberFor,
  toGlImportItemInput,
  type XledgerLine,
} from './xledger-documents.js';
import { graphQlErrorCode } from './xledger-errors.js';

/** Help centre article 8715787519634: at most 500 nodes per mass mutation; a record is two nodes. */
const MAX_RECORDS_PER_MUTATION = 250;
/** Keys per filtered read and items per page (grasp-labs reads pages of `first: 1000`). */
const READ_PAGE_SIZE = 500;
/** The code of a per-record rejection read from `glImportItemErrors` (the message is kept verbatim). */
export const GL_IMPORT_ITEM_ERROR = 'GL_IMPORT_ITEM_ERROR';

/**
 * Xledger over GraphQL. Each record becomes one balanced voucher of two GL import items: the
 * expense line (`extIdentifier` = the record id) and a contra line on the configured
 * `contraAccount` (`extIdentifier` = record id + `:contra`), both with the configured
 * `transactionSource`, the sync's `trRegNumber` and amounts as decimal strings. Results are
 * matched to lines by the `clientId` each edge echoes. After a write, `glImportItemErrors`
 * tells which items processing refused; those records are rejected with Xledger's message.
 *
 * `extIdentifier` is not unique in Xledger, so nothing relies on a refusal of a repeat: before
 * any send that could repeat a write (a lost answer, a re-sync) the adapter reads back by
 * `extIdentifier` and sends only the lines the ledger does not hold.
 */
export class XledgerAdapter implements AccountingAdapter {
  readonly system = 'xledger' as const;

  get requests(): Readonly<RequestCount> {
    return this.runtime.transport.count ?? { reads: 0, writes: 0 };
  }
  private readonly runtime: AdapterRuntime;
  private readonly client: XledgerClient;
  /** Per sync: whether each account code asked about so far is in the chart of accounts. */
  private readonly chartOfAccounts = new SyncScopedReads(() => new Map<string, boolean>());

  constructor(
    private readonly connection: XledgerConnection,
    options: AdapterOptions = {},
  ) {
    this.runtime = resolveAdapterRuntime(options, MAX_RECORDS_PER_MUTATION);
    this.client = new XledgerClient(connection, this.runtime);
  }

  async pushBatch(records: readonly ExportRecord[], context: BatchContext): Promise<BatchResult> {
    // Always read back first: `extIdentifier` is not unique in Xledger, so a second export of an
    // exported period (or any repeat) would otherwise post again, and nothing would refuse it.
    const state = new BatchState(records, true);
    for (const record of state.pendingRecords()) {
      const refusal = this.currencyRefusal(record);
      if (refusal) state.reject(refusal);
    }
    const push = new PushAttempt(state, registrationNumberFor(context.syncLogId));
    const budget = new RetryBudget(this.runtime.policy, this.runtime.random);
    await withRetries(
      () => this.pushPending(push, budget, context.signal),
      budget,
      this.runtime.sleep,
      context.signal,
    );
    return state.result(lowestDbId(state.acceptedRecords().map((r) => r.externalId)));
  }

  async checkConnection(signal?: AbortSignal): Promise<ConnectionCheck> {
    try {
      await this.read(CONNECTION_CHECK, {}, signal);
      return { ok: true };
    } catch (error) {
      if (error instanceof AccountingError) return { ok: false, error };
      throw error;
    }
  }

  async inspectConnection(signal?: AbortSignal): Promise<ConnectionReport> {
    const checks: ConnectionCheckItem[] = [];
    try {
      await this.read(CONNECTION_CHECK, {}, signal);
      checks.push({
        name: 'credentials',
        ok: true,
        message: `The API token is accepted by ${new URL(this.connection.baseUrl).host} (its entity answers)`,
      });
    } catch (error) {
      if (!(error instanceof AccountingError)) throw error;
      checks.push({ name: 'credentials', ok: false, message: error.message });
      return { ok: false, checks };
    }
    const { contraAccount } = this.connection;
    const known = await this.knownAccounts([contraAccount], signal);
    checks.push(
      known.has(contraAccount)
        ? {
            name: 'contra_account',
            ok: true,
            message: `Contra account ${contraAccount} is in the chart of accounts`,
          }
        : {
            name: 'contra_account',
            ok: false,
            message: `Contra account ${contraAccount} (connection setting contraAccount) is not in the chart of accounts`,
          },
    );
    checks.push({
      name: 'posting_settings',
      ok: true,
      message: `Items are imported with transaction source ${this.connection.transactionSource} in ${this.connection.localCurrency}${
        this.connection.acceptedCurrencies.length
          ? ` (also accepted: ${this.connection.acceptedCurrencies.join(', ')})`
          : ''
      }`,
    });
    return { ok: checks.every((c) => c.ok), checks };
  }

  /**
   * What a push would do, with reads only: the voucher each record becomes, and the records the
   * entity would refuse (a currency that is neither local nor accepted; an account, or the contra
   * account, missing from the chart). Xledger's period locks are not readable through any public
   * query, so no period check is made here.
   */
  async preflight(records: readonly ExportRecord[], context: PreflightContext): Promise<PreflightResult> {
    const rejected: RejectedRecord[] = [];
    const candidates: ExportRecord[] = [];
    for (const record of records) {
      const refusal = invalidRecordRejection(record) ?? this.currencyRefusal(record);
      if (refusal) rejected.push(refusal);
      else candidates.push(record);
    }
    const { contraAccount } = this.connection;
    const known = await this.knownAccountsOfSync(
      [...new Set([contraAccount, ...candidates.map((r) => r.account)])],
      this.chartOfAccounts.for(context.syncLogId),
      context.signal,
    );
    const documents = [];
    for (const record of candidates) {
      const missing = !known.has(record.account)
        ? `Account ${record.account} is not in the chart of accounts`
        : !known.has(contraAccount)
          ? `Contra account ${contraAccount} (connection setting contraAccount) is not in the chart of accounts`
          : undefined;
      if (missing) {
        rejected.push({
          recordId: record.id,
          code: PREFLIGHT_CODES.unknownAccount,
          category: 'validation',
          retryable: false,
          reason: missing,
        });
      } else documents.push(plannedDocumentFor(record, this.connection));
    }
    return { documents, rejected };
  }

  private currencyRefusal(record: ExportRecord): RejectedRecord | undefined {
    const { localCurrency, acceptedCurrencies } = this.connection;
    if (record.currency === localCurrency || acceptedCurrencies.includes(record.currency)) return undefined;
    return {
      recordId: record.id,
      code: PREFLIGHT_CODES.foreignCurrency,
      category: 'validation',
      retryable: false,
      reason: `The record is in ${record.currency}; the entity books in ${localCurrency} and the connection setting acceptedCurrencies does not list ${record.currency}`,
    };
  }

  /** One attempt: settle what is in doubt, then send what is still pending, slice by slice. */
  private async pushPending(
    push: PushAttempt,
    budget: RetryBudget,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const { state } = push;
    if (state.readBackNeeded) await this.readBack(push, state.pendingIds(), signal);
    for (const slice of chunk(state.pendingRecords(), this.runtime.itemsPerRequest)) {
      const stillPending = slice.filter((r) => state.isPending(r.id));
      if (stillPending.length === 0) continue;
      await this.sendSlice(push, stillPending, signal);
      budget.succeeded();
      if (state.readBackNeeded)
        await this.readBack(
          push,
          stillPending.map((r) => r.id),
          signal,
        );
    }
  }

  private async sendSlice(
    push: PushAttempt,
    slice: readonly ExportRecord[],
    signal: AbortSignal | undefined,
  ) {
    const { state } = push;
    const lines = slice.flatMap((record) =>
      linesFor(record, this.connection)
        .filter((line) => !push.lineDbIds.has(line.key))
        .map((line) => ({ line, record })),
    );
    if (lines.length > 0) {
      let result: GraphQlResult;
      try {
        result = await this.client.execute(
          ADD_GL_IMPORT_ITEMS,
          {
            inputs: lines.map(({ line, record }) =>
              toGlImportItemInput(line, record, this.connection, push.trRegNumber),
            ),
          },
          { write: true, signal },
        );
      } catch (error) {
        if (error instanceof AccountingError && error.details.outcomeUnknown) state.readBackNeeded = true;
        throw error;
      }
      const sent = new Set(lines.map(({ line }) => line.key));
      const connection = result.data?.addGLImportItems;
      if (!isObject(connection) || !Array.isArray(connection.edges)) {
        // The field failed as a whole (e.g. too many nodes): Xledger says why in `errors`.
        state.readBackNeeded = true;
        const first = result.errors[0];
        if (first) {
          throw new AccountingError(first.message || 'Xledger refused addGLImportItems', {
            code: graphQlErrorCode(first) || 'MUTATION_REFUSED',
            category: 'configuration',
            retryable: false,
            outcomeUnknown: true,
          });
        }
        throw malformed('addGLImportItems answered without edges');
      }
      for (const edge of connection.edges) {
        if (!isObject(edge) || typeof edge.clientId !== 'string' || !sent.has(edge.clientId)) continue;
        const dbId = isObject(edge.node) ? idText(edge.node.dbId) : undefined;
        if (dbId !== undefined) push.lineDbIds.set(edge.clientId, dbId);
      }
      const unexplained = [...sent].filter((key) => !push.lineDbIds.has(key));
      if (unexplained.length > 0) {
        state.readBackNeeded = true;
        throw new AccountingError(
          `Xledger's answer did not mention ${unexplained.length} of the items sent`,
          {
            code: 'INCOMPLETE_RESPONSE',
            category: 'unknown',
            retryable: true,
            outcomeUnknown: true,
          },
        );
      }
    }
    await this.settle(push, slice, false, signal);
  }

  /**
   * Records whose two lines the ledger holds: accepted, unless `glImportItemErrors` shows that
   * processing refused one of them — then rejected with Xledger's message, never re-sent.
   */
  private async settle(
    push: PushAttempt,
    records: readonly ExportRecord[],
    alreadyPosted: boolean,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const held = records.flatMap((record) => {
      const [expense, contra] = linesFor(record, this.connection).map((l) => push.lineDbIds.get(l.key));
      return expense !== undefined && contra !== undefined && push.state.isPending(record.id)
        ? [{ record, expense, contra }]
        : [];
    });
    if (held.length === 0) return;
    const errors = await this.importErrors(
      held.flatMap((h) => [h.expense, h.contra]),
      signal,
    );
    for (const { record, expense, contra } of held) {
      const messages = [...new Set([...(errors.get(expense) ?? []), ...(errors.get(contra) ?? [])])];
      if (messages.length > 0) {
        push.state.reject({
          recordId: record.id,
          code: GL_IMPORT_ITEM_ERROR,
          category: 'validation',
          retryable: false,
          reason: messages.join(' / '),
        });
      } else push.state.accept(record.id, expense, alreadyPosted);
    }
  }

  /** Ask the ledger which lines of these records it holds (by `extIdentifier`) and settle them. */
  private async readBack(push: PushAttempt, recordIds: readonly string[], signal: AbortSignal | undefined) {
    const records = push.state.pendingRecords().filter((r) => recordIds.includes(r.id));
    const keys = records.flatMap((r) => linesFor(r, this.connection).map((l: XledgerLine) => l.key));
    const found = new Map<string, string>();
    for (const slice of chunk(keys, READ_PAGE_SIZE)) {
      for await (const node of this.pages(
        GL_IMPORT_ITEMS_BY_EXT_IDENTIFIER,
        'glImportItems',
        { extIdentifier_in: slice },
        signal,
        false,
      )) {
        const dbId = idText(node.dbId);
        const key = node.extIdentifier;
        if (dbId === undefined || typeof key !== 'string') continue;
        // A repeated extIdentifier (another client, an old bug) is possible: keep the earliest item.
        const known = found.get(key);
        found.set(key, known === undefined ? dbId : (lowestDbId([known, dbId]) ?? dbId));
      }
    }
    for (const [key, dbId] of found) push.lineDbIds.set(key, dbId);
    await this.settle(push, records, true, signal);
    push.state.readBackNeeded = false;
  }

  /** `glImportItemErrors` messages per import item `dbId`. */
  private async importErrors(dbIds: readonly string[], signal: AbortSignal | undefined) {
    const errors = new Map<string, string[]>();
    for (const slice of chunk(dbIds, READ_PAGE_SIZE)) {
      for await (const node of this.pages(
        GL_IMPORT_ITEM_ERRORS,
        'glImportItemErrors',
        { transactionDbId_in: slice },
        signal,
        false,
      )) {
        const dbId = idText(node.transactionDbId);
        if (dbId === undefined) continue;
        const message =
          typeof node.message === 'string' && node.message ? node.message : 'Refused by Xledger';
        errors.set(dbId, [...(errors.get(dbId) ?? []), message]);
      }
    }
    return errors;
  }

  /** Like {@link knownAccounts}, asking the ledger only about codes this sync has not asked about. */
  private async knownAccountsOfSync(
    codes: readonly string[],
    answered: Map<string, boolean>,
    signal: AbortSignal | undefined,
  ): Promise<Set<string>> {
    const unasked = codes.filter((code) => !answered.has(code));
    if (unasked.length > 0) {
      const found = await this.knownAccounts(unasked, signal);
      for (const code of unasked) answered.set(code, found.has(code));
    }
    return new Set(codes.filter((code) => answered.get(code) === true));
  }

  /** Account codes of `codes` that the chart of accounts holds. */
  private async knownAccounts(
    codes: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<Set<string>> {
    const known = new Set<string>();
    for (const slice of chunk(codes, READ_PAGE_SIZE)) {
      for await (const node of this.pages(ACCOUNTS_BY_CODE, 'accounts', { code_in: slice }, signal)) {
        if (typeof node.code === 'string') known.add(node.code);
      }
    }
    return known;
  }

  /** Every node of a filtered Relay connection, page by page; each read retried on its own. */
  private async *pages(
    query: string,
    field: string,
    filter: Record<string, unknown>,
    signal: AbortSignal | undefined,
    retried = true,
  ): AsyncGenerator<Record<string, unknown>> {
    let after: string | null = null;
    do {
      const data = await this.read(query, { first: READ_PAGE_SIZE, after, filter }, signal, retried);
      const connection = data?.[field];
      if (!isObject(connection) || !Array.isArray(connection.edges) || !isObject(connection.pageInfo)) {
        throw malformed(`${field} answered without edges and pageInfo`, false);
      }
      let lastCursor: string | null = null;
      for (const edge of connection.edges) {
        if (!isObject(edge) || !isObject(edge.node)) continue;
        if (typeof edge.cursor === 'string') lastCursor = edge.cursor;
        yield edge.node;
      }
      if (connection.pageInfo.hasNextPage !== true) return;
      const endCursor = connection.pageInfo.endCursor;
      after = typeof endCursor === 'string' ? endCursor : lastCursor;
      if (after === null) throw malformed(`${field} has a next page but no cursor`, false);
    } while (after !== null);
  }

  /**
   * A read; an error in the answer fails it. `retried` reads have their own retry budget; reads
   * inside a push are tried once, because the push's own retries repeat them.
   */
  private async read(
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
}

/** What one push knows across its retries: the batch's state and the lines the ledger holds. */
class PushAttempt {
  /** `dbId` of each line (by key) the ledger is known to hold. */
  readonly lineDbIds = new Map<string, string>();
  constructor(
    readonly state: BatchState,
    readonly trRegNumber: number,
  ) {}
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
