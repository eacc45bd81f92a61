import type { AdapterRuntime } from '../../adapter-options.js';
import { type HttpResponse, sendHttp } from '../../http/http-request.js';
import { parseJsonBody } from '../../http/json-body.js';
import { parseRetryAfter } from '../../http/retry-after.js';
import type { AccountingError } from '../../port.js';
import type { DynamicsConnection } from './dynamics-connection.js';
import { dynamicsRequestError, readODataError } from './dynamics-errors.js';
import type { DynamicsTokenProvider } from './dynamics-token-provider.js';

/** Decimals travel as JSON strings (OData's IEEE754Compatible), so no amount ever passes through a float. */
export const JSON_CONTENT_TYPE = 'application/json;IEEE754Compatible=true';

/**
 * Authorized requests to Business Central's API v2.0. A 401 fetches a fresh token and tries once
 * more (the request was refused, so repeating it cannot post twice); other failures are typed.
 */
export class DynamicsClient {
  /** `{baseUrl}/api/v2.0` — what `$batch` operation URLs are relative to. */
  readonly apiRoot: string;
  /** `companies({companyId})`, relative to {@link apiRoot}. */
  readonly companyPath: string;

  constructor(
    connection: DynamicsConnection,
    private readonly runtime: AdapterRuntime,
    private readonly tokens: DynamicsTokenProvider,
  ) {
    this.apiRoot = `${connection.baseUrl}/api/v2.0`;
    this.companyPath = `companies(${connection.companyId})`;
  }

  /** Send and return the response when its status is 2xx; otherwise throw the typed error. */
  async send(request: {
    method: 'GET' | 'POST' | 'DELETE';
    url: string;
    body?: unknown;
    write: boolean;
    headers?: Record<string, string>;
    signal?: AbortSignal | undefined;
  }): Promise<HttpResponse> {
    let refreshed = false;
    for (;;) {
      const token = await this.tokens.token(request.signal);
      const response = await sendHttp(
        {
          url: request.url,
          method: request.method,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(request.body !== undefined ? { 'content-type': JSON_CONTENT_TYPE } : {}),
            ...request.headers,
          },
          ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
          write: request.write,
        },
        this.runtime.transport,
        request.signal,
      );
      if (response.status === 401 && !refreshed) {
        this.tokens.invalidate(token);
        refreshed = true;
        continue;
      }
      if (response.status >= 200 && response.status < 300) return response;
      throw this.errorOf(response, request.write);
    }
  }

  /** The typed error of a failed response. */
  errorOf(response: HttpResponse, write: boolean): AccountingError {
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      body = undefined;
    }
    return dynamicsRequestError(response.status, readODataError(body), {
      write,
      ...retryAfterOf(response, this.runtime),
    });
  }

  /** Parse a successful response's JSON body. */
  json(response: HttpResponse, write: boolean): unknown {
    return parseJsonBody(response.body, { status: response.status, write });
  }
}

/**
 * How long the answer asks us to wait. A 429 without Retry-After still gets a cool-off: MS Learn
 * ("Working with API limits") asks clients to retry after a cool-off period and does not promise
 * the header, so the policy's `rateLimitDelayMs` is the floor under the jittered backoff.
 */
export function retryAfterOf(
  response: { status: number; headers: Headers | Record<string, string> },
  runtime: Pick<AdapterRuntime, 'clock' | 'policy'>,
): { retryAfterMs?: number } {
  const header =
    response.headers instanceof Headers
      ? response.headers.get('retry-after')
      : response.headers['retry-after'];
  const ms = parseRetryAfter(header ?? null, runtime.clock.now());
  if (ms !== undefined) return { retryAfterMs: ms };
  return response.status === 429 ? { retryAfterMs: runtime.policy.rateLimitDelayMs } : {};
}
