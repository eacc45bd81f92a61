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

/** How many repetitions every ratio is the median of (the floor is 5). */
export const REPETITIONS = 5;

/** A ratio as the median of repeated measurements, with the range they spanned. */
export interface RatioSpread {
  median: number;
  min: number;
  max: number;
  reps: number;
  ratios: number[];
}

/** The median and range of per-repetition ratios. */
export function spreadOf(ratios: readonly number[]): RatioSpread {
  return {
    median: round(medianOf(ratios), 2),
    min: round(Math.min(...ratios), 2),
    max: round(Math.max(...ratios), 2),
    reps: ratios.length,
    ratios: ratios.map((r) => round(r, 3)),
  };
}

/**
 * Time `iterations` runs of each of two functions, interleaved so drift in the machine's load hits
 * both sides alike. Both sides run the same input `i`, so whichever goes first pulls its pages into
 * the cache for the other: a full warm-up pass over every input comes first (the figures compare
 * code on a warm cache, not who touched a cold page), and the order alternates (A B, B A, …).
 * The timed runs fall into `reps` consecutive blocks; each block gives a ratio of p50s, and the
 * ratio reported is their median, with their range as its spread.
 */
export async function comparePaired(
  iterations: number,
  subject: (i: number) => Promise<unknown>,
  baseline: (i: number) => Promise<unknown>,
  reps = REPETITIONS,
): Promise<{
  subject: LatencySummary;
  baseline: LatencySummary;
  ratio: number;
  spread: RatioSpread;
  /** The subject's p50 in each block (for figures across sizes, block by block). */
  subjectBlockP50s: number[];
}> {
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
  const block = Math.max(1, Math.floor(iterations / reps));
  const ratios: number[] = [];
  const subjectBlockP50s: number[] = [];
  for (let k = 0; k < reps && k * block < iterations; k += 1) {
    const sa = summarize(a.slice(k * block, (k + 1) * block));
    const sb = summarize(b.slice(k * block, (k + 1) * block));
    ratios.push(sa.p50 / Math.max(sb.p50, 1e-6));
    subjectBlockP50s.push(sa.p50);
  }
  const spread = spreadOf(ratios);
  return { subject: s, baseline: r, ratio: spread.median, spread, subjectBlockP50s };
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
