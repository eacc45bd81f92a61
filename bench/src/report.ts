import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One printed and recorded figure. */
export interface Row {
  suite: string;
  case: string;
  size?: number;
  subject: string;
  baseline: string;
  /** The median of `spread.reps` repetitions when `spread` is given. */
  ratio: number | null;
  /** The range the repetitions' ratios spanned. */
  spread?: { min: number; max: number; reps: number; ratios?: number[] };
  target: string;
  pass: boolean | null;
  extra?: Record<string, unknown>;
}

/** One progress line on stderr per figure, so a long run shows it is alive. */
function progress(row: Row): void {
  process.stderr.write(
    `  ${row.suite} · ${row.case}${row.size ? ` @${row.size}` : ''}: ${row.subject}${row.ratio === null ? '' : ` (${row.ratio}×${row.spread ? ` [${row.spread.min}–${row.spread.max}]` : ''})`}\n`,
  );
}

/** Record figures and show each on stderr as it is measured. */
export function emit(rows: Row[], ...added: Row[]): void {
  for (const row of added) {
    rows.push(row);
    progress(row);
  }
}

export function printTable(title: string, rows: Row[]): void {
  const header = ['suite', 'case', 'size', 'product', 'raw baseline', 'ratio', 'target', 'ok'];
  const lines = rows.map((r) => [
    r.suite,
    r.case,
    r.size === undefined ? '' : String(r.size),
    r.subject,
    r.baseline,
    r.ratio === null
      ? ''
      : `${r.ratio}×${r.spread ? ` [${r.spread.min}–${r.spread.max}] n=${r.spread.reps}` : ''}`,
    r.target,
    r.pass === null ? '' : r.pass ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(`\n${title}`);
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmt(l));
}

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** Write `bench/results/<date>-<dialect>.json` with the machine's facts and every figure. */
export function writeResults(
  dialect: string,
  mode: 'quick' | 'full',
  rows: Row[],
  elapsed?: { sections: { section: string; seconds: number; load: number }[]; seconds: number },
): string {
  mkdirSync(resultsDir, { recursive: true });
  const date = new Date().toISOString().slice(0, 10);
  const file = join(resultsDir, `${date}-${dialect}${mode === 'quick' ? '-quick' : ''}.json`);
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        mode,
        dialect,
        machine: {
          cores: cpus().length,
          cpu: cpus()[0]?.model ?? 'unknown',
          node: process.version,
          platform: process.platform,
        },
        // Wall-clock seconds per section and for this dialect's half (the full run's budget is
        // the sum of both halves).
        ...(elapsed ? { elapsed } : {}),
        rows,
      },
      null,
      2,
    )}\n`,
  );
  return file;
}
