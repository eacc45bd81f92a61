import { isObject } from '../../http/json-body.js';

/** Business Central takes at most 100 operations in one `$batch` request. */
export const MAX_BATCH_OPERATIONS = 100;

/** One operation of a JSON `$batch` request; `url` is relative to `/api/v2.0/`. */
export interface BatchOperation {
  id: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** One operation's answer inside a `$batch` response. */
export interface BatchOperationResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The JSON batch request body. */
export function batchRequestBody(operations: readonly BatchOperation[]): { requests: BatchOperation[] } {
  if (operations.length > MAX_BATCH_OPERATIONS) {
    throw new RangeError(`A $batch holds at most ${MAX_BATCH_OPERATIONS} operations`);
  }
  return { requests: [...operations] };
}

/** The operations' answers, or undefined when the body is not a JSON batch response. */
export function readBatchResponses(body: unknown): BatchOperationResponse[] | undefined {
  if (!isObject(body) || !Array.isArray(body.responses)) return undefined;
  const responses: BatchOperationResponse[] = [];
  for (const entry of body.responses) {
    if (!isObject(entry) || typeof entry.status !== 'number') return undefined;
    const id = typeof entry.id === 'string' ? entry.id : String(entry.id);
    const headers: Record<string, string> = {};
    if (isObject(entry.headers)) {
      for (const [name, value] of Object.entries(entry.headers)) {
        if (typeof value === 'string') headers[name.toLowerCase()] = value;
      }
    }
    responses.push({ id, status: entry.status, headers, body: entry.body });
  }
  return responses;
}
