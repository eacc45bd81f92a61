/**
 * `pnpm bench [--quick] [--dialect sqlite|postgres]`: the product's paths versus raw baselines in
 * the same run, a table on stdout and `bench/results/<date>-<dialect>.json`. Only ratios compare on
 * a noisy machine; absolute times are recorded for context.
 */
import { parseArgs } from 'node:util';
import type { Dialect } from '@meander/db';
import { runApiBench } from './api-bench.js';
import { runApiStagesBench } from './api-stages-bench.js';
import { runBurstBench } from './burst-bench.js';
import { printTable, type Row, writeResults } from './report.js';
import { runStoreBench } from './store-bench.js';
import { runWorkerBench } from './worker-bench.js';
import { runWorkerMemoryBench } from './worker-memory-bench.js';

const { values } = parseArgs({
  // `pnpm bench -- --quick` forwards a literal `--`; tolerate it.
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: process.env.BENCH_QUICK === '1' },
    dialect: { type: 'string', multiple: true },
    only: { type: 'string', multiple: true },
    'burst-organizations': { type: 'string' },
  },
});
const quick = values.quick ?? false;
const dialects = (values.dialect ?? ['sqlite', 'postgres']) as Dialect[];
// The burst (worker processes draining thousands of schedules) is part of the full run only; a
// quick run does it when asked (`--only burst`), at a small size.
const only = new Set(
  values.only ?? (quick ? ['store', 'api', 'worker'] : ['store', 'api', 'worker', 'burst']),
);

const plan = quick
  ? {
      sizes: [2_000, 10_000],
      iterations: 60,
      organizations: 1_000,
      apiSeconds: 1,
      workerRuns: [{ records: 5_000, batches: [100] }],
      // One small period, so the smoke run exercises the worker-process path too.
      workerProcessRecords: [5_000],
      burstOrganizations: 100,
    }
  : {
      sizes: [10_000, 100_000, 1_000_000],
      iterations: 100,
      organizations: 10_000,
      // Per drive; each API ratio takes 5 alternating pairs of drives (≈ the 6 s of one pair before).
      apiSeconds: 2,
      // Throughput at three batch sizes, against the bare loop.
      workerRuns: [{ records: 100_000, batches: [50, 100, 500] }],
      // Memory: a worker process's peak RSS from 100k to 1M records in one period.
      workerProcessRecords: [100_000, 1_000_000],
      // 2,000 nightly schedules due at once, 50 records each, 2 worker processes vs 1.
      burstOrganizations: 2_000,
    };
const burstOrganizations = Number(values['burst-organizations'] ?? plan.burstOrganizations);

const started = performance.now();
let failures = 0;
for (const dialect of dialects) {
  const rows: Row[] = [];
  if (only.has('store'))
    rows.push(...(await runStoreBench(dialect, plan.sizes, plan.iterations, plan.organizations)));
  if (only.has('api') || only.has('stages')) rows.push(...(await runApiStagesBench(dialect, quick)));
  if (only.has('api')) rows.push(...(await runApiBench(dialect, plan.apiSeconds)));
  if (only.has('worker')) {
    for (const run of plan.workerRuns)
      rows.push(...(await runWorkerBench(dialect, [run.records], run.batches)));
    rows.push(...(await runWorkerMemoryBench(dialect, plan.workerProcessRecords)));
  }
  if (only.has('burst') && dialect === 'postgres')
    rows.push(...(await runBurstBench(burstOrganizations, 50)));
  printTable(`${dialect} — ${quick ? 'quick' : 'full'} run`, rows);
  const file = writeResults(dialect, quick ? 'quick' : 'full', rows);
  console.log(`results: ${file}`);
  failures += rows.filter((r) => r.pass === false).length;
}
console.log(
  `\nbenchmarks finished in ${Math.round((performance.now() - started) / 1000)} s; ${failures} figure(s) missed their target`,
);
