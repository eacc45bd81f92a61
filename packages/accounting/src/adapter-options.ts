import type { Random } from './http/backoff.js';
import { type Clock, realSleep, type Sleep, systemClock } from './http/clock.js';
import type { HttpTransport } from './http/http-request.js';
import type { LedgerLimits } from './http/request-gate.js';
import { type RetryPolicy, resolveRetryPolicy } from './http/retry-policy.js';

/** Tuning shared by both adapters; every field is optional and every delay is in milliseconds. */
export interface AdapterOptions {
  retry?: Partial<RetryPolicy>;
  /** Records per request: Xledger items per mutation (default 100); Dynamics operations per `$batch` (max and default 100). */
  itemsPerRequest?: number;
  /** Always ask the ledger what it already holds before sending (default false: only when in doubt). */
  readBackBeforePush?: boolean;
  sleep?: Sleep;
  clock?: Clock;
  random?: Random;
  fetch?: typeof fetch;
  /**
   * Xledger only: how long a push waits for imported items to be processed (whether Xledger
   * processes inside the import request is not documented), polling with exponential backoff.
   * Defaults: first poll after 1,000 ms, at most 60,000 ms in all.
   */
  xledgerProcessingWait?: { firstPollMs?: number; maxWaitMs?: number };
  /**
   * The process's rate and concurrency limits per (system, caller identity): share one instance
   * between every adapter of the process, so concurrent syncs on one app registration or API token
   * stay under the vendor's limit together. Without it requests go unpaced.
   */
  limits?: LedgerLimits;
}

/** The options with defaults filled in, as the adapters use them. */
export interface AdapterRuntime {
  policy: RetryPolicy;
  itemsPerRequest: number;
  readBackBeforePush: boolean;
  sleep: Sleep;
  clock: Clock;
  random: Random;
  transport: HttpTransport;
}

/** Fill in the defaults; `maxItemsPerRequest` is the provider's own ceiling. */
export function resolveAdapterRuntime(
  options: AdapterOptions,
  maxItemsPerRequest: number,
  caller?: { system: 'xledger' | 'dynamics'; identity: string },
): AdapterRuntime {
  const policy = resolveRetryPolicy(options.retry);
  const itemsPerRequest = options.itemsPerRequest ?? Math.min(100, maxItemsPerRequest);
  if (!Number.isInteger(itemsPerRequest) || itemsPerRequest < 1 || itemsPerRequest > maxItemsPerRequest) {
    throw new RangeError(`itemsPerRequest must be an integer from 1 to ${maxItemsPerRequest}`);
  }
  return {
    policy,
    itemsPerRequest,
    readBackBeforePush: options.readBackBeforePush ?? false,
    sleep: options.sleep ?? realSleep,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    transport: {
      fetch: options.fetch ?? globalThis.fetch,
      timeoutMs: policy.requestTimeoutMs,
      count: { reads: 0, writes: 0 },
      gate: caller ? options.limits?.gateFor(caller.system, caller.identity) : undefined,
    },
  };
}

/** Split `items` into consecutive slices of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const slices: T[][] = [];
  for (let start = 0; start < items.length; start += size) slices.push(items.slice(start, start + size));
  return slices;
}
