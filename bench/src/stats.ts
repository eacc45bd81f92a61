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
 * Time `iterations` runs of each of two functions, interleaved so drift in the machine's load hits
 * both sides alike. Both sides run the same input `i`, so whichever goes first pulls its pages into
 * the cache for the other: a full warm-up pass over every input comes first (the figures compare
 * code on a warm cache, not who touched a cold page), and the order alternates (A B, B A, …).
 */
export async function comparePaired(
  iterations: number,
  subject: (i: number) => Promise<unknown>,
  baseline: (i: number) => Promise<unknown>,
): Promise<{ subject: LatencySummary; baseline: LatencySummary; ratio: number }> {
  for (let i = 0; i < iterations; i += 1) {
    await subject(i);
    await baseline(i);
  }
  const a: number[] = [];
  const b: number[] = [];
  const time = async (run: (i: number) => Promise<unknown>, i: number, into: number[]) => {
    const t = performance.now();
    await run(i);
    into.push(performance.now() - t);
  };
  for (let i = 0; i < iterations; i += 1) {
    if (i % 2 === 0) {
      await time(subject, i, a);
      await time(baseline, i, b);
    } else {
      await time(baseline, i, b);
      await time(subject, i, a);
    }
  }
  const s = summarize(a);
  const r = summarize(b);
  return { subject: s, baseline: r, ratio: round(s.p50 / Math.max(r.p50, 1e-6), 2) };
}

/** The median of `values` (the mean of the middle two for an even count). */
export function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
