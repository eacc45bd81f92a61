import type { ExportRecord } from '@meander/domain';
import {
  type AdapterOptions,
  type AdapterRuntime,
  chunk,
  resolveAdapterRuntime,
} from '../../adapter-options.js';
import { BatchState } from '../../batch-state.js';
import { parseConnection } from '../../connection-settings.js';
import type { RequestCount } from '../../http/http-request.js';
import { isObject } from '../../http/json-body.js';
import { parseRetryAfter } from '../../http/retry-after.js';
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
  type PlannedDocument,
  PREFLIGHT_CODES,
  type PreflightContext,
  type PreflightResult,
  type RejectedRecord,
} from '../../port.js';
import { SyncScopedReads } from '../../sync-scoped-reads.js';
import {
  type BatchOperation,
  type BatchOperationResponse,
  batchRequestBody,
  MAX_BATCH_OPERATIONS,
  readBatchResponses,
} from './dynamics-batch.js';
import { DynamicsClient, JSON_CONTENT_TYPE } from './dynamics-client.js';
import {
  type DynamicsConnection,
  type DynamicsConnectionInput,
  dynamicsConnectionSchema,
} from './dynamics-connection.js';
import { classifyOperationFailure, readODataError } from './dynamics-errors.js';
import { localAmount } from './dynamics-money.js';
import { DynamicsTokenProvider } from './dynamics-token-provider.js';
import {
  documentNumberFor,
  EXTERNAL_DOCUMENT_NUMBER_MAX,
  externalDocumentNumberFor,
} from './external-document-number.js';

/** Keys per read-back `$filter`, so the URL stays far below common limits. */
const READ_BACK_KEYS_PER_QUERY = 20;
/** Business Central's journal line description is Text[100]. */
const DESCRIPTION_MAX = 100;

/** What one push has learnt that outlives a retried attempt. */
interface PushProgress {
  /** Records this push sent lines for: found in the G/L later, they were posted by this push. */
  postedHere: Set<string>;
  /** Entry number and id of the earliest G/L entry of each accepted record. */
  firstEntry: Map<string, { entryNumber: number; id: string }>;
}

/** An account as the chart of accounts shows it. */
interface ChartAccount {
  displayName: string;
  blocked: boolean;
}

/** An accounting period, with whether it is closed or date-locked. */
interface AccountingPeriod {
  start: string;
  locked: boolean;
  name: string;
}

/** What a pre-flight has read for one sync: each account number asked about (null: not in the chart), the periods. */
interface SetupReads {
  accounts: Map<string, ChartAccount | null>;
  periods: AccountingPeriod[] | undefined;
}

/** A posted G/L entry as read back. */
interface ReadEntry {
  id: string;
  entryNumber: number;
  documentNumber: string;
  accountNumber: string;
}

/**
 * Business Central (API v2.0). The posting model (see packages/accounting/README.md):
 *
 * - Meander posts from a journal batch of its own (`journalName`), created through the API when
 *   missing. `Microsoft.NAV.post` posts every line of a batch, so each attempt first deletes the
 *   lines it finds there (DELETE with If-Match) — leftovers of an earlier attempt.
 * - Each record is one journal line with its own balancing account, so every line balances, and a
 *   deterministic `documentNumber` derived from the record id alone.
 * - Posting deletes the journal's lines; what was posted is read back from `generalLedgerEntries`
 *   by document number — before any line is created (a record found there is never sent again)
 *   and after posting (to learn the entries' ids).
 * - A record's `externalId` is the id of its expense-side G/L entry; the batch's
 *   `externalReferenceId` is the id of the earliest G/L entry of the batch's records (a GUID,
 *   different for every posting).
 */
export class DynamicsAdapter implements AccountingAdapter {
  readonly system = 'dynamics' as const;

  get requests(): Readonly<RequestCount> {
    return this.runtime.transport.count ?? { reads: 0, writes: 0 };
  }
  private readonly runtime: AdapterRuntime;
  private readonly client: DynamicsClient;
  /** Exposed so callers can see how often a token was fetched. */
  readonly tokens: DynamicsTokenProvider;
  private journalId: string | undefined;
  private localCurrencyCache: string | undefined;
  private readonly setupReads = new SyncScopedReads<SetupReads>(() => ({
    accounts: new Map(),
    periods: undefined,
  }));

