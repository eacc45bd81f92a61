/**
 * Runs every workspace package's `test` script, two at a time, the longest suites first, each
 * line of output prefixed with its package. The test command's scheduler, instead of `turbo run
 * test --concurrency=2`: turbo starts ready tasks in no order it lets us set, and on CI's two cores
 * a long suite started last (the browser suite, two and a half minutes) ran alone at the end with
 * a core idle. Longest first, the two slots finish within a minute of each other.
 *
 * Never fails by itself: every suite runs, and scripts/test-summary.ts judges their reports.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = join(import.meta.dirname, '..');
const CONCURRENCY = 2;

/** Seconds each suite took in CI on the 2-core machine (2026-12-05), the order's only input. */
const MEASURED_SECONDS: Record<string, number> = {
  'apps/worker': 237,
  'packages/db': 147,
  'apps/admin': 138,
  'apps/cli': 90,
  'apps/api': 88,
  'tests/release': 88,
  bench: 53,
  'packages/accounting': 41,
  'packages/domain': 6,
};

/** Every workspace package with a `test` script, longest first; one not measured yet runs first. */
function suites(): string[] {
  const dirs = [
    ...['packages', 'apps', 'tests'].flatMap((group) =>
      readdirSync(join(root, group)).map((name) => `${group}/${name}`),
    ),
    'bench',
  ].filter((dir) => {
    const manifest = join(root, dir, 'package.json');
    if (!existsSync(manifest)) return false;
    const { scripts } = JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: Record<string, string> };
    return Boolean(scripts?.test);
  });
  const seconds = (dir: string) => MEASURED_SECONDS[dir] ?? Number.POSITIVE_INFINITY;
  return dirs.sort((a, b) => seconds(b) - seconds(a));
}

function run(dir: string): Promise<void> {
  const started = performance.now();
  const child = spawn('pnpm', ['run', 'test'], {
    cwd: join(root, dir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on('line', (line) => console.log(`${dir}: ${line}`));
  return new Promise((done) => {
    child.on('close', (code) => {
      const seconds = Math.round((performance.now() - started) / 1000);
      console.log(`› ${dir}: ${code === 0 ? 'passed' : `exited ${code}`} in ${seconds} s`);
      done();
    });
  });
}

const queue = suites();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) await run(dir);
  }),
);
