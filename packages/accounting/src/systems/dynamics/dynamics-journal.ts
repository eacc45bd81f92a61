import { chunk } from '../../adapter-options.js';
import { isObject, malformed } from '../../http/json-body.js';
import { AccountingError } from '../../port.js';
import {
  type DynamicsApi,
  type Fence,
  getAllPages,
  getJson,
  quote,
  sendBatch,
  valuesOf,
} from './dynamics-api.js';
import { type BatchOperation, MAX_BATCH_OPERATIONS } from './dynamics-batch.js';
import { classifyOperationFailure, readODataError } from './dynamics-errors.js';

/** A journal line as `GET journalLines` shows it. */
export interface ListedLine {
  id: string;
  etag: string;
  lineNumber: number;
  documentNumber: string;
}

export function linesPath(api: DynamicsApi, journalId: string): string {
  return `${api.client.companyPath}/journals(${journalId})/journalLines`;
}

/** The id of the product's journal batch, created when missing (API v2.0 `POST journals`, fenced). */
export async function ensureJournal(
  api: DynamicsApi,
  fence: Fence,
  signal: AbortSignal | undefined,
): Promise<string> {
  if (api.cache.journalId !== undefined) return api.cache.journalId;
  const found = await findJournal(api, signal);
  if (found !== undefined) {
    api.cache.journalId = found;
    return found;
  }
  await fence();
  try {
    const response = await api.client.send({
      method: 'POST',
      url: `${api.client.apiRoot}/${api.client.companyPath}/journals`,
      body: { code: api.connection.journalName, displayName: 'Meander expense exports' },
      write: true,
      signal,
    });
    const body = api.client.json(response, false);
    if (!isObject(body) || typeof body.id !== 'string')
      throw malformed('journals answered without an id', false);
    api.cache.journalId = body.id;
    return body.id;
  } catch (error) {
    if (!(error instanceof AccountingError)) throw error;
    // Created by a concurrent or lost request: it exists now, so look it up again.
    const again = await findJournal(api, signal);
    if (again === undefined) throw error;
    api.cache.journalId = again;
    return again;
  }
}

export async function findJournal(
  api: DynamicsApi,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  const filter = `code eq '${quote(api.connection.journalName)}'`;
  const body = await getJson(
    api,
    `${api.client.companyPath}/journals?$filter=${encodeURIComponent(filter)}`,
    signal,
  );
  const match = valuesOf(body, 'journals').find(
    (j) => isObject(j) && typeof j.code === 'string' && j.code.toUpperCase() === api.connection.journalName,
  );
  return isObject(match) && typeof match.id === 'string' ? match.id : undefined;
}

/** Every line the batch shows (only G/L and bank account lines with no document type are shown). */
export async function listLines(
  api: DynamicsApi,
  journalId: string,
  signal: AbortSignal | undefined,
): Promise<ListedLine[]> {
  const items = await getAllPages(
    api,
    `${api.client.apiRoot}/${linesPath(api, journalId)}`,
    'journalLines',
    signal,
  );
  return items.flatMap((line) =>
    isObject(line) && typeof line.id === 'string'
      ? [
          {
            id: line.id,
            etag: typeof line['@odata.etag'] === 'string' ? line['@odata.etag'] : '*',
            lineNumber: typeof line.lineNumber === 'number' ? line.lineNumber : Number(line.lineNumber),
            documentNumber: typeof line.documentNumber === 'string' ? line.documentNumber : '',
          },
        ]
      : [],
  );
}

/**
 * Delete every line the batch shows (leftovers of an earlier attempt, or typed in by a user): the
 * post action posts them all. If-Match carries the ETag read, so a line someone changed meanwhile
 * is not deleted blindly (412 → retried after a fresh read). Each delete `$batch` is fenced.
 */
export async function removeStaleLines(
  api: DynamicsApi,
  journalId: string,
  fence: Fence,
  signal: AbortSignal | undefined,
  /** Told of each line this call deleted (it was still in the journal, so no posting took it). */
  onRemoved?: (line: ListedLine) => void,
): Promise<void> {
  const stale = await listLines(api, journalId, signal);
  for (const slice of chunk(stale, MAX_BATCH_OPERATIONS)) {
    const operations: BatchOperation[] = slice.map((line, index) => ({
      id: String(index + 1),
      method: 'DELETE',
      url: `${linesPath(api, journalId)}(${line.id})`,
      headers: { 'If-Match': line.etag },
    }));
    const answers = await sendBatch(api, operations, fence, signal);
    const byId = new Map(slice.map((line, index) => [String(index + 1), line]));
    for (const answer of answers) {
      if (answer.status === 204 || answer.status === 200) {
        const line = byId.get(answer.id);
        if (line) onRemoved?.(line);
        continue;
      }
      // 404: already gone (posted or deleted by someone else) — what we wanted.
      if (answer.status === 404) continue;
      const failure = classifyOperationFailure(answer.status, readODataError(answer.body), { write: true });
      if (failure.kind === 'request') throw failure.error;
      throw new AccountingError(
        `A stale journal line could not be deleted: ${readODataError(answer.body)?.message ?? answer.status}`,
        { code: failure.code, category: 'unavailable', retryable: true },
      );
    }
  }
}

/**
 * Delete `lines` (ours, seen in the journal after a post whose answer was lost), fenced. True when
 * every one was deleted — nothing of them was posted; false when one was already gone (404): a
 * posting took them, so they must not be created again.
 */
export async function withdrawLines(
  api: DynamicsApi,
  journalId: string,
  lines: readonly ListedLine[],
  fence: Fence,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  let allDeleted = true;
  for (const slice of chunk(lines, MAX_BATCH_OPERATIONS)) {
    const operations: BatchOperation[] = slice.map((line, index) => ({
      id: String(index + 1),
      method: 'DELETE',
      url: `${linesPath(api, journalId)}(${line.id})`,
      headers: { 'If-Match': line.etag },
    }));
    for (const answer of await sendBatch(api, operations, fence, signal)) {
      if (answer.status === 204 || answer.status === 200) continue;
      if (answer.status === 404) {
        allDeleted = false;
        continue;
      }
      throw new AccountingError(
        `A journal line of the unanswered post could not be withdrawn: ${readODataError(answer.body)?.message ?? answer.status}`,
        { code: 'WITHDRAW_FAILED', category: 'unknown', retryable: true, outcomeUnknown: true },
      );
    }
  }
  return allDeleted;
}

/**
 * Delete lines this attempt has just created (a record refused or created only in part), fenced;
 * `If-Match: *` because nobody else has seen them. A line already gone (404) is what was wanted.
 */
export async function deleteLines(
  api: DynamicsApi,
  journalId: string,
  lineIds: readonly string[],
  fence: Fence,
  signal: AbortSignal | undefined,
): Promise<void> {
  for (const slice of chunk(lineIds, MAX_BATCH_OPERATIONS)) {
    const operations: BatchOperation[] = slice.map((id, index) => ({
      id: String(index + 1),
      method: 'DELETE',
      url: `${linesPath(api, journalId)}(${id})`,
      headers: { 'If-Match': '*' },
    }));
    for (const answer of await sendBatch(api, operations, fence, signal)) {
      if (answer.status === 204 || answer.status === 200 || answer.status === 404) continue;
      throw new AccountingError(
        `A journal line of a refused record could not be deleted: ${readODataError(answer.body)?.message ?? answer.status}`,
        { code: 'WITHDRAW_FAILED', category: 'unavailable', retryable: true },
      );
    }
  }
}