  private readonly connection: DynamicsConnection;

  /** Settings are parsed here too (defaults applied); missing keys throw a `configuration` error naming them. */
  constructor(connection: DynamicsConnectionInput, options: AdapterOptions = {}) {
    this.connection = parseConnection('dynamics', dynamicsConnectionSchema, connection);
    this.runtime = resolveAdapterRuntime(options, MAX_BATCH_OPERATIONS);
    this.tokens = new DynamicsTokenProvider(this.connection, this.runtime);
    this.client = new DynamicsClient(this.connection, this.runtime, this.tokens);
  }

  async pushBatch(records: readonly ExportRecord[], context: BatchContext): Promise<BatchResult> {
    const balancing = this.balancingAccount();
    const state = new BatchState(records, true);
    const budget = new RetryBudget(this.runtime.policy, this.runtime.random);
    const progress: PushProgress = { postedHere: new Set(), firstEntry: new Map() };
    await withRetries(
      async () => {
        const currency = await this.safely(budget, context.signal, () => this.localCurrency(context.signal));
        for (const rejection of this.currencyRejections(state.pendingRecords(), currency))
          state.reject(rejection);
        await this.pushPending(state, progress, balancing, currency, budget, context.signal);
      },
      budget,
      this.runtime.sleep,
      context.signal,
    );
    const first = [...progress.firstEntry.values()].sort((a, b) => a.entryNumber - b.entryNumber)[0];
    return state.result(first?.id ?? null);
  }

  async checkConnection(signal?: AbortSignal): Promise<ConnectionCheck> {
    const budget = new RetryBudget(this.runtime.policy, this.runtime.random);
    try {
      await withRetries(
        () => this.get(`${this.client.companyPath}`, signal),
        budget,
        this.runtime.sleep,
        signal,
      );
      return { ok: true };
    } catch (error) {
      if (error instanceof AccountingError) return { ok: false, error };
      throw error;
    }
  }

  /**
   * Read-only checks: credentials, company, journal batch, balancing account, local currency.
   * A missing setting is a failing check that names the key.
   */
  async inspectConnection(signal?: AbortSignal): Promise<ConnectionReport> {
    const checks: ConnectionCheckItem[] = [];
    const add = (name: string, ok: boolean, message: string) => checks.push({ name, ok, message });
    const failed = (error: unknown) => (error instanceof AccountingError ? error.message : String(error));

    try {
      await this.tokens.token(signal);
      add('credentials', true, `Entra ID issued a token for client ${this.connection.clientId}`);
    } catch (error) {
      add('credentials', false, `Entra ID refused the client credentials: ${failed(error)}`);
    }
    const credentialsOk = checks[0]?.ok === true;
    const skipped = 'not checked: the credentials were refused';

    let companyOk = false;
    if (!credentialsOk) add('company', false, skipped);
    else {
      try {
        const company = await this.get(this.client.companyPath, signal);
        const name = isObject(company) && typeof company.name === 'string' ? company.name : '';
        add('company', true, `Company ${this.connection.companyId} (${name}) is reachable`);
        companyOk = true;
      } catch (error) {
        add('company', false, `Company ${this.connection.companyId} (setting companyId): ${failed(error)}`);
      }
    }
    const notReached = credentialsOk ? 'not checked: the company was not found' : skipped;

    if (!companyOk) add('journal', false, notReached);
    else {
      try {
        const id = await this.findJournal(signal);
        add(
          'journal',
          true,
          id
            ? `Journal batch ${this.connection.journalName} exists (${id})`
            : `Journal batch ${this.connection.journalName} does not exist yet; the first export creates it`,
        );
      } catch (error) {
        add(
          'journal',
          false,
          `Journal batch ${this.connection.journalName} (setting journalName): ${failed(error)}`,
        );
      }
    }

    const balancing = this.connection.balancingAccountNumber;
    if (balancing === undefined) {
      add(
        'balancing_account',
        false,
        'No balancing account: set balancingAccountNumber in the connection settings (the contra account of every expense line, e.g. employee payables)',
      );
    } else if (!companyOk) add('balancing_account', false, notReached);
    else if (this.connection.balancingAccountType === 'Bank Account') {
      add(
        'balancing_account',
        true,
        `Balancing bank account ${balancing} is configured (not checked: API v2.0 lists G/L accounts only)`,
      );
    } else {
      try {
        const known = await this.accounts([balancing], signal);
        const account = known.get(balancing);
        if (account === undefined)
          add(
            'balancing_account',
            false,
            `Balancing account ${balancing} (setting balancingAccountNumber) is not in the chart of accounts`,
          );
        else if (account.blocked)
          add(
            'balancing_account',
            false,
            `Balancing account ${balancing} (setting balancingAccountNumber) is blocked`,
          );
        else add('balancing_account', true, `Balancing account ${balancing} (${account.displayName}) exists`);
      } catch (error) {
        add('balancing_account', false, `Balancing account ${balancing}: ${failed(error)}`);
      }
    }

    if (!companyOk) add('local_currency', false, notReached);
    else {
      try {
        const currency = await this.localCurrency(signal);
        const source = this.connection.localCurrency ? 'setting localCurrency' : 'companyInformation';
        add('local_currency', true, `Local currency ${currency} (from ${source})`);
      } catch (error) {
        add('local_currency', false, `Local currency (setting localCurrency): ${failed(error)}`);
      }
    }
    return { ok: checks.every((c) => c.ok), checks };
  }

