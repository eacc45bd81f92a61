/**
 * How hard an adapter tries before it gives up. Every delay is in milliseconds and configurable,
 * so tests run the same code with millisecond waits.
 */
export interface RetryPolicy {
  /** Attempts of one request, the first included (consecutive failures; a success starts over). */
  maxAttempts: number;
  /** Upper bound on the time one batch may spend waiting between attempts, all requests together. */
  maxTotalWaitMs: number;
  /** First backoff step; step n is `baseDelayMs * 2^(n-1)`, capped by `maxDelayMs`, fully jittered. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Wait after a rate-limit answer that names no delay (Xledger's GraphQL errors; the default follows public clients). */
  rateLimitDelayMs: number;
  /** Timeout of one HTTP request, body included. */
  requestTimeoutMs: number;
}

/** Defaults for real systems: a few attempts over at most two minutes. */
const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxAttempts: 5,
  maxTotalWaitMs: 120_000,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  rateLimitDelayMs: 3_000,
  requestTimeoutMs: 30_000,
};

/** The defaults overridden by whatever the caller set. */
export function resolveRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...overrides };
  for (const [key, value] of Object.entries(policy)) {
    if (!Number.isFinite(value) || value < 0)
      throw new RangeError(`Retry policy ${key} must be a number ≥ 0`);
  }
  if (policy.maxAttempts < 1) throw new RangeError('Retry policy maxAttempts must be at least 1');
  return policy;
}
