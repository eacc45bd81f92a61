import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FaultState, seededRandom } from '../src/emulators/faults.js';
import { type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { rawClient } from './support/dynamics.js';

// Ledger latency profiles (issue 26). Real ledgers are far slower to answer than the emulators
// without this fault (issue 26 has the figures), which is what makes a sync I/O-bound. The
// jitter is a test and benchmark device, not a vendor behaviour: it only spreads the delay.

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

function draws(faults: FaultState, n: number): number[] {
  return Array.from({ length: n }, () => faults.nextLatencyMs());
}

describe('latencyMs ± latencyJitterMs', () => {
  it('without jitter every request waits latencyMs exactly', () => {
    expect(draws(new FaultState({ latencyMs: 120 }), 5)).toEqual([120, 120, 120, 120, 120]);
    expect(draws(new FaultState({}), 2)).toEqual([0, 0]);
  });

  it('with a seed, the delays are a fixed sequence spread over [mean − jitter, mean + jitter]', () => {
    const profile = { latencyMs: 200, latencyJitterMs: 100, latencySeed: 42 };
    const first = draws(new FaultState(profile), 500);
    expect(draws(new FaultState(profile), 500)).toEqual(first);
    expect(draws(new FaultState({ ...profile, latencySeed: 43 }), 500)).not.toEqual(first);
    expect(Math.min(...first)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...first)).toBeLessThanOrEqual(300);
    // Uniform: both tails are reached and the mean stays near latencyMs.
    expect(Math.min(...first)).toBeLessThan(120);
    expect(Math.max(...first)).toBeGreaterThan(280);
    const mean = first.reduce((a, b) => a + b, 0) / first.length;
    expect(mean).toBeGreaterThan(190);
    expect(mean).toBeLessThan(210);
  });

  it('a jitter wider than the mean clamps at zero, never a negative delay', () => {
    const delays = draws(new FaultState({ latencyMs: 10, latencyJitterMs: 50, latencySeed: 7 }), 200);
    expect(Math.min(...delays)).toBe(0);
    expect(delays.every((ms) => ms >= 0 && ms <= 60)).toBe(true);
  });

  it('the seeded generator is uniform in [0, 1)', () => {
    const next = seededRandom(1);
    const values = Array.from({ length: 1_000 }, next);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(values.filter((v) => v < 0.5).length).toBeGreaterThan(400);
    expect(values.filter((v) => v < 0.5).length).toBeLessThan(600);
  });

  it('a bad profile is refused naming the field, and nothing changes', () => {
    emulators.setFaults('dynamics', { latencyMs: 5 });
    expect(() => emulators.setFaults('dynamics', { latencyMs: 5, latencyJitterMs: -1 })).toThrow(
      /latencyJitterMs/,
    );
    expect(emulators.faults('dynamics')).toEqual({ latencyMs: 5 });
  });
});

describe('a latency profile together with the limits', () => {
  it('Business Central: each request is held for its delay, and maxConcurrentRequests still refuses the excess', async () => {
    // 300 ± 100 ms: four requests sent together overlap whatever their draws.
    emulators.setFaults('dynamics', {
      latencyMs: 300,
      latencyJitterMs: 100,
      latencySeed: 3,
      maxConcurrentRequests: 2,
    });
    const { api, company } = await rawClient(emulators);
    const timed = async () => {
      const t0 = performance.now();
      const { status } = await api(`${company}/accounts`);
      return { status, ms: performance.now() - t0 };
    };
    const answers = await Promise.all(Array.from({ length: 4 }, timed));
    const ok = answers.filter((a) => a.status === 200);
    expect(ok).toHaveLength(2);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(2);
    expect(ok.every((a) => a.ms >= 195)).toBe(true);
    expect(emulators.stats('dynamics').throttled).toBe(2);
  });

  it('Business Central: the quota counts requests made under a latency profile', async () => {
    emulators.setFaults('dynamics', {
      latencyMs: 20,
      latencyJitterMs: 10,
      latencySeed: 9,
      requestQuota: { requests: 3, windowSeconds: 60 },
    });
    const { api, company } = await rawClient(emulators);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await api(`${company}/accounts`)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('Xledger: a request waits at least mean − jitter', async () => {
    emulators.setFaults('xledger', { latencyMs: 150, latencyJitterMs: 50, latencySeed: 5 });
    const t0 = performance.now();
    const res = await fetch(emulators.connections.xledger.baseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'token demo-xledger-token' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(99);
  });
});
