import { abortedError } from './clock.js';

/** What every request of one adapter passes before it leaves: resolves with the release to call when answered. */
export interface RequestGate {
  acquire(signal?: AbortSignal): Promise<() => void>;
}

/**
 * A vendor's limit on one caller: at most `requests` per `windowSeconds` (a sliding window, as
 * Business Central counts) and at most `concurrent` in flight.
 */
export interface LedgerLimit {
  requests: number;
  windowSeconds: number;
  concurrent: number;
}

/** Each system's limit per caller identity; null: that system's requests go unpaced. */
export type LedgerLimitSettings = Readonly<Record<'xledger' | 'dynamics', LedgerLimit | null>>;

/**
 * The defaults, per caller identity (one app registration / API token) and per process.
 * Business Central (V: MS Learn "Working with API limits"): 6,000 OData requests per 5 minutes per
 * user, at most 100 concurrent. Xledger: its errors name burst and concurrency limits
 * (`BURST_RATE_LIMIT_REACHED`, `CONCURRENCY_LIMIT_REACHED`) but no number is published, so none is
 * invented (I): unpaced unless a deployment sets one; its rate-limit errors are retried with backoff.
 */
export const DEFAULT_LEDGER_LIMITS: LedgerLimitSettings = {
  dynamics: { requests: 6_000, windowSeconds: 300, concurrent: 100 },
  xledger: null,
};

/**
 * A token bucket plus a concurrency limit, with one FIFO queue: requests leave in the order they
 * asked, so the syncs sharing one identity take turns (fair across organizations) and none is
 * starved by a busier one.
 *
 * Why the bucket stays under a sliding-window limit of Q per W: it holds at most `burst` tokens and
 * refills at `rate`, so any interval of W seconds admits at most burst + rate × W requests. With
 * burst = Q / 10 and rate = 0.8 × Q / W that is 0.9 Q, leaving a tenth of the window for requests
 * that reach the ledger later than they left (queueing in the network and the server).
 */
export class RateLimitedGate implements RequestGate {
  private tokens: number;
  private last: number;
  private inFlight = 0;
  private readonly waiting: { admit: () => void; signal?: AbortSignal; onAbort?: () => void }[] = [];
  private timer: NodeJS.Timeout | null = null;
  readonly rate: number;
  readonly burst: number;

  constructor(
    readonly limit: LedgerLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(limit.requests >= 1 && limit.windowSeconds > 0 && limit.concurrent >= 1)) {
      throw new RangeError('a ledger limit needs requests ≥ 1, windowSeconds > 0 and concurrent ≥ 1');
    }
    this.burst = Math.max(1, Math.floor(limit.requests / 10));
    this.rate = (0.8 * limit.requests) / (limit.windowSeconds * 1000);
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** Requests waiting for their turn, and in flight (for metrics and tests). */
  get queued(): number {
    return this.waiting.length;
  }

  get running(): number {
    return this.inFlight;
  }

  /**
   * Nothing waiting or in flight and the bucket full again: a fresh gate would behave exactly
   * like this one, so forgetting it loses nothing.
   */
  get idle(): boolean {
    if (this.waiting.length > 0 || this.inFlight > 0 || this.timer) return false;
    this.refill();
    return this.tokens >= this.burst;
  }

  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(abortedError(false));
    return new Promise((resolve, reject) => {
      const entry: (typeof this.waiting)[number] = {
        admit: () => resolve(this.releaser()),
        signal,
      };
      if (signal) {
        entry.onAbort = () => {
          const at = this.waiting.indexOf(entry);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(abortedError(false));
          this.pump();
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.waiting.push(entry);
      this.pump();
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      this.pump();
    };
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (t - this.last) * this.rate);
    this.last = t;
  }

  /** Admit waiting requests in order while a token and a concurrency slot are free. */
  private pump(): void {
    this.refill();
    while (this.waiting.length > 0 && this.inFlight < this.limit.concurrent && this.tokens >= 1) {
      const next = this.waiting.shift() as (typeof this.waiting)[number];
      if (next.onAbort) next.signal?.removeEventListener('abort', next.onAbort);
      this.tokens -= 1;
      this.inFlight += 1;
      next.admit();
    }
    // Waiting on a token (not on a slot, whose release pumps again): wake when one has accrued.
    if (this.waiting.length > 0 && this.inFlight < this.limit.concurrent && !this.timer) {
      const ms = Math.max(1, Math.ceil((1 - this.tokens) / this.rate));
      this.timer = setTimeout(() => {
        this.timer = null;
        this.pump();
      }, ms);
      this.timer.unref?.();
    }
  }
}

/** Below this many gates nothing is swept. */
const GATE_SWEEP_FLOOR = 256;

/**
 * One gate per (system, caller identity), shared by every adapter of a process: many concurrent
 * syncs of organizations on one app registration stay under that registration's limit together.
 * Several processes share a limit by each taking its part (`LedgerLimits.share(n)`).
 */
export class LedgerLimits {
  private readonly gates = new Map<string, RateLimitedGate>();
  /** The number of gates at which idle ones are next swept (see {@link LedgerLimits.gateFor}). */
  private sweepAt = GATE_SWEEP_FLOOR;

  constructor(private readonly limits: LedgerLimitSettings = DEFAULT_LEDGER_LIMITS) {}

  /** Each of `processes` processes takes an equal part of every limit (at least 1 of each). */
  static share(processes: number, limits: LedgerLimitSettings = DEFAULT_LEDGER_LIMITS): LedgerLimits {
    if (!Number.isInteger(processes) || processes < 1)
      throw new RangeError('processes must be an integer ≥ 1');
    const part = (l: LedgerLimit | null): LedgerLimit | null =>
      l && {
        requests: Math.max(1, Math.floor(l.requests / processes)),
        windowSeconds: l.windowSeconds,
        concurrent: Math.max(1, Math.floor(l.concurrent / processes)),
      };
    return new LedgerLimits({ dynamics: part(limits.dynamics), xledger: part(limits.xledger) });
  }

  /** The gate of `identity` (an opaque key naming the caller, never a secret) on `system`; undefined when unpaced. */
  gateFor(system: 'xledger' | 'dynamics', identity: string): RateLimitedGate | undefined {
    const limit = this.limits[system];
    if (!limit) return undefined;
    const key = `${system}\u0000${identity}`;
    let gate = this.gates.get(key);
    if (!gate) {
      if (this.gates.size >= this.sweepAt) this.sweepIdle();
      gate = new RateLimitedGate(limit);
      this.gates.set(key, gate);
    }
    return gate;
  }

  /** Gates held now (for tests and metrics). */
  get size(): number {
    return this.gates.size;
  }

  /**
   * Forget the gates a fresh one would replace exactly (idle, bucket full). One app registration
   * per tenant means one gate per organization ever synced: kept forever, a process's memory grew
   * with the organizations it served. Swept when the map doubles since the last sweep, so the cost
   * per new gate stays constant and a burst of live gates is never rescanned on every creation.
   */
  private sweepIdle(): void {
    for (const [key, gate] of this.gates) if (gate.idle) this.gates.delete(key);
    this.sweepAt = Math.max(GATE_SWEEP_FLOOR, 2 * this.gates.size);
  }
}
