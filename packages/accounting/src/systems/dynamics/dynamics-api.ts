import type { AdapterRuntime } from '../../adapter-options.js';
import { isObject, malformed } from '../../http/json-body.js';
import {
  type BatchOperation,
  type BatchOperationResponse,
  batchRequestBody,
  readBatchResponses,
} from './dynamics-batch.js';
import type { DynamicsClient } from './dynamics-client.js';
import type { DynamicsConnection } from './dynamics-connection.js';

/** What every Business Central step of one adapter shares: settings, runtime, client and what it learnt once. */
export interface DynamicsApi {
  readonly connection: DynamicsConnection;
  readonly runtime: AdapterRuntime;
  readonly client: DynamicsClient;
  /** Read once per adapter: the journal batch's id and the company's local currency. */
  readonly cache: { journalId?: string; localCurrency?: string };
}

/** Awaited before every write: fencing (`BatchContext.beforeWrite`); throws when this runner lost its lease. */
export type Fence = () => Promise<void>;

/** GET `path` under the API root and parse its JSON body. */
export async function getJson(
  api: DynamicsApi,
  path: string,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  const response = await api.client.send({
    method: 'GET',
    url: `${api.client.apiRoot}/${path}`,
    write: false,
    signal,
  });
  return api.client.json(response, false);
}

/**
 * Every item of a collection, following `@odata.nextLink` until the last page. `url` is absolute.
 */
export async function getAllPages(
  api: DynamicsApi,
  url: string,
  what: string,
  signal: AbortSignal | undefined,
): Promise<unknown[]> {
  const items: unknown[] = [];
  let next: string | null = url;
  while (next !== null) {
    const body = api.client.json(
      await api.client.send({ method: 'GET', url: next, write: false, signal }),
      false,
    );
    items.push(...valuesOf(body, what));
    const link = isObject(body) ? body['@odata.nextLink'] : undefined;
    next = typeof link === 'string' ? link : null;
  }
  return items;
}

/**
 * One `$batch` write, fenced; each operation answers on its own (`continue-on-error`), so the
 * caller reads every answer. A body without a responses array is a malformed answer.
 */
export async function sendBatch(
  api: DynamicsApi,
  operations: readonly BatchOperation[],
  fence: Fence,
  signal: AbortSignal | undefined,
): Promise<BatchOperationResponse[]> {
  await fence();
  const response = await api.client.send({
    method: 'POST',
    url: `${api.client.apiRoot}/$batch`,
    body: batchRequestBody(operations),
    headers: { Prefer: 'odata.continue-on-error' },
    write: true,
    signal,
  });
  const responses = readBatchResponses(api.client.json(response, true));
  if (responses === undefined) throw malformed('$batch answered without a responses array');
  return responses;
}

export function valuesOf(body: unknown, what: string): unknown[] {
  if (!isObject(body) || !Array.isArray(body.value)) throw malformed(`${what} answered without value`, false);
  return body.value;
}

/** An OData string literal's content: single quotes doubled. */
export function quote(value: string): string {
  return value.replaceAll("'", "''");
}
