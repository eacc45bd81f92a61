import { AccountingError } from '../port.js';
import { backoffDelay, type Random } from './backoff.js';
import type { RetryPolicy } from './retry-policy.js';

/**
 * The retry allowance of one batch: attempts per request (consecutive failures) and the total time
 * the batch may spend waiting. Retryable errors get a delay; anything else, or a spent budget,
 * is thrown back.
 */
export class RetryBudget {
  private consecutiveFailures = 0;
  private waitedMs = 0;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly random: Random = Math.random,
  ) {}

  /** Milliseconds to wait before trying again after `error`; throws when retrying cannot or may not help. */
  delayAfter(error: AccountingError): number {
    if (!error.details.retryable) throw error;
    this.consecutiveFailures += 1;
    if (this.consecutiveFailures >= this.policy.maxAttempts) {
      throw exhausted(error, `gave up after ${this.consecutiveFailures} attempts`);
    }
    // The provider's own wait wins over a shorter jittered one; full jitter spreads the rest.
    const jittered = backoffDelay(this.consecutiveFailures, this.policy, this.random);
    const delay = Math.max(error.details.retryAfterMs ?? 0, jittered);
    if (this.waitedMs + delay > this.policy.maxTotalWaitMs) {
      throw exhausted(
        error,
        `waiting ${delay} ms more would exceed the ${this.policy.maxTotalWaitMs} ms retry budget`,
      );
    }
    this.waitedMs += delay;
    return delay;
  }

  /** A request went through: the next failure starts a fresh count of attempts. */
  succeeded(): void {
    this.consecutiveFailures = 0;
  }

  /** Total milliseconds granted for waiting so far. */
  get waited(): number {
    return this.waitedMs;
  }
}

function exhausted(error: AccountingError, why: string): AccountingError {
  const wrapped = new AccountingError(`${error.message} (${why})`, error.details);
  wrapped.cause = error;
  return wrapped;
}
