import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { AccountingError, createAdapter } from '../src/index.js';
import { postedCounts } from './support/dynamics.js';
import { batchContext, fastOptions, makeRecords } from './support/fixtures.js';

// V: MS Learn "Working with API limits" / "dynamics-rate-limits": 429 beyond the limits, clients
// retry after a cool-off period, and Retry-After is not promised. Issue 22: 200 throttled requests
// without Retry-After — the adapter cools off (no hammering), never posts twice, and either
// finishes or fails with a retryable rate-limit error.

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

describe('Business Central — 200 throttled requests without Retry-After', () => {
  it('each attempt sends at most maxAttempts requests with a cool-off between them; the sync ends with every record posted once', async () => {
    emulators.setFaults('dynamics', { throttle: 200, throttleWithoutRetryAfter: true });
    const records = makeRecords(10);
    const failures: AccountingError[] = [];
    const requestsPerAttempt: number[] = [];
    const allWaits: number[] = [];
    let accepted = 0;
    // The worker retries a batch that failed retryably; each pushBatch is one attempt.
    for (let attempt = 1; attempt <= 80 && accepted === 0; attempt += 1) {
      // random 0: full jitter would allow a zero wait; the cool-off floor must still hold.
      const options = fastOptions({ random: () => 0, retry: { rateLimitDelayMs: 7 } });
      const before = emulators.stats('dynamics').requests;
      const adapter = createAdapter('dynamics', emulators.connections.dynamics, options);
      try {
        const result = await adapter.pushBatch(records, batchContext({ readBackFirst: attempt > 1 }));
        accepted = result.accepted.length;
        expect(result.rejected).toEqual([]);
      } catch (error) {
        if (!(error instanceof AccountingError)) throw error;
        failures.push(error);
      }
      requestsPerAttempt.push(emulators.stats('dynamics').requests - before);
      allWaits.push(...options.waits);
    }

    expect(accepted).toBe(10);
    expect(emulators.stats('dynamics').throttled).toBe(200);
    // Every failed attempt gave up after maxAttempts (4) throttled requests: no hammering.
    expect(failures.length).toBe(50);
    expect(requestsPerAttempt.slice(0, 50).every((n) => n === 4)).toBe(true);
    for (const error of failures) {
      expect(error.details).toMatchObject({ category: 'rate_limit', retryable: true, httpStatus: 429 });
    }
    // Every wait after a 429 without Retry-After is at least the cool-off (never an instant retry).
    expect(allWaits.length).toBeGreaterThan(0);
    expect(allWaits.every((ms) => ms >= 7)).toBe(true);
    expect([...postedCounts(emulators, records).values()].every((n) => n === 1)).toBe(true);
  });

  it('a quota of 6,000 requests per 300 s per user: a nightly export runs far below it and posts once', async () => {
    emulators.setFaults('dynamics', { requestQuota: { requests: 6_000, windowSeconds: 300 } });
    const records = makeRecords(300);
    const adapter = createAdapter('dynamics', emulators.connections.dynamics, fastOptions());
    for (let i = 0; i < records.length; i += 100) {
      const result = await adapter.pushBatch(
        records.slice(i, i + 100),
        batchContext({ batchNumber: i / 100 + 1 }),
      );
      expect(result.accepted).toHaveLength(100);
    }
    expect(emulators.stats('dynamics').throttled).toBe(0);
    expect(adapter.requests.reads + adapter.requests.writes).toBeLessThan(60);
    expect([...postedCounts(emulators, records).values()].every((n) => n === 1)).toBe(true);
  });
});