  /**
   * What a push would post, read-only: one balanced document per record (expense line plus
   * balancing line), and the records the ledger would refuse — another currency without a rate,
   * an account missing from (or blocked in) the chart of accounts, a posting date outside the
   * allowed range or in a closed or date-locked accounting period.
   */
  async preflight(records: readonly ExportRecord[], context: PreflightContext): Promise<PreflightResult> {
    const balancing = this.balancingAccount();
    const signal = context.signal;
    const rejected: RejectedRecord[] = [];
    const valid: ExportRecord[] = [];
    for (const record of records) {
      const invalid = invalidRecordRejection(record);
      if (invalid) rejected.push(invalid);
      else valid.push(record);
    }
    // Reads only, each retried alone (throttling, 5xx) within one budget like a push's steps.
    const budget = new RetryBudget(this.runtime.policy, this.runtime.random);
    const currency = await this.safely(budget, signal, () => this.localCurrency(signal));
    const foreign = new Set(this.currencyRejections(valid, currency).map((r) => r.recordId));
    rejected.push(...this.currencyRejections(valid, currency));
    const reads = this.setupReads.for(context.syncLogId);
    const unasked = [...new Set(valid.map((r) => r.account.toUpperCase()))].filter(
      (n) => !reads.accounts.has(n),
    );
    if (unasked.length > 0) {
      const found = await this.safely(budget, signal, () => this.accounts(unasked, signal));
      for (const n of unasked) reads.accounts.set(n, found.get(n) ?? null);
    }
    reads.periods ??= await this.safely(budget, signal, () => this.closedPeriods(signal));
    const { periods } = reads;
    const documents: PlannedDocument[] = [];
    for (const record of valid) {
      if (foreign.has(record.id)) continue;
      const account = reads.accounts.get(record.account.toUpperCase());
      if (!account || account.blocked) {
        rejected.push({
          recordId: record.id,
          code: PREFLIGHT_CODES.unknownAccount,
          category: 'validation',
          retryable: false,
          reason: `Account ${record.account} is ${account ? 'blocked' : 'not in the chart of accounts'} of company ${this.connection.companyId}`,
        });
        continue;
      }
      const locked = this.lockedReason(record.bookingDate, periods);
      if (locked !== undefined) {
        rejected.push({
          recordId: record.id,
          code: PREFLIGHT_CODES.periodLocked,
          category: 'validation',
          retryable: false,
          reason: locked,
        });
        continue;
      }
      const amount = localAmount(record, currency, this.connection.currencyRates);
      documents.push({
        documentNumber: documentNumberFor(record.id),
        postingDate: record.bookingDate,
        recordIds: [record.id],
        lines: [
          { account: record.account.toUpperCase(), amount, currency, recordId: record.id },
          { account: balancing, amount: negate(amount), currency },
        ],
      });
    }
    return { documents, rejected };
  }

