import { AccountingError } from '../port.js';
import { traceLedgerRequest } from '../telemetry/tracing.js';
import { abortedError } from './clock.js';
import type { RequestGate } from './request-gate.js';

/** One HTTP exchange as the adapters see it. */
export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST' | 'DELETE';
  headers: Record<string, string>;
  body?: string;
  /** True when the request may change the ledger: a lost answer then leaves its outcome unknown. */
  write: boolean;
}

/** A complete response: the body is read inside the same timeout as the headers. */
export interface HttpResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** Requests one adapter sent to its ledger (token requests and retries included). */
export interface RequestCount {
  reads: number;
  writes: number;
}

/** The transport settings of one adapter. */
export interface HttpTransport {
  fetch: typeof fetch;
  timeoutMs: number;
  /** Counted before each request leaves, so a request that fails or times out still counts (the ledger may bill it). */
  count?: RequestCount;
  /** The caller identity's rate and concurrency limit: every request waits its turn here first. */
  gate?: RequestGate;
}

/** Errors whose request never reached the server, so nothing can have been written. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Send one request with a per-request timeout combined with the caller's signal. Transport
 * failures become typed errors: a timeout or a dropped connection after a write was sent is
 * `outcomeUnknown`, because the server may have applied it.
 */
export async function sendHttp(
  request: HttpRequest,
  transport: HttpTransport,
  signal?: AbortSignal,
): Promise<HttpResponse> {
  if (signal?.aborted) throw abortedError(false);
  const release = transport.gate ? await transport.gate.acquire(signal) : undefined;
  try {
    return await traceLedgerRequest(request, () => exchange(request, transport, signal));
  } finally {
    release?.();
  }
}

async function exchange(
  request: HttpRequest,
  transport: HttpTransport,
  signal?: AbortSignal,
): Promise<HttpResponse> {
  if (transport.count) {
    if (request.write) transport.count.writes += 1;
    else transport.count.reads += 1;
  }
  // One controller per request, released when it ends: `AbortSignal.any` on the sync's long-lived
  // signal kept a dependent per request alive for the whole sync, and `AbortSignal.timeout` a
  // timer for the full timeout after the answer came (thousands of each on a large export).
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, transport.timeoutMs);
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await transport.fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: controller.signal,
    });
    const body = await response.text();
    return { status: response.status, headers: response.headers, body };
  } catch (error) {
    if (signal?.aborted) throw abortedError(request.write);
    if (timedOut) {
      throw new AccountingError(`No answer within ${transport.timeoutMs} ms`, {
        code: 'TIMEOUT',
        category: 'unavailable',
        retryable: true,
        outcomeUnknown: request.write,
      });
    }
    const causeCode = networkCauseCode(error);
    const typed = new AccountingError(`Network error: ${describe(error)}`, {
      code: 'NETWORK_ERROR',
      category: 'unavailable',
      retryable: true,
      outcomeUnknown: request.write && !(causeCode !== undefined && NOT_SENT_CODES.has(causeCode)),
      ...(causeCode ? { providerCode: causeCode } : {}),
    });
    typed.cause = error;
    throw typed;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

function networkCauseCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? error.cause : undefined;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') {
    return cause.code;
  }
  return undefined;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
