import type { ExportRecord } from '@meander/domain';
import {
  type AdapterOptions,
  type AdapterRuntime,
  chunk,
  resolveAdapterRuntime,
} from '../adapter-options.js';
import { BatchState } from '../batch-state.js';
import { minorUnitsToDecimal } from '../decimal-amount.js';
import { isObject } from '../http/json-body.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { RetryBudget } from '../http/retry-budget.js';
import { withRetries } from '../http/with-retries.js';
import {
  type AccountingAdapter,
  AccountingError,
  type BatchContext,
  type BatchResult,
  type ConnectionCheck,
} from '../port.js';
import {
  type BatchOperation,
  batchRequestBody,
  MAX_BATCH_OPERATIONS,
  readBatchResponses,
} from './dynamics-batch.js';
import { DynamicsClient, JSON_CONTENT_TYPE } from './dynamics-client.js';
import type { DynamicsConnection } from './dynamics-connection.js';
import { classifyOperationFailure, readODataError } from './dynamics-errors.js';
import { DynamicsTokenProvider } from './dynamics-token-provider.js';
import { documentNumberFor, externalDocumentNumberFor } from './external-document-number.js';

/** Keys per read-back `$filter`, so the URL stays far below common limits. */
const READ_BACK_KEYS_PER_QUERY = 20;
/** Business Central's journal line description is Text[100]. */
const DESCRIPTION_MAX = 100;

/** Progress of one push that outlives a retried attempt. */
interface PushProgress {
  /** Accepted records already covered by a successful post action. */
  postedCount: number;
}

/**
 * Business Central (API v2.0). Each record becomes one journal line in the configured journal,
 * its `externalDocumentNumber` carrying Meander's record id; lines are created through JSON
 * `$batch` requests of at most 100 operations, then the journal is posted
 * (`Microsoft.NAV.post`). The batch reference is the journal's GUID.
 */
export class DynamicsAdapter implements AccountingAdapter {
  readonly system = 'dynamics' as const;
  private readonly runtime: AdapterRuntime;
  private readonly client: DynamicsClient;
  /** Exposed so callers can see how often a token was fetched. */
  readonly tokens: DynamicsTokenProvider;

  constructor(
    private readonly connection: DynamicsConnection,
    options: AdapterOptions = {},
  ) {
    this.runtime = resolveAdapterRuntime(options, MAX_BATCH_OPERATIONS);
    this.tokens = new DynamicsTokenProvider(connection, this.runtime);
    this.client = new DynamicsClient(connection, this.runtime, this.tokens);
  }

  async pushBatch(records: readonly ExportRecord[], context: BatchContext): Promise<BatchResult> {
    const state = new BatchState(records, this.runtime.readBackBeforePush || context.readBackFirst === true);
    const keys = new ExternalKeys(state, records);
    const budget = new RetryBudget(this.runtime.policy, this.runtime.random);
    const documentNumber = documentNumberFor(context.syncLogId, context.batchNumber);
    const progress: PushProgress = { postedCount: 0 };
    await withRetries(
      () => this.pushPending(state, keys, documentNumber, progress, budget, context.signal),
      budget,
      this.runtime.sleep,
      context.signal,
    );
    return state.result(state.acceptedRecords().length > 0 ? this.connection.journalId : null);
  }

  async checkConnection(signal?: AbortSignal): Promise<ConnectionCheck> {
    const budget = new RetryBudget(this.runtime.policy, this.runtime.random);
    try {
      await withRetries(
        () =>
          this.client.send({
            method: 'GET',
            url: `${this.client.apiRoot}/${this.client.journalPath}`,
            write: false,
            signal,
          }),
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

  /** One attempt: settle what is in doubt, create the pending lines slice by slice, then post. */
  private async pushPending(
    state: BatchState,
    keys: ExternalKeys,
    documentNumber: string,
    progress: PushProgress,
    budget: RetryBudget,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    if (state.readBackNeeded) await this.readBack(state, keys, state.pendingIds(), signal);
    for (const slice of chunk(state.pendingRecords(), this.runtime.itemsPerRequest)) {
      const stillPending = slice.filter((r) => state.isPending(r.id));
      if (stillPending.length === 0) continue;
      await this.createLines(state, keys, stillPending, documentNumber, signal);
      budget.succeeded();
      if (state.readBackNeeded)
        await this.readBack(
          state,
          keys,
          stillPending.map((r) => r.id),
          signal,
        );
    }
    // Lines found by a read-back are posted too: an earlier push may have created them and died before posting.
    const accepted = state.acceptedRecords().length;
    if (accepted > progress.postedCount) {
      await this.postJournal(signal);
      progress.postedCount = accepted;
    }
  }

  private async createLines(
    state: BatchState,
    keys: ExternalKeys,
    slice: readonly ExportRecord[],
    documentNumber: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const operations: BatchOperation[] = slice.map((record, index) => ({
      id: String(index + 1),
      method: 'POST',
      url: `${this.client.journalPath}/journalLines`,
      headers: { 'Content-Type': JSON_CONTENT_TYPE },
      body: journalLineBody(record, keys.keyOf(record.id), documentNumber),
    }));
    let responses: ReturnType<typeof readBatchResponses>;
    try {
      const response = await this.client.send({
        method: 'POST',
        url: `${this.client.apiRoot}/$batch`,
        body: batchRequestBody(operations),
        headers: { Prefer: 'odata.continue-on-error' },
        write: true,
        signal,
      });
      responses = readBatchResponses(this.client.json(response, true));
    } catch (error) {
      if (error instanceof AccountingError && error.details.outcomeUnknown) state.readBackNeeded = true;
      throw error;
    }
    if (responses === undefined) {
      state.readBackNeeded = true;
      throw malformed('$batch answered without a responses array');
    }

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
        const lineId =
          isObject(answer.body) && typeof answer.body.id === 'string' ? answer.body.id : undefined;
        if (lineId === undefined) unaccounted += 1;
        else state.accept(record.id, lineId);
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
      } else if (failure.kind === 'existing') {
        state.markReportedExisting(record.id, failure.code);
      } else {
        if (failure.error.details.outcomeUnknown) state.readBackNeeded = true;
        // A failure retrying cannot fix outranks one it can.
        if (
          requestFailure === undefined ||
          (requestFailure.details.retryable && !failure.error.details.retryable)
        ) {
          requestFailure = failure.error;
        }
      }
    });
    if (requestFailure) throw requestFailure;
    if (unaccounted > 0) {
      state.readBackNeeded = true;
      throw new AccountingError(`$batch did not answer ${unaccounted} of ${slice.length} operations`, {
        code: 'INCOMPLETE_RESPONSE',
        category: 'unknown',
        retryable: true,
        outcomeUnknown: true,
      });
    }
  }