  /** One attempt: clear the batch, settle what the ledger already holds, create the rest, post, read back. */
  private async pushPending(
    state: BatchState,
    progress: PushProgress,
    balancing: string,
    currency: string,
    budget: RetryBudget,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    // Reads, and deletes of stale lines, are safe to repeat: they are retried on their own. A write
    // whose outcome is unknown is settled by reading before it is sent again (see `write`).
    const safely = <T>(step: () => Promise<T>) => this.safely(budget, signal, step);
    const journalId = await safely(() => this.ensureJournal(signal));
    for (;;) {
      await safely(() => this.removeStaleLines(journalId, signal));
      await safely(() => this.readBack(state, progress, state.pendingRecords(), signal));
      const created = new Map<number, ExportRecord>();
      const createdIds = new Set<string>();
      for (const slice of chunk(state.pendingRecords(), this.runtime.itemsPerRequest)) {
        // From here on, finding one of these in the G/L means this push posted it (the read-back
        // above did not find it), even if the answer to the post was lost.
        for (const record of slice) progress.postedHere.add(record.id);
        const remaining = () => slice.filter((r) => state.isPending(r.id) && !createdIds.has(r.id));
        await this.write(
          budget,
          signal,
          async () => {
            await this.createLines(state, journalId, remaining(), balancing, currency, created, signal);
            for (const record of created.values()) createdIds.add(record.id);
            return true;
          },
          // The journal is ours and was emptied above: a line with a record's document number is
          // this attempt's. Lines found are kept; only the missing ones are created again.
          async () => {
            const numbers = new Map(remaining().map((r) => [documentNumberFor(r.id), r]));
            for (const line of await this.listLines(journalId, signal)) {
              const record = numbers.get(line.documentNumber.toUpperCase());
              if (record === undefined) continue;
              created.set(line.lineNumber, record);
              createdIds.add(record.id);
            }
            return remaining().length === 0 ? true : undefined;
          },
        );
      }
      if (created.size === 0) return;
      let outcome: { refused?: RejectedRecord };
      try {
        outcome = await this.write(
          budget,
          signal,
          async () => {
            const refused = await this.postJournal(journalId, created, signal);
            return refused ? { refused } : {};
          },
          // Posting is all or nothing: any of our records in the G/L means the journal was posted.
          async () => {
            await this.readBack(state, progress, [...created.values()], signal);
            return [...created.values()].some((r) => !state.isPending(r.id)) ? {} : undefined;
          },
        );
      } catch (error) {
        // A refusal retrying cannot fix: take our lines out again so nobody posts them by hand later.
        if (error instanceof AccountingError && !error.details.retryable)
          await this.removeStaleLines(journalId, signal).catch(() => undefined);
        throw error;
      }
      if (outcome.refused !== undefined) {
        // The posting named one of our lines: refuse that record, and go again without it.
        state.reject(outcome.refused);
        continue;
      }
      await safely(() => this.readBack(state, progress, [...created.values()], signal));
      const missing = [...created.values()].filter((r) => state.isPending(r.id));
      if (missing.length > 0) {
        throw new AccountingError(
          `Business Central posted the journal but ${missing.length} record(s) are not in generalLedgerEntries`,
          { code: 'POSTED_ENTRIES_MISSING', category: 'unknown', retryable: true, outcomeUnknown: true },
        );
      }
      return;
    }
  }

  /**
   * Send a write, retrying it within the push's budget. When its outcome is unknown (timeout,
   * dropped connection, garbled answer) `settle` reads what happened first: a defined answer ends
   * the write; undefined means it did not (fully) happen and it is sent again. Reads made while
   * settling do not reset the budget, so a write that keeps failing still runs out of attempts.
   */
  private async write<T>(
    budget: RetryBudget,
    signal: AbortSignal | undefined,
    send: () => Promise<T>,
    settle: () => Promise<T | undefined>,
  ): Promise<T> {
    for (;;) {
      try {
        const result = await send();
        budget.succeeded();
        return result;
      } catch (error) {
        if (!(error instanceof AccountingError)) throw error;
        await this.runtime.sleep(budget.delayAfter(error), signal);
        if (!error.details.outcomeUnknown) continue;
        const settled = await this.readWithoutReset(budget, signal, settle);
        if (settled !== undefined) {
          budget.succeeded();
          return settled;
        }
      }
    }
  }

  private async readWithoutReset<T>(
    budget: RetryBudget,
    signal: AbortSignal | undefined,
    read: () => Promise<T>,
  ): Promise<T> {
    for (;;) {
      try {
        return await read();
      } catch (error) {
        if (!(error instanceof AccountingError)) throw error;
        await this.runtime.sleep(budget.delayAfter(error), signal);
      }
    }
  }

