import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { AccountingError, createAdapter, LedgerLimits, RateLimitedGate } from '../src/index.js';
import { postedCounts } from './support/dynamics.js';
import { batchContext, fastOptions, makeRecords } from './support/fixtures.js';

// Issue 26: "no 429 caused by our own pace under a profile that enforces the limits". V: MS Learn
// "Working with API limits" — Business Central allows 6,000 OData requests per 5 minutes per user
// and at most 100 concurrent requests, and answers 429 beyond either (the emulator's
// `requestQuota` / `maxConcurrentRequests`, scaled down here so a test crosses them in seconds).

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

describe('RateLimitedGate', () => {
  it('admits in request order, never more than `concurrent` at once, and at most burst + rate × t over any t', async () => {
    const gate = new RateLimitedGate({ requests: 50, windowSeconds: 1, concurrent: 3 });
    expect(gate.burst).toBe(5);
    let running = 0;
    let peak = 0;
    const admitted: { i: number; at: number }[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const release = await gate.acquire();
        admitted.push({ i, at: performance.now() - t0 });
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running -= 1;
        release();
      }),
    );
    expect(admitted.map((a) => a.i)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(peak).toBe(3);
    // 30 requests at 40/s after a burst of 5: the last one waits ≥ 25 / 40 s.
    expect(admitted[29]?.at ?? 0).toBeGreaterThanOrEqual(600);
    for (const a of admitted) expect(a.i).toBeLessThanOrEqual(5 + (a.at / 1000) * 40 + 1);
  });

  it('a caller that gives up while waiting leaves the queue, and the others still go', async () => {
    const gate = new RateLimitedGate({ requests: 100, windowSeconds: 10, concurrent: 1 });
    const first = await gate.acquire();
    const controller = new AbortController();
    const abandoned = gate.acquire(controller.signal);
    const next = gate.acquire();
    controller.abort();
    await expect(abandoned).rejects.toMatchObject({ details: { code: 'ABORTED' } });
    expect(gate.queued).toBe(1);
    first();
    (await next)();
    expect(gate.running).toBe(0);
  });

  it('refuses a limit without requests, window or concurrency', () => {
    expect(() => new RateLimitedGate({ requests: 0, windowSeconds: 1, concurrent: 1 })).toThrow(RangeError);
    expect(() => LedgerLimits.share(0)).toThrow(/processes/);
    expect(new LedgerLimits().gateFor('xledger', 'a')).toBeUndefined();
    expect(LedgerLimits.share(4).gateFor('dynamics', 'a')?.limit).toEqual({
      requests: 1_500,
      windowSeconds: 300,
      concurrent: 25,
    });
  });
});

describe('LedgerLimits: one gate per caller identity, without growing with every tenant ever served', () => {
  it('forgets idle gates with a full bucket, and keeps every gate that has spent tokens or has a request in flight', async () => {
    // One app registration per tenant (issue 26: memory flat from 2,000 to 10,000 organizations).
    const limits = new LedgerLimits({
      dynamics: { requests: 10, windowSeconds: 1_000, concurrent: 5 },
      xledger: null,
    });
    const spent = limits.gateFor('dynamics', 'spent') as RateLimitedGate;
    (await spent.acquire())(); // its one token is gone for the next 125 s
    const busy = limits.gateFor('dynamics', 'busy') as RateLimitedGate;
    const release = await busy.acquire();
    expect(spent.idle).toBe(false);
    expect(busy.idle).toBe(false);
    for (let i = 0; i < 10_000; i += 1) {
      const gate = limits.gateFor('dynamics', `tenant-${i}`) as RateLimitedGate;
      expect(gate.idle).toBe(true);
    }
    expect(limits.size).toBeLessThanOrEqual(512);
    // The gates that remember spent tokens or hold a request are the same objects: their limit holds.
    expect(limits.gateFor('dynamics', 'spent')).toBe(spent);
    expect(limits.gateFor('dynamics', 'busy')).toBe(busy);
    expect(spent.idle).toBe(false);
    release();
    expect(limits.gateFor('xledger', 'token')).toBeUndefined();
  });
});

describe('Business Central: many concurrent syncs of one app registration under the enforced limits', () => {
  const QUOTA = { requests: 60, windowSeconds: 2 };
  const SYNCS = 12;

  async function pushAll(options: Parameters<typeof fastOptions>[0]) {
    const runs = Array.from({ length: SYNCS }, async (_, i) => {
      const records = makeRecords(20, `org${i}`);
      // One journal batch per organization, as real tenants have (they clear each other's lines).
      const adapter = createAdapter(
        'dynamics',
        { ...emulators.connections.dynamics, journalName: `PACE${i}` },
        fastOptions(options),
      );
      try {
        const result = await adapter.pushBatch(
          records,
          batchContext({ organizationId: crypto.randomUUID() }),
        );
        return { records, accepted: result.accepted.length };
      } catch (error) {
        if (!(error instanceof AccountingError)) throw error;
        return { records, accepted: 0 };
      }
    });
    return Promise.all(runs);
  }

  it('with the process limits set to the ledger limits: zero 429s and every record posted once', async () => {
    emulators.setFaults('dynamics', {
      requestQuota: QUOTA,
      maxConcurrentRequests: 3,
      latencyMs: 20,
      latencyJitterMs: 10,
      latencySeed: 26,
    });
    const limits = new LedgerLimits({
      dynamics: { ...QUOTA, concurrent: 3 },
      xledger: null,
    });
    const results = await pushAll({ limits });
    const stats = emulators.stats('dynamics');
    // The run needed more requests than one window allows, so the quota was really in play.
    expect(stats.requests).toBeGreaterThan(QUOTA.requests);
    expect(stats.throttled).toBe(0);
    for (const r of results) {
      expect(r.accepted).toBe(20);
      expect([...postedCounts(emulators, r.records).values()]).toEqual(Array(20).fill(1));
    }
  }, 30_000);

  it('without them the same run is throttled (what the limits prevent)', async () => {
    emulators.setFaults('dynamics', {
      requestQuota: QUOTA,
      maxConcurrentRequests: 3,
      latencyMs: 20,
      latencyJitterMs: 10,
      latencySeed: 26,
    });
    await pushAll({ retry: { maxAttempts: 1 } });
    expect(emulators.stats('dynamics').throttled).toBeGreaterThan(0);
  }, 30_000);
});

describe('Xledger: one API token shared by concurrent syncs', () => {
  it('never has more requests in flight than its concurrency limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const counting: typeof fetch = async (input, init) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      try {
        return await fetch(input, init);
      } finally {
        inFlight -= 1;
      }
    };
    emulators.setFaults('xledger', { latencyMs: 15 });
    const limits = new LedgerLimits({
      dynamics: null,
      xledger: { requests: 1_000, windowSeconds: 1, concurrent: 2 },
    });
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        createAdapter(
          'xledger',
          emulators.connections.xledger,
          fastOptions({ limits, fetch: counting }),
        ).pushBatch(makeRecords(5, `x${i}`), batchContext({ organizationId: crypto.randomUUID() })),
      ),
    );
    expect(peak).toBe(2);
    expect(emulators.stats('xledger').throttled).toBe(0);
  }, 30_000);
});
