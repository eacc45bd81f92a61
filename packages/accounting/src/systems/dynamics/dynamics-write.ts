import type { ExportRecord } from '@meander/domain';
import type { BatchState } from '../../batch-state.js';
import { isObject } from '../../http/json-body.js';
import type { RetryBudget } from '../../http/retry-budget.js';
import { withRetries } from '../../http/with-retries.js';
import { AccountingError, type RejectedRecord } from '../../port.js';
import { type DynamicsApi, type Fence, sendBatch } from './dynamics-api.js';
import type { BatchOperation, BatchOperationResponse } from './dynamics-batch.js';
import { JSON_CONTENT_TYPE, retryAfterOf } from './dynamics-client.js';
import type { CreditPlan, DocumentPlan, JournalLinePlan } from './dynamics-document-plan.js';
import { classifyOperationFailure, readODataError } from './dynamics-errors.js';
import { deleteLines, linesPath } from './dynamics-journal.js';
import {
  EXTERNAL_DOCUMENT_NUMBER_MAX,
  externalDocumentNumberFor,
  ledgerDescriptionFor,
  postingKeyOf,
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
      const settled = await withRetries(settle, budget, api.runtime.sleep, signal, { resetOnSuccess: false });
      if (settled !== undefined) return settled;
    }
  }
}

/** One journal line of a record's document: its key as document number and at the start of the description. */
function lineBody(record: ExportRecord, line: JournalLinePlan, credit: CreditPlan) {
  return {
    // Enum values as OData writes them on the wire (the plain form is accepted too: assumption I).
    accountType: wireEnum('G/L Account'),
    accountNumber: line.account,
    postingDate: record.bookingDate,
    documentNumber: postingKeyOf(record),
    externalDocumentNumber: externalDocumentNumberFor(record.id).slice(0, EXTERNAL_DOCUMENT_NUMBER_MAX),
    amount: line.amount,
    description: ledgerDescriptionFor(record),
    ...(line.vatCode !== undefined ? { taxCode: line.vatCode } : {}),
    balanceAccountType: wireEnum(credit.type),
    balancingAccountNumber: credit.number,
  };
}

/** Create the slice's lines (one fenced `$batch`), adding line number → record to `created` for each line Business Central took. */
export async function createLines(
  api: DynamicsApi,
  state: BatchState,
  journalId: string,
  slice: readonly ExportRecord[],
  plans: ReadonlyMap<string, DocumentPlan>,
  created: Map<number, ExportRecord>,
  lineIds: Map<number, string>,
  fence: Fence,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (slice.length === 0) return;
  const { operations, owners } = lineOperations(api, journalId, slice, plans);
  const responses = await sendBatch(api, operations, fence, signal);
  const outcome = readCreated(api, state, owners, responses, created, lineIds);
  await withdrawIncomplete(api, journalId, plans, outcome.refusedRecords, created, lineIds, fence, signal);
  // Lines already created are in `created`: a retry sends only the others.
  if (outcome.requestFailure) throw outcome.requestFailure;
  if (outcome.unaccounted > 0) {
    throw new AccountingError(
      `$batch did not answer ${outcome.unaccounted} of ${operations.length} operations`,
      { code: 'INCOMPLETE_RESPONSE', category: 'unknown', retryable: true, outcomeUnknown: true },
    );
  }
}

/** A record and the `$batch` operation ids that create its lines. */
interface LineOwner {
  record: ExportRecord;
  operationIds: string[];
}

/** One POST per planned line of every record in the slice, numbered in order. */
function lineOperations(
  api: DynamicsApi,
  journalId: string,
  slice: readonly ExportRecord[],
  plans: ReadonlyMap<string, DocumentPlan>,
): { operations: BatchOperation[]; owners: LineOwner[] } {
  const operations: BatchOperation[] = [];
  const owners: LineOwner[] = [];
  for (const record of slice) {
    const plan = plans.get(record.id);
    if (plan === undefined) continue;
    const operationIds: string[] = [];
    for (const line of plan.lines) {
      const id = String(operations.length + 1);
      operationIds.push(id);
      operations.push({
        id,
        method: 'POST',
        url: linesPath(api, journalId),
        headers: { 'Content-Type': JSON_CONTENT_TYPE },
        body: lineBody(record, line, plan.credit),
      });
    }
    owners.push({ record, operationIds });
  }
  return { operations, owners };
}

