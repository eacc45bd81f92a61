/**
 * `pnpm --filter @meander/bench bench:rejections-csv`: memory of the rejected-items CSV stream.
 * Each size runs in a fresh child process (so one run's garbage never counts against the next),
 * pipes N explained rows through the same `rejectionsCsv` the HTTP download uses into a sink that
 * counts bytes, and reports peak RSS and peak heap sampled every 5 ms. The buffered variant (the
 * whole CSV as one string) is the baseline the stream is compared with. Not a timed test.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { type RejectedItem, rejectionsCsv } from '@meander/api';

function item(i: number): RejectedItem {
  return {
    recordId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    vendorCode: 'Application_FieldValidationException',
    vendorReason: `The field Account No. of table Gen. Journal Line contains a value (${9000 + (i % 999)}) that cannot be found in the related table (G/L Account).`,
    code: 'ACCOUNT_UNKNOWN',
    category: 'master_data',
    message: "The expense is booked to an account that does not exist in the ledger's chart of accounts.",
    fix: "Create the account in the ledger, or change the expense category's account mapping in Meander to an existing account, then re-sync.",
    retryable: false,
    bookingDate: '2026-10-15',
    amount: `${100 + (i % 900)}.${String(i % 100).padStart(2, '0')}`,
    amountMinor: String((100 + (i % 900)) * 100 + (i % 100)),
    currency: 'NOK',
    account: String(9000 + (i % 999)),
    description: i % 50 === 0 ? '=HYPERLINK("http://x")' : `Taxi from the airport, trip ${i}`,
  };
}

async function* rows(n: number): AsyncGenerator<RejectedItem> {
  for (let i = 0; i < n; i += 1) yield item(i);
}

async function child(n: number, mode: 'stream' | 'buffered'): Promise<void> {
  globalThis.gc?.();
  const base = { rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed };
  let peak = { ...base };
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    peak = { rss: Math.max(peak.rss, m.rss), heap: Math.max(peak.heap, m.heapUsed) };
  }, 5);
  let bytes = 0;
  const started = performance.now();
  if (mode === 'stream') {
    await pipeline(
      rejectionsCsv(rows(n)),
      new Writable({
        write(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          // A slow client: the stream must wait, not buffer.
          setImmediate(done);
        },
      }),
    );
  } else {
    const parts: string[] = [];
    for await (const chunk of rejectionsCsv(rows(n))) parts.push(String(chunk));
    const whole = parts.join('');
    bytes = Buffer.byteLength(whole);
  }
  clearInterval(sample);
  const m = process.memoryUsage();
  peak = { rss: Math.max(peak.rss, m.rss), heap: Math.max(peak.heap, m.heapUsed) };
  const mib = (b: number) => Math.round((b / 1_048_576) * 10) / 10;
  process.stdout.write(
    JSON.stringify({
      rows: n,
      mode,
      csvMiB: mib(bytes),
      rssDeltaMiB: mib(peak.rss - base.rss),
      peakHeapDeltaMiB: mib(peak.heap - base.heap),
      peakRssMiB: mib(peak.rss),
      seconds: Math.round((performance.now() - started) / 100) / 10,
    }),
  );
}

const [, , role, n, mode] = process.argv;
if (role === '--child') {
  await child(Number(n), mode as 'stream' | 'buffered');
} else {
  const results = [];
  for (const [size, m] of [
    [5_000, 'stream'],
    [50_000, 'stream'],
    [50_000, 'buffered'],
  ] as const) {
    const out = execFileSync(
      process.execPath,
      [
        '--expose-gc',
        '--conditions=@meander/source',
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--child',
        String(size),
        m,
      ],
      { encoding: 'utf8' },
    );
    results.push(JSON.parse(out));
  }
  console.table(results);
  const file = new URL(
    `../results/${new Date().toISOString().slice(0, 10)}-rejections-csv.json`,
    import.meta.url,
  );
  writeFileSync(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2)}\n`,
  );
}
