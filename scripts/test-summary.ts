/**
 * Sums the JSON reports every package's vitest run writes (`.vitest-result.json`) into one closing
 * line, `tests: N passed, N failed, N skipped`, and fails when a suite failed, when nothing ran, or
 * when a package with tests wrote no report (a suite that silently did not run is a failure).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests?: number;
  numFailedTestSuites: number;
  success: boolean;
}

const root = join(import.meta.dirname, '..');
const packageDirs = [
  ...['packages', 'apps', 'tests']
    .flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name)))
    .filter((dir) => statSync(dir).isDirectory() && existsSync(join(dir, 'vitest.config.ts'))),
  // The reliability suite (load, faults, bad input) runs as part of the test command too.
  join(root, 'bench'),
];

let passed = 0;
let failed = 0;
let skipped = 0;
const problems: string[] = [];

for (const dir of packageDirs) {
  if (!existsSync(join(dir, '.vitest-result.json'))) {
    problems.push(`${dir}: no test report (did its tests run?)`);
    continue;
  }
  // A package may split its suite over several runs, each with its own report
  // (`.vitest-result.<part>.json`, e.g. the worker's long waiting e2e file beside the rest).
  const files = readdirSync(dir).filter((name) => /^\.vitest-result(\.[\w-]+)?\.json$/.test(name));
  let packagePassed = 0;
  let packageFailed = 0;
  for (const file of files.sort()) {
    const report = JSON.parse(readFileSync(join(dir, file), 'utf8')) as VitestReport;
    packagePassed += report.numPassedTests;
    packageFailed += report.numFailedTests;
    skipped += report.numPendingTests + (report.numTodoTests ?? 0);
    if (!report.success || report.numFailedTestSuites > 0) problems.push(`${dir}: failed (${file})`);
  }
  passed += packagePassed;
  failed += packageFailed;
  console.log(`${dir.slice(root.length + 1).padEnd(22)} ${packagePassed} passed, ${packageFailed} failed`);
}

for (const problem of problems) console.error(`✗ ${problem}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(problems.length > 0 || failed > 0 || passed === 0 ? 1 : 0);
