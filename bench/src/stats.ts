/** Latency samples in milliseconds → the percentiles the report prints. */
export interface LatencySummary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
}

export function summarize(samples: number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const mean = sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length);
  return { n: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)), mean: round(mean) };
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Time `iterations` runs of each of two functions, interleaved (A, B, A, B, …) so drift in the
 * machine's load hits both sides alike; a warm-up round is discarded.
 */
export async function comparePaired(
  iterations: number,
  subject: (i: number) => Promise<unknown>,
  baseline: (i: number) => Promise<unknown>,
): Promise<{ subject: LatencySummary; baseline: LatencySummary; ratio: number }> {
  const warm = Math.max(5, Math.floor(iterations / 10));
  for (let i = 0; i < warm; i += 1) {
    await subject(i);
    await baseline(i);
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    let t = performance.now();
    await subject(i);
    a.push(performance.now() - t);
    t = performance.now();
    await baseline(i);
    b.push(performance.now() - t);
  }
  const s = summarize(a);
  const r = summarize(b);
  return { subject: s, baseline: r, ratio: round(s.p50 / Math.max(r.p50, 1e-6), 2) };
}
