import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** How many writes (tRPC mutations) one principal may make per window. */
export interface WriteRateLimit {
  points: number;
  windowSeconds: number;
}

/**
 * 300 writes a minute per principal: far above what a person at the console or the CLI does, and
 * enough for an external runner's lifecycle calls with progress reports every few seconds, while a
 * runaway or hostile client is slowed to that pace instead of filling the audit table.
 */
export const DEFAULT_WRITE_RATE_LIMIT: WriteRateLimit = { points: 300, windowSeconds: 60 };

/**
 * The most calls one tRPC batch may carry. Small: a client batches what one screen needs; one
 * request must not create 600 organizations or run 700 overviews.
 */
export const DEFAULT_MAX_BATCH_SIZE = 20;

/** A principal made more writes than its window allows; retry after `retryAfterSeconds`. */
export class RateLimitedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many writes: retry after ${retryAfterSeconds} s`);
    this.name = 'RateLimitedError';
  }
}

/**
 * Per-principal write limits on rate-limiter-flexible's in-memory fixed window (one per API
 * process: with several replicas behind a balancer each enforces its own share).
 */
export class WriteLimiter {
  private readonly limiter: RateLimiterMemory;

  constructor(readonly limit: WriteRateLimit) {
    this.limiter = new RateLimiterMemory({ points: limit.points, duration: limit.windowSeconds });
  }

  /** Count one write by `principalKey`; throws {@link RateLimitedError} when over the limit. */
  async take(principalKey: string): Promise<void> {
    try {
      await this.limiter.consume(principalKey);
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        throw new RateLimitedError(Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
      }
      throw error;
    }
  }
}
