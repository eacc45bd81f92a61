import type { EmulatorStats } from '../../../emulators/emulator-stats.js';
import type { FaultState } from '../../../emulators/faults.js';
import { type Answer, odataError } from './dynamics-odata.js';

/**
 * Business Central's request limits per user (here: per app registration): the `throttle` fault
 * (the next N requests), `requestQuota` (V: MS Learn "Working with API limits" — 6,000 OData
 * requests per 5 minutes per user) and `maxConcurrentRequests` (V: same page — at most 100
 * concurrent requests). A 429 carries Retry-After unless `throttleWithoutRetryAfter` (the docs do
 * not promise the header). Only admitted requests count toward the quota (I).
 */
export class DynamicsLimits {
  private readonly admitted = new Map<string, number[]>();
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly faults: FaultState,
    private readonly stats: () => EmulatorStats,
    private readonly now: () => number,
  ) {}

  /** Admit one request of `user` (then `release` it when answered) or answer 429. */
  admit(user: string): Answer | undefined {
    const limits = this.faults.dynamicsLimits;
    let retryAfterSeconds: number | undefined;
    if (this.faults.take('throttle')) retryAfterSeconds = this.faults.retryAfterSeconds;
    const running = this.inFlight.get(user) ?? 0;
    if (retryAfterSeconds === undefined && limits.maxConcurrentRequests !== undefined) {
      if (running >= limits.maxConcurrentRequests) retryAfterSeconds = 1;
    }
    const now = this.now();
    const recent = this.admitted.get(user) ?? [];
    if (retryAfterSeconds === undefined && limits.requestQuota) {
      const windowMs = limits.requestQuota.windowSeconds * 1000;
      while (recent.length > 0 && (recent[0] ?? 0) <= now - windowMs) recent.shift();
      if (recent.length >= limits.requestQuota.requests)
        retryAfterSeconds = Math.max(1, Math.ceil(((recent[0] ?? now) + windowMs - now) / 1000));
    }
    if (retryAfterSeconds !== undefined) {
      this.stats().throttled += 1;
      return {
        status: 429,
        ...(limits.throttleWithoutRetryAfter
          ? {}
          : { headers: { 'retry-after': String(retryAfterSeconds) } }),
        body: odataError(
          'Application_TooManyRequests',
          'The rate of requests exceeds the limit. Try again later.',
        ),
      };
    }
    recent.push(now);
    this.admitted.set(user, recent);
    this.inFlight.set(user, running + 1);
    return undefined;
  }

  release(user: string): void {
    this.inFlight.set(user, Math.max(0, (this.inFlight.get(user) ?? 1) - 1));
  }

  reset(): void {
    this.admitted.clear();
    this.inFlight.clear();
  }
}
