/**
 * `pnpm bench [--quick] [--dialect sqlite|postgres]`: the product's paths versus raw baselines in
 * the same run, a table on stdout and `bench/results/<date>-<dialect>.json`. Only ratios compare on
 * a noisy machine; absolute times are recorded for context.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Dialect } from '@meander/db';
import { runApiBench } from './api-bench.js';
import { runApiStagesBench } from './api-stages-bench.js';
import { runBurstBench } from './burst-bench.js';
import { runIntakeBench } from './intake-bench.js';
import { printTable, type Row, writeResults } from './report.js';
import { REPETITIONS } from './stats.js';
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
    'burst-records': { type: 'string' },
    'burst-processes': { type: 'string' },
    'burst-latency-ms': { type: 'string' },
    'burst-concurrency': { type: 'string' },
  },
});
const quick = values.quick ?? false;
const dialects = (values.dialect ?? ['sqlite', 'postgres']) as Dialect[];
// The burst (worker processes draining thousands of schedules) is part of the full run only; a
// quick run does it when asked (`--only burst`), at a small size.
const only = new Set(
  values.only ??
    (quick ? ['store', 'api', 'worker', 'intake'] : ['store', 'api', 'worker', 'burst', 'intake']),
);

const plan = quick
  ? {
      sizes: [2_000, 10_000],
      iterations: 60,
      organizations: 1_000,
      apiSeconds: 1,
      // A smoke run (CI's): one pair per ratio, over 48 organizations' histories (each of the 16
      // clients cycles an organization of its own in each of the three write scenarios). Three
      // pairs over 64 took 65 s of CI's budget for figures a smoke run does not judge.
      apiRepetitions: 1,
      apiOrganizations: 48,
      workerRuns: [{ records: 5_000, batches: [100] }],
      // One small period, so the smoke run exercises the worker-process path too.
      workerProcessRecords: [2_000, 5_000],
      burstOrganizations: 100,
      // 10,000 records in 10 batches: enough to exercise the path in CI, not to measure it.
      intakeRecords: 10_000,
      burstRecords: 20,
    }
  : {
      sizes: [10_000, 100_000, 1_000_000],
      iterations: 100,
      organizations: 10_000,
      // Per drive; each API ratio takes 5 alternating pairs of short drives (instead of one pair of
      // long ones), so the machine's drift hits both sides alike.
      apiSeconds: 2,
      apiRepetitions: REPETITIONS,
      apiOrganizations: 64,
      // Throughput at three batch sizes, against the bare loop, in alternating blocks of short runs
      // per side (one long run a side cost minutes a dialect and let drift decide the ratio).
      workerRuns: [{ records: 50_000, batches: [50, 100, 500] }],
      // Memory: one worker process's peak RSS after 100k and after 300k records of one period. A
      // second run at 1M, and then 500k in one run, cost most of the full run's budget and showed
      // the peak just as flat; 300k keeps the whole run inside its budget (bench/README.md).
      workerProcessRecords: [100_000, 300_000],
      // 10,000 nightly schedules due at once (issue 26's full size), 50 records each, by 1, 2 and
      // 4 worker processes against ledgers answering with the profile's latency below: the longest
      // section by far (bench/README.md). `--burst-organizations 2000` is the row size.
      burstOrganizations: 10_000,
      // The issue's size: 100,000 records handed over in batches of 1,000.
      intakeRecords: 100_000,
      burstRecords: 50,
    };
const burstOrganizations = Number(values['burst-organizations'] ?? plan.burstOrganizations);
const burstRecords = Number(values['burst-records'] ?? plan.burstRecords);
const burstProcesses = (values['burst-processes'] ?? '1,2,4').split(',').map(Number);
const burstProfile = {
  ledgerLatencyMs: Number(values['burst-latency-ms'] ?? 150),
  ledgerJitterMs: Math.round(Number(values['burst-latency-ms'] ?? 150) / 3),
  // Ten syncs in flight per process, the README's rows: on 2 cores more per process is CPU-bound.
  concurrency: Number(values['burst-concurrency'] ?? 10),
};

const started = performance.now();
let failures = 0;
/** Wall-clock seconds of every section, per dialect, in run order (the budget is the sum). */
// With the machine's 1-minute load average at the end of each: shared machines make absolute
// times move, and the load says how much.
const sections: { dialect: Dialect; section: string; seconds: number; load: number }[] = [];
for (const dialect of dialects) {
  const rows: Row[] = [];
  const section = async (name: string, run: () => Promise<Row[]>) => {
    const t0 = performance.now();
    rows.push(...(await run()));
    const seconds = Math.round((performance.now() - t0) / 100) / 10;
    const load = Math.round((loadavg()[0] ?? 0) * 10) / 10;
    sections.push({ dialect, section: name, seconds, load });
    process.stderr.write(`  [${dialect}] ${name} took ${seconds} s (load ${load})\n`);
  };
  if (only.has('store'))
    await section('store', () => runStoreBench(dialect, plan.sizes, plan.iterations, plan.organizations));
  if (only.has('api') || only.has('stages'))
    await section('api-stages', () => runApiStagesBench(dialect, quick));
  if (only.has('api'))
    await section('api', () =>
      runApiBench(dialect, plan.apiSeconds, plan.apiRepetitions, plan.apiOrganizations),
    );
  if (only.has('worker')) {
    await section('worker throughput', async () => {
      const out: Row[] = [];
      for (const run of plan.workerRuns)
        out.push(...(await runWorkerBench(dialect, [run.records], run.batches)));
      return out;
    });
    await section('worker memory', () => runWorkerMemoryBench(dialect, plan.workerProcessRecords));
  }
  if (only.has('intake')) await section('intake', () => runIntakeBench(dialect, plan.intakeRecords));
  if (only.has('burst') && dialect === 'postgres')
    await section('burst', () =>
      runBurstBench(burstOrganizations, burstRecords, burstProfile, burstProcesses),
    );
  const mine = sections.filter((s) => s.dialect === dialect);
  printTable(`${dialect} — ${quick ? 'quick' : 'full'} run`, rows);
  console.log(`sections: ${mine.map((s) => `${s.section} ${s.seconds} s (load ${s.load})`).join(', ')}`);
  const file = writeResults(dialect, quick ? 'quick' : 'full', rows, {
    sections: mine.map(({ section: name, seconds, load }) => ({ section: name, seconds, load })),
    seconds: Math.round(mine.reduce((sum, s) => sum + s.seconds, 0) * 10) / 10,
  });
  console.log(`results: ${file}`);
  failures += rows.filter((r) => r.pass === false).length;
}
const totalSeconds = Math.round((performance.now() - started) / 1000);
console.log(
  `\nbenchmarks finished in ${totalSeconds} s (${sections.map((s) => `${s.dialect} ${s.section} ${s.seconds} s`).join(', ')}); ${failures} figure(s) missed their target`,
);