  /** Run a step that is safe to repeat, retrying it alone within the push's budget. */
  private safely<T>(
    budget: RetryBudget,
    signal: AbortSignal | undefined,
    step: () => Promise<T>,
  ): Promise<T> {
    return withRetries(step, budget, this.runtime.sleep, signal);
  }

  /** The id of the product's journal batch, created when missing (API v2.0 `POST journals`). */
  private async ensureJournal(signal: AbortSignal | undefined): Promise<string> {
    if (this.journalId !== undefined) return this.journalId;
    const found = await this.findJournal(signal);
    if (found !== undefined) {
      this.journalId = found;
      return found;
    }
    try {
      const response = await this.client.send({
        method: 'POST',
        url: `${this.client.apiRoot}/${this.client.companyPath}/journals`,
        body: { code: this.connection.journalName, displayName: 'Meander expense exports' },
        write: true,
        signal,
      });
      const body = this.client.json(response, false);
      if (!isObject(body) || typeof body.id !== 'string')
        throw malformed('journals answered without an id', false);
      this.journalId = body.id;
      return body.id;
    } catch (error) {
      // Created by a concurrent or lost request: it exists now, so look it up again.
      const again = await this.findJournal(signal);
      if (again === undefined) throw error;
      this.journalId = again;
      return again;
    }
  }

  private async findJournal(signal: AbortSignal | undefined): Promise<string | undefined> {
    const filter = `code eq '${quote(this.connection.journalName)}'`;
    const body = await this.get(
      `${this.client.companyPath}/journals?$filter=${encodeURIComponent(filter)}`,
      signal,
    );
    const match = valuesOf(body, 'journals').find(
      (j) =>
        isObject(j) && typeof j.code === 'string' && j.code.toUpperCase() === this.connection.journalName,
    );
    return isObject(match) && typeof match.id === 'string' ? match.id : undefined;
  }

  /**
   * One `$batch` write; each operation answers on its own (`continue-on-error`), so the caller
   * reads every answer. A body without a responses array is a malformed answer.
   */
  private async sendBatch(
    operations: readonly BatchOperation[],
    signal: AbortSignal | undefined,
  ): Promise<BatchOperationResponse[]> {
    const response = await this.client.send({
      method: 'POST',
      url: `${this.client.apiRoot}/$batch`,
      body: batchRequestBody(operations),
      headers: { Prefer: 'odata.continue-on-error' },
      write: true,
      signal,
    });
    const responses = readBatchResponses(this.client.json(response, true));
    if (responses === undefined) throw malformed('$batch answered without a responses array');
    return responses;
  }

  /**
   * Delete every line the batch shows (leftovers of an earlier attempt, or typed in by a user):
   * the post action posts them all. If-Match carries the ETag read, so a line someone changed
   * meanwhile is not deleted blindly (412 → retried after a fresh read).
   */
  private async removeStaleLines(journalId: string, signal: AbortSignal | undefined): Promise<void> {
    const stale = await this.listLines(journalId, signal);
    for (const slice of chunk(stale, MAX_BATCH_OPERATIONS)) {
      const operations: BatchOperation[] = slice.map((line, index) => ({
        id: String(index + 1),
        method: 'DELETE',
        url: `${this.linesPath(journalId)}(${line.id})`,
        headers: { 'If-Match': line.etag },
      }));
      const answers = await this.sendBatch(operations, signal);
      for (const answer of answers) {
        // 404: already gone (posted or deleted by someone else) — what we wanted.
        if (answer.status === 204 || answer.status === 200 || answer.status === 404) continue;
        const failure = classifyOperationFailure(answer.status, readODataError(answer.body), { write: true });
        if (failure.kind === 'request') throw failure.error;
        throw new AccountingError(
          `A stale journal line could not be deleted: ${readODataError(answer.body)?.message ?? answer.status}`,
          {
            code: failure.code,
            category: 'unavailable',
            retryable: true,
          },
        );
      }
    }
  }

