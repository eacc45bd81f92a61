/**
 * The console's performance budget, measured (not asserted):
 * - initial JS: the gzipped size of the scripts index.html loads (budget 250 KB);
 * - the history page's table with 200 rows, mounted in headless Debian Chromium: commit time,
 *   time to the next frame, and long tasks (> 50 ms) while it renders.
 * Run: pnpm --filter @meander/admin bench   (builds the console first when dist/ is missing)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { launchChromium } from '../e2e/browser';

const ADMIN = resolve(import.meta.dirname, '..');
const DIST = join(ADMIN, 'dist');
const BUDGET_KB = 250;

if (!existsSync(join(DIST, 'index.html'))) {
  execFileSync(
    process.execPath,
    [join(ADMIN, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
    {
      cwd: ADMIN,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: 'inherit',
    },
  );
}

// Everything index.html pulls in before the first render: module scripts and their modulepreloads.
const html = readFileSync(join(DIST, 'index.html'), 'utf8');
const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1] as string);
const initial = scripts.map((path) => {
  const bytes = readFileSync(join(DIST, path));
  return { path, rawKB: bytes.length / 1024, gzipKB: gzipSync(bytes).length / 1024 };
});
const gzipKB = initial.reduce((sum, s) => sum + s.gzipKB, 0);

// React's production build for the harness too (Vite follows NODE_ENV).
process.env.NODE_ENV = 'production';
const out = mkdtempSync(join(tmpdir(), 'meander-console-bench-'));
await build({
  root: join(ADMIN, 'bench'),
  configFile: join(ADMIN, 'vite.config.ts'),
  mode: 'production',
  logLevel: 'warn',
  build: {
    outDir: out,
    emptyOutDir: true,
    rollupOptions: { input: join(ADMIN, 'bench/history-render.html') },
  },
});

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
await page.route('http://bench.local/**', (route) => {
  const path = new URL(route.request().url()).pathname;
  const file = join(out, path === '/' ? 'history-render.html' : path);
  if (!existsSync(file)) return route.fulfill({ status: 404 });
  return route.fulfill({
    body: readFileSync(file),
    contentType: TYPES[extname(file)] ?? 'application/octet-stream',
  });
});
await page.goto('http://bench.local/');
await page.waitForFunction(() => document.title === 'ready');
type Result = {
  rows: number;
  iterations: number;
  commitMs: number[];
  paintMs: number[];
  longTasksOver50ms: number;
};
const runVariant = async (variant: 'table' | 'links') =>
  (await page.evaluate(
    ([n, v]) =>
      (window as unknown as { runBench(n: number, i: number, v: string): Promise<unknown> }).runBench(
        n,
        7,
        v,
      ),
    [200, variant] as const,
  )) as Result;
// Interleaved, so both see the same machine load: the console's table, then the per-row <Link> baseline.
const result = await runVariant('table');
const baseline = await runVariant('links');
const result2 = await runVariant('table');
result.commitMs.push(...result2.commitMs);
result.paintMs.push(...result2.paintMs);
result.longTasksOver50ms += result2.longTasksOver50ms;
await browser.close();
rmSync(out, { recursive: true, force: true });

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
console.log(
  JSON.stringify(
    {
      initialJs: {
        files: initial,
        gzipKB: Number(gzipKB.toFixed(1)),
        budgetKB: BUDGET_KB,
        withinBudget: gzipKB <= BUDGET_KB,
      },
      historyRender: {
        rows: result.rows,
        iterations: result.commitMs.length,
        commitMsMedian: Number(median(result.commitMs).toFixed(1)),
        commitMsMax: Number(Math.max(...result.commitMs).toFixed(1)),
        toNextFrameMsMedian: Number(median(result.paintMs).toFixed(1)),
        longTasksOver50ms: result.longTasksOver50ms,
        baselineWithRouterLinkPerRow: {
          commitMsMedian: Number(median(baseline.commitMs).toFixed(1)),
          toNextFrameMsMedian: Number(median(baseline.paintMs).toFixed(1)),
          longTasksOver50ms: baseline.longTasksOver50ms,
        },
      },
    },
    null,
    2,
  ),
);