  /** Ask the journal which of `recordIds` it holds, by external document number, and settle them. */
  private async readBack(
    state: BatchState,
    keys: ExternalKeys,
    recordIds: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const held = new Map<string, string>();
    for (const slice of chunk(recordIds, READ_BACK_KEYS_PER_QUERY)) {
      const filter = slice
        .map((id) => `externalDocumentNumber eq '${keys.keyOf(id).replaceAll("'", "''")}'`)
        .join(' or ');
      let url: string | null =
        `${this.client.apiRoot}/${this.client.journalPath}/journalLines?$filter=${encodeURIComponent(filter)}`;
      while (url !== null) {
        const response = await this.client.send({ method: 'GET', url, write: false, signal });
        const body = this.client.json(response, false);
        if (!isObject(body) || !Array.isArray(body.value))
          throw malformed('journalLines answered without value', false);
        for (const line of body.value) {
          if (
            !isObject(line) ||
            typeof line.id !== 'string' ||
            typeof line.externalDocumentNumber !== 'string'
          )
            continue;
          const recordId = keys.recordOf(line.externalDocumentNumber);
          if (recordId !== undefined && !held.has(recordId)) held.set(recordId, line.id);
        }
        const next = body['@odata.nextLink'];
        url = typeof next === 'string' ? next : null;
      }
    }
    state.applyReadBack(recordIds, held);
  }

  private async postJournal(signal: AbortSignal | undefined): Promise<void> {
    try {
      await this.client.send({
        method: 'POST',
        url: `${this.client.apiRoot}/${this.client.journalPath}/Microsoft.NAV.post`,
        write: true,
        signal,
      });
    } catch (error) {
      // Business Central refuses to post an empty journal; after a lost answer that means it was posted.
      if (error instanceof AccountingError && /nothing to post/i.test(error.message)) return;
      throw error;
    }
  }
}

/** The journal line for one record; the amount is a decimal string, never a float. */
function journalLineBody(record: ExportRecord, externalDocumentNumber: string, documentNumber: string) {
  return {
    accountType: 'G/L Account',
    accountNumber: record.account,
    postingDate: record.bookingDate,
    documentNumber,
    externalDocumentNumber,
    amount: minorUnitsToDecimal(record.amountMinor, record.currency),
    description: (record.description ?? '').slice(0, DESCRIPTION_MAX),
  };
}

/**
 * Record ids ↔ external document numbers for one batch. Business Central stores the key
 * upper-cased, so two ids that differ only by case would collide: the later one is refused.
 */
class ExternalKeys {
  private readonly keyByRecord = new Map<string, string>();
  private readonly recordByKey = new Map<string, string>();

  constructor(state: BatchState, records: readonly ExportRecord[]) {
    for (const record of records) {
      if (!state.isPending(record.id)) continue;
      const key = externalDocumentNumberFor(record.id);
      const owner = this.recordByKey.get(key);
      if (owner !== undefined) {
        state.reject({
          recordId: record.id,
          code: 'EXTERNAL_DOCUMENT_NUMBER_COLLISION',
          category: 'validation',
          retryable: false,
          reason: `Its external document number ${key} is the same as record ${owner}'s`,
        });
        continue;
      }
      this.keyByRecord.set(record.id, key);
      this.recordByKey.set(key, record.id);
    }
  }

  keyOf(recordId: string): string {
    return this.keyByRecord.get(recordId) ?? externalDocumentNumberFor(recordId);
  }

  recordOf(externalDocumentNumber: string): string | undefined {
    return this.recordByKey.get(externalDocumentNumber.toUpperCase());
  }
}

function malformed(message: string, write = true): AccountingError {
  return new AccountingError(message, {
    code: 'MALFORMED_RESPONSE',
    category: 'unknown',
    retryable: true,
    outcomeUnknown: write,
  });
}