/** What the `$batch` answers said beyond the lines they created. */
interface CreateOutcome {
  /** The failure to throw once the batch is tidied: one retrying cannot fix outranks one it can. */
  requestFailure: AccountingError | undefined;
  /** Operations with no answer, or created without a line number. */
  unaccounted: number;
  /** Records refused (and rejected in `state`) by one of their lines. */
  refusedRecords: Set<string>;
}

/** Record the created lines in `created` / `lineIds`, reject refused records, and keep the worst request failure. */
function readCreated(
  api: DynamicsApi,
  state: BatchState,
  owners: readonly LineOwner[],
  responses: readonly BatchOperationResponse[],
  created: Map<number, ExportRecord>,
  lineIds: Map<number, string>,
): CreateOutcome {
  const byId = new Map(responses.map((r) => [r.id, r]));
  const outcome: CreateOutcome = { requestFailure: undefined, unaccounted: 0, refusedRecords: new Set() };
  for (const { record, operationIds } of owners) {
    for (const operationId of operationIds) {
      const answer = byId.get(operationId);
      if (answer === undefined) {
        outcome.unaccounted += 1;
        continue;
      }
      if (answer.status === 200 || answer.status === 201) {
        const lineNumber = isObject(answer.body) ? answer.body.lineNumber : undefined;
        const lineId = isObject(answer.body) ? answer.body.id : undefined;
        if (typeof lineNumber === 'number') {
          created.set(lineNumber, record);
          if (typeof lineId === 'string') lineIds.set(lineNumber, lineId);
        } else outcome.unaccounted += 1;
        continue;
      }
      if (outcome.refusedRecords.has(record.id)) continue;
      const failure = classifyOperationFailure(answer.status, readODataError(answer.body), {
        write: true,
        ...retryAfterOf(answer, api.runtime),
      });
      if (failure.kind === 'rejected') {
        outcome.refusedRecords.add(record.id);
        state.reject({
          recordId: record.id,
          code: failure.code,
          category: failure.category,
          retryable: false,
          reason: failure.reason,
        });
      } else if (failure.kind === 'request') {
        // A failure retrying cannot fix outranks one it can.
        const worst = outcome.requestFailure;
        if (worst === undefined || (worst.details.retryable && !failure.error.details.retryable))
          outcome.requestFailure = failure.error;
      } else {
        // A repeated key is no refusal on a journal line (its key is the line number): retry the attempt.
        outcome.requestFailure ??= new AccountingError(
          'Business Central reported a duplicate journal line key',
          { code: failure.code, category: 'unavailable', retryable: true },
        );
      }
    }
  }
  return outcome;
}

/**
 * A refused record's other lines must not be posted without it (its document would be half
 * booked), nor stay beside a retry that creates the record's lines again: a record whose lines
 * were not all created has them taken out again before anything is posted.
 */
async function withdrawIncomplete(
  api: DynamicsApi,
  journalId: string,
  plans: ReadonlyMap<string, DocumentPlan>,
  refusedRecords: ReadonlySet<string>,
  created: Map<number, ExportRecord>,
  lineIds: Map<number, string>,
  fence: Fence,
  signal: AbortSignal | undefined,
): Promise<void> {
  const count = new Map<string, number>();
  for (const record of created.values()) count.set(record.id, (count.get(record.id) ?? 0) + 1);
  const incomplete = (record: ExportRecord) =>
    refusedRecords.has(record.id) ||
    (count.get(record.id) ?? 0) !== (plans.get(record.id)?.lines.length ?? 0);
  const orphans = [...created].filter(([, record]) => incomplete(record));
  for (const [lineNumber] of orphans) created.delete(lineNumber);
  await deleteLines(
    api,
    journalId,
    orphans.flatMap(([lineNumber]) => {
      const id = lineIds.get(lineNumber);
      lineIds.delete(lineNumber);
      return id === undefined ? [] : [id];
    }),
    fence,
    signal,
  );
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