  /** Every line the batch shows (only G/L and bank account lines with no document type are shown). */
  private async listLines(
    journalId: string,
    signal: AbortSignal | undefined,
  ): Promise<{ id: string; etag: string; lineNumber: number; documentNumber: string }[]> {
    const lines: { id: string; etag: string; lineNumber: number; documentNumber: string }[] = [];
    let url: string | null = `${this.client.apiRoot}/${this.linesPath(journalId)}`;
    while (url !== null) {
      const body = this.client.json(
        await this.client.send({ method: 'GET', url, write: false, signal }),
        false,
      );
      for (const line of valuesOf(body, 'journalLines')) {
        if (!isObject(line) || typeof line.id !== 'string') continue;
        lines.push({
          id: line.id,
          etag: typeof line['@odata.etag'] === 'string' ? line['@odata.etag'] : '*',
          lineNumber: typeof line.lineNumber === 'number' ? line.lineNumber : Number(line.lineNumber),
          documentNumber: typeof line.documentNumber === 'string' ? line.documentNumber : '',
        });
      }
      const next = isObject(body) ? body['@odata.nextLink'] : undefined;
      url = typeof next === 'string' ? next : null;
    }
    return lines;
  }

  /** Create the slice's lines, adding line number → record to `created` for each line Business Central took. */
  private async createLines(
    state: BatchState,
    journalId: string,
    slice: readonly ExportRecord[],
    balancing: string,
    currency: string,
    created: Map<number, ExportRecord>,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    if (slice.length === 0) return;
    const operations: BatchOperation[] = slice.map((record, index) => ({
      id: String(index + 1),
      method: 'POST',
      url: this.linesPath(journalId),
      headers: { 'Content-Type': JSON_CONTENT_TYPE },
      body: {
        accountType: 'G/L Account',
        accountNumber: record.account,
        postingDate: record.bookingDate,
        documentNumber: documentNumberFor(record.id),
        externalDocumentNumber: externalDocumentNumberFor(record.id).slice(0, EXTERNAL_DOCUMENT_NUMBER_MAX),
        amount: localAmount(record, currency, this.connection.currencyRates),
        description: (record.description ?? '').slice(0, DESCRIPTION_MAX),
        balanceAccountType: this.connection.balancingAccountType,
        balancingAccountNumber: balancing,
      },
    }));
    const responses = await this.sendBatch(operations, signal);

    const byId = new Map(responses.map((r) => [r.id, r]));
    let requestFailure: AccountingError | undefined;
    let unaccounted = 0;
    slice.forEach((record, index) => {
      const answer = byId.get(String(index + 1));
      if (answer === undefined) {
        unaccounted += 1;
        return;
      }
      if (answer.status === 200 || answer.status === 201) {
        const lineNumber = isObject(answer.body) ? answer.body.lineNumber : undefined;
        if (typeof lineNumber === 'number') created.set(lineNumber, record);
        else unaccounted += 1;
        return;
      }
      const retryAfterMs = parseRetryAfter(answer.headers['retry-after'], this.runtime.clock.now());
      const failure = classifyOperationFailure(answer.status, readODataError(answer.body), {
        write: true,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      });
      if (failure.kind === 'rejected') {
        state.reject({
          recordId: record.id,
          code: failure.code,
          category: failure.category,
          retryable: false,
          reason: failure.reason,
        });
      } else if (failure.kind === 'request') {
        // A failure retrying cannot fix outranks one it can.
        if (
          requestFailure === undefined ||
          (requestFailure.details.retryable && !failure.error.details.retryable)
        )
          requestFailure = failure.error;
      } else {
        // A repeated key is no refusal on a journal line (its key is the line number): retry the attempt.
        requestFailure ??= new AccountingError('Business Central reported a duplicate journal line key', {
          code: failure.code,
          category: 'unavailable',
          retryable: true,
        });
      }
    });
    // Lines already created are in `created`: a retry sends only the others.
    if (requestFailure) throw requestFailure;
    if (unaccounted > 0) {
      throw new AccountingError(`$batch did not answer ${unaccounted} of ${slice.length} operations`, {
        code: 'INCOMPLETE_RESPONSE',
        category: 'unknown',
        retryable: true,
        outcomeUnknown: true,
      });
    }
  }

