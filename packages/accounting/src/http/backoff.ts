import type { RetryPolicy } from './retry-policy.js';

/** A source of uniform numbers in [0, 1); injectable so tests can pin the jitter. */
export type Random = () => number;

/**
 * Exponential backoff with full jitter: a uniform wait between 0 and the capped exponential step,
 * so many clients that failed together do not come back together.
 */
export function backoffDelay(
  failedAttempts: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: Random,
): number {
  const exponent = Math.max(0, failedAttempts - 1);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}
