import { setTimeout as delay } from 'node:timers/promises';
import { AccountingError } from '../port.js';

/** Where the adapters read the time (token expiry, Retry-After dates); injectable for tests. */
export interface Clock {
  now(): number;
}

/** Waits `ms` milliseconds or rejects when `signal` aborts; injectable so tests never really wait. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A real timer that stops early, with a typed error, when the caller aborts. */
export const realSleep: Sleep = async (ms, signal) => {
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
  } catch (error) {
    if (signal?.aborted) throw abortedError(false);
    throw error;
  }
};

/** The caller cancelled: not retried here, the caller decided to stop. */
export function abortedError(outcomeUnknown: boolean): AccountingError {
  return new AccountingError('The request was cancelled by the caller', {
    code: 'ABORTED',
    category: 'unknown',
    retryable: false,
    outcomeUnknown,
  });
}