  /**
   * Post the batch. Returns the rejection of one record when Business Central refused the post
   * because of that record's line (e.g. its posting date); anything else throws.
   */
  private async postJournal(
    journalId: string,
    created: ReadonlyMap<number, ExportRecord>,
    signal: AbortSignal | undefined,
  ): Promise<RejectedRecord | undefined> {
    try {
      await this.client.send({
        method: 'POST',
        url: `${this.client.apiRoot}/${this.client.companyPath}/journals(${journalId})/Microsoft.NAV.post`,
        write: true,
        signal,
      });
      return undefined;
    } catch (error) {
      if (!(error instanceof AccountingError)) throw error;
      // Our lines were there a moment ago: someone else posted them. Read back on the next attempt.
      if (/nothing to post/i.test(error.message)) {
        throw new AccountingError('The journal was posted by someone else before Meander posted it', {
          code: error.details.code,
          category: 'unknown',
          retryable: true,
          outcomeUnknown: true,
        });
      }
      const lineNumber = /Line No\.='?(\d+)'?/.exec(error.message)?.[1];
      const record = lineNumber === undefined ? undefined : created.get(Number(lineNumber));
      if (record !== undefined && !error.details.retryable) {
        return {
          recordId: record.id,
          code: error.details.providerCode ?? error.details.code,
          category: 'validation',
          retryable: false,
          reason: error.message.replace(/\s*CorrelationId:\s*[0-9a-fA-F-]+\.?/, '').trim(),
        };
      }
      throw error;
    }
  }

  /** Settle `records` the ledger already holds: G/L entries with their document number. */
  private async readBack(
    state: BatchState,
    progress: PushProgress,
    records: readonly ExportRecord[],
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const byDocument = new Map(records.map((r) => [documentNumberFor(r.id), r]));
    const found = new Map<string, ReadEntry[]>();
    for (const slice of chunk([...byDocument.keys()], READ_BACK_KEYS_PER_QUERY)) {
      const filter = slice.map((n) => `documentNumber eq '${quote(n)}'`).join(' or ');
      let url: string | null =
        `${this.client.apiRoot}/${this.client.companyPath}/generalLedgerEntries?$filter=${encodeURIComponent(filter)}`;
      while (url !== null) {
        const body = this.client.json(
          await this.client.send({ method: 'GET', url, write: false, signal }),
          false,
        );
        for (const entry of valuesOf(body, 'generalLedgerEntries')) {
          const read = readEntry(entry);
          if (read === undefined) continue;
          const list = found.get(read.documentNumber.toUpperCase());
          if (list) list.push(read);
          else found.set(read.documentNumber.toUpperCase(), [read]);
        }
        const next = isObject(body) ? body['@odata.nextLink'] : undefined;
        url = typeof next === 'string' ? next : null;
      }
    }
    const held = new Map<string, string>();
    for (const [documentNumber, entries] of found) {
      const record = byDocument.get(documentNumber);
      if (record === undefined) continue;
      entries.sort((a, b) => a.entryNumber - b.entryNumber);
      const expense =
        entries.find((e) => e.accountNumber.toUpperCase() === record.account.toUpperCase()) ?? entries[0];
      if (expense === undefined) continue;
      held.set(record.id, expense.id);
      const first = entries[0] ?? expense;
      progress.firstEntry.set(record.id, { entryNumber: first.entryNumber, id: first.id });
    }
    for (const [recordId, entryId] of held)
      state.accept(recordId, entryId, !progress.postedHere.has(recordId));
  }

  private balancingAccount(): string {
    const account = this.connection.balancingAccountNumber;
    if (account === undefined) {
      throw new AccountingError(
        'The dynamics connection settings are incomplete: balancingAccountNumber is missing (every expense line needs a balancing account)',
        { code: 'INVALID_CONNECTION', category: 'configuration', retryable: false },
      );
    }
    return account;
  }

  /** The company's local currency: from the settings, else from `companyInformation`. */
  private async localCurrency(signal: AbortSignal | undefined): Promise<string> {
    if (this.connection.localCurrency) return this.connection.localCurrency;
    if (this.localCurrencyCache) return this.localCurrencyCache;
    const body = await this.get(`${this.client.companyPath}/companyInformation`, signal);
    const info = valuesOf(body, 'companyInformation')[0];
    const code =
      isObject(info) && typeof info.currencyCode === 'string' ? info.currencyCode.trim().toUpperCase() : '';
    if (!/^[A-Z]{3}$/.test(code)) {
      throw new AccountingError(
        'The company does not state its local currency: set localCurrency in the connection settings',
        { code: 'INVALID_CONNECTION', category: 'configuration', retryable: false },
      );
    }
    this.localCurrencyCache = code;
    return code;
  }

