/**
 * `pnpm bench:cli [--quick]`: how long `meander-sync --help` takes to start and exit, as an operator
 * runs it after a production install (the tsdown build under plain Node), against bare Node starting
 * and exiting (`node -e ''`) in the same run, interleaved; the development path (tsx compiling the
 * sources) is recorded beside them for context. Writes `bench/results/<date>-cli-startup.json`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { emit, printTable, type Row, writeResults } from './report.js';
import { round, summarize } from './stats.js';

const { values } = parseArgs({
  allowPositionals: true,
  options: { quick: { type: 'boolean', default: process.env.BENCH_QUICK === '1' } },
});
const runs = values.quick ? 10 : 40;
const ROOT = join(import.meta.dirname, '../..');
const built = join(ROOT, 'apps/cli/dist/main.js');
if (!existsSync(built)) {
  console.error('apps/cli/dist/main.js is missing: run `pnpm build` first');
  process.exit(1);
}

const env = { ...process.env, NODE_OPTIONS: '' };
function timeOnce(args: string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const elapsed = performance.now() - started;
  if (result.status !== 0)
    throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

const cases = {
  build: ['apps/cli/dist/main.js', '--help'],
  bare: ['-e', ''],
  sources: ['--conditions=@meander/source', '--import', 'tsx', 'apps/cli/src/main.ts', '--help'],
};
const samples: Record<keyof typeof cases, number[]> = { build: [], bare: [], sources: [] };
for (const name of Object.keys(cases) as (keyof typeof cases)[]) timeOnce(cases[name]); // warm the page cache
for (let i = 0; i < runs; i++) {
  // Interleaved, so the machine's load drifts over all three alike.
  for (const name of Object.keys(cases) as (keyof typeof cases)[]) samples[name].push(timeOnce(cases[name]));
}

const build = summarize(samples.build);
const bare = summarize(samples.bare);
const sources = summarize(samples.sources);
const rows: Row[] = [];
emit(
  rows,
  {
    suite: 'cli',
    case: 'startup: meander-sync --help (build, plain Node)',
    subject: `p50 ${build.p50} ms, p99 ${build.p99} ms`,
    baseline: `node -e '' p50 ${bare.p50} ms`,
    ratio: round(build.p50 / bare.p50, 2),
    target: 'informational',
    pass: null,
    extra: { runs, build, bare, overheadP50Ms: round(build.p50 - bare.p50) },
  },
  {
    suite: 'cli',
    case: 'startup: from sources through tsx (development)',
    subject: `p50 ${sources.p50} ms, p99 ${sources.p99} ms`,
    baseline: `build p50 ${build.p50} ms`,
    ratio: round(sources.p50 / build.p50, 2),
    target: 'informational',
    pass: null,
    extra: { runs, sources },
  },
);
printTable(`CLI startup — ${values.quick ? 'quick' : 'full'} run`, rows);
console.log(`results: ${writeResults('cli-startup', values.quick ? 'quick' : 'full', rows)}`);
