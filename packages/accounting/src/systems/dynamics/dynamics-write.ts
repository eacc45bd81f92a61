import type { ExportRecord } from '@meander/domain';
import type { BatchState } from '../../batch-state.js';
import { isObject } from '../../http/json-body.js';
import type { RetryBudget } from '../../http/retry-budget.js';
import { AccountingError, type RejectedRecord } from '../../port.js';
import { type DynamicsApi, type Fence, sendBatch } from './dynamics-api.js';
import type { BatchOperation } from './dynamics-batch.js';
import { JSON_CONTENT_TYPE, retryAfterOf } from './dynamics-client.js';
import { classifyOperationFailure, readODataError } from './dynamics-errors.js';
import { linesPath } from './dynamics-journal.js';
import { localAmount } from './dynamics-money.js';
import {
  documentNumberFor,
  EXTERNAL_DOCUMENT_NUMBER_MAX,
  externalDocumentNumberFor,
  ledgerDescriptionFor,
} from './external-document-number.js';
import { wireEnum } from './odata-enum.js';

/**
 * Send a write (each request fences itself just before it leaves), retrying it within the attempt's budget. When its
 * outcome is unknown (timeout, dropped connection, garbled answer) `settle` reads what happened
 * first: a defined answer ends the write; undefined means it did not (fully) happen and it is sent
 * again. Neither a successful write nor a settling read resets the budget: the retry allowance
 * belongs to the attempt (issue 22), so a write that keeps failing runs out of attempts.
 */
export async function writeSettled<T>(
  api: DynamicsApi,
  budget: RetryBudget,
  signal: AbortSignal | undefined,
  send: () => Promise<T>,
  settle: () => Promise<T | undefined>,
): Promise<T> {
  for (;;) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof AccountingError)) throw error;
      await api.runtime.sleep(budget.delayAfter(error), signal);
      if (!error.details.outcomeUnknown) continue;
      const settled = await readWithoutReset(api, budget, signal, settle);
      if (settled !== undefined) return settled;
    }
  }
}

async function readWithoutReset<T>(
  api: DynamicsApi,
  budget: RetryBudget,
  signal: AbortSignal | undefined,
  read: () => Promise<T>,
): Promise<T> {
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof AccountingError)) throw error;
      await api.runtime.sleep(budget.delayAfter(error), signal);
    }
  }
}

/** The journal line of one record: its own balancing account, its key as document number and at the start of the description. */
function lineBody(api: DynamicsApi, record: ExportRecord, balancing: string, currency: string) {
  return {
    // Enum values as OData writes them on the wire (the plain form is accepted too: assumption I).
    accountType: wireEnum('G/L Account'),
    accountNumber: record.account,
    postingDate: record.bookingDate,
    documentNumber: documentNumberFor(record.id),
    externalDocumentNumber: externalDocumentNumberFor(record.id).slice(0, EXTERNAL_DOCUMENT_NUMBER_MAX),
    amount: localAmount(record, currency, api.connection.currencyRates),
    description: ledgerDescriptionFor(record),
    balanceAccountType: wireEnum(api.connection.balancingAccountType),
    balancingAccountNumber: balancing,
  };
}

/** Create the slice's lines (one fenced `$batch`), adding line number → record to `created` for each line Business Central took. */
export async function createLines(
  api: DynamicsApi,
  state: BatchState,
  journalId: string,
  slice: readonly ExportRecord[],
  line: { balancing: string; currency: string },
  created: Map<number, ExportRecord>,
  fence: Fence,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (slice.length === 0) return;
  const operations: BatchOperation[] = slice.map((record, index) => ({
    id: String(index + 1),
    method: 'POST',
    url: linesPath(api, journalId),
    headers: { 'Content-Type': JSON_CONTENT_TYPE },
    body: lineBody(api, record, line.balancing, line.currency),
  }));
  const responses = await sendBatch(api, operations, fence, signal);

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
    const failure = classifyOperationFailure(answer.status, readODataError(answer.body), {
      write: true,
      ...retryAfterOf(answer, api.runtime),
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
 * Post the batch, fenced; `onSend` is called as the request leaves. Returns the rejection of one record when Business Central
 * refused the post because of that record's line (e.g. its posting date); a No. Series that
 * refuses manual numbers is a configuration error naming the fix; anything else throws.
 */
export async function postJournal(
  api: DynamicsApi,
  journalId: string,
  created: ReadonlyMap<number, ExportRecord>,
  fence: Fence,
  onSend: () => void,
  signal: AbortSignal | undefined,
): Promise<RejectedRecord | undefined> {
  await fence();
  onSend();
  try {
    await api.client.send({
      method: 'POST',
      url: `${api.client.apiRoot}/${api.client.companyPath}/journals(${journalId})/Microsoft.NAV.post`,
      write: true,
      signal,
    });
    return undefined;
  } catch (error) {
    if (!(error instanceof AccountingError)) throw error;
    // Our lines were there a moment ago: someone else posted them. The settle step finds out.
    if (/nothing to post/i.test(error.message)) {
      throw new AccountingError('The journal was posted by someone else before Meander posted it', {
        code: error.details.code,
        category: 'unknown',
        retryable: true,
        outcomeUnknown: true,
      });
    }
    // V: GenJnlPostBatch.ProcessBalanceOfLines → No. Series TestManual. Posting is all or nothing: nothing was posted.
    if (/You may not enter numbers manually/i.test(error.message)) {
      throw new AccountingError(
        `The No. Series of journal batch ${api.connection.journalName} does not allow manual numbers, so Business Central refused Meander's document numbers; nothing was posted. Clear the batch's No. Series (or tick "Manual Nos." on it) and re-sync. ${stripCorrelation(error.message)}`,
        {
          code: 'NO_SERIES_MANUAL_NOT_ALLOWED',
          category: 'configuration',
          retryable: false,
          ...(error.details.providerCode ? { providerCode: error.details.providerCode } : {}),
          ...(error.details.correlationId ? { correlationId: error.details.correlationId } : {}),
          ...(error.details.httpStatus !== undefined ? { httpStatus: error.details.httpStatus } : {}),
        },
      );
    }
    const lineNumber = /Line No\.='?(\d+)'?/.exec(error.message)?.[1];
    const record = lineNumber === undefined ? undefined : created.get(Number(lineNumber));
    if (record !== undefined && !error.details.retryable) {
      return {
        recordId: record.id,
        code: error.details.providerCode ?? error.details.code,
        category: 'validation',
        retryable: false,
        reason: stripCorrelation(error.message),
      };
    }
    throw error;
  }
}

function stripCorrelation(message: string): string {
  return message.replace(/\s*CorrelationId:\s*[0-9a-fA-F-]+\.?/, '').trim();
}