  /** Records in a currency that is neither local nor given a rate: the journal line has no currency field. */
  private currencyRejections(records: readonly ExportRecord[], local: string): RejectedRecord[] {
    return records
      .filter((r) => r.currency !== local && this.connection.currencyRates?.[r.currency] === undefined)
      .map((r) => ({
        recordId: r.id,
        code: PREFLIGHT_CODES.foreignCurrency,
        category: 'validation' as const,
        retryable: false,
        reason: `The record is in ${r.currency}, but Business Central journal lines are booked in the company's local currency ${local}; add a rate for ${r.currency} to currencyRates in the connection settings to book it`,
      }));
  }

  private async accounts(
    numbers: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<Map<string, ChartAccount>> {
    const known = new Map<string, ChartAccount>();
    for (const slice of chunk([...new Set(numbers)], READ_BACK_KEYS_PER_QUERY)) {
      const filter = slice.map((n) => `number eq '${quote(n)}'`).join(' or ');
      const body = await this.get(
        `${this.client.companyPath}/accounts?$filter=${encodeURIComponent(filter)}`,
        signal,
      );
      for (const account of valuesOf(body, 'accounts')) {
        if (!isObject(account) || typeof account.number !== 'string') continue;
        known.set(account.number.toUpperCase(), {
          displayName: typeof account.displayName === 'string' ? account.displayName : '',
          blocked: account.blocked === true,
        });
      }
    }
    return known;
  }

  /** Accounting periods sorted by starting date, with whether each is closed or date-locked. */
  private async closedPeriods(signal: AbortSignal | undefined): Promise<AccountingPeriod[]> {
    const body = await this.get(`${this.client.companyPath}/accountingPeriods`, signal);
    return valuesOf(body, 'accountingPeriods')
      .flatMap((p) =>
        isObject(p) && typeof p.startingDate === 'string'
          ? [
              {
                start: p.startingDate,
                locked: p.closed === true || p.dateLocked === true,
                name: String(p.name ?? ''),
              },
            ]
          : [],
      )
      .sort((a, b) => a.start.localeCompare(b.start));
  }

  private lockedReason(date: string, periods: readonly AccountingPeriod[]): string | undefined {
    const { allowPostingFrom: from, allowPostingTo: to } = this.connection;
    if ((from && date < from) || (to && date > to)) {
      return `Posting date ${date} is not within the allowed posting range ${from ?? '…'} – ${to ?? '…'} (allowPostingFrom/allowPostingTo)`;
    }
    let period: AccountingPeriod | undefined;
    for (const p of periods) if (p.start <= date) period = p;
    if (period?.locked)
      return `Posting date ${date} falls in the closed accounting period ${period.name} starting ${period.start}`;
    return undefined;
  }

  private linesPath(journalId: string): string {
    return `${this.client.companyPath}/journals(${journalId})/journalLines`;
  }

  private async get(path: string, signal: AbortSignal | undefined): Promise<unknown> {
    const response = await this.client.send({
      method: 'GET',
      url: `${this.client.apiRoot}/${path}`,
      write: false,
      signal,
    });
    return this.client.json(response, false);
  }
}

function valuesOf(body: unknown, what: string): unknown[] {
  if (!isObject(body) || !Array.isArray(body.value)) throw malformed(`${what} answered without value`, false);
  return body.value;
}

function readEntry(entry: unknown): ReadEntry | undefined {
  if (!isObject(entry)) return undefined;
  const { id, entryNumber, documentNumber, accountNumber } = entry;
  if (typeof id !== 'string' || typeof documentNumber !== 'string') return undefined;
  return {
    id,
    entryNumber: typeof entryNumber === 'number' ? entryNumber : Number(entryNumber),
    documentNumber,
    accountNumber: typeof accountNumber === 'string' ? accountNumber : '',
  };
}

function quote(value: string): string {
  return value.replaceAll("'", "''");
}

function negate(amount: string): string {
  return amount.startsWith('-') ? amount.slice(1) : `-${amount}`;
}

function malformed(message: string, write = true): AccountingError {
  return new AccountingError(message, {
    code: 'MALFORMED_RESPONSE',
    category: 'unknown',
    retryable: true,
    outcomeUnknown: write,
  });
}
