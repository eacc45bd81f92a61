import { startEmulators } from '@meander/accounting/emulators';
import type { Dialect } from '@meander/db';
import { createTestDatabase } from '@meander/db/testing';
import { peakRssMiB, seedLargePeriod, spawnWorkerProcess } from '@meander/worker/testing';
import { emit, type Row } from './report.js';
import { round } from './stats.js';

const PERIOD = { periodStart: '2026-10-01T00:00:00.000Z', periodEnd: '2026-10-31T23:59:59.999Z' };
const BATCH = 500;

/**
 * Worker memory: a real worker PROCESS (as `pnpm --filter @meander/worker start` runs it) syncs one
 * period of `checkpoints[last]` records, and its peak RSS (VmHWM, from the kernel) is read as the
 * sync passes each checkpoint (its progress in the row) and at the end: the peak over the first
 * 100k records against the peak over all of them, in one run. (It was one run per size, 100k and
 * then 1M: 1.1M records through the emulator, most of the full run's budget.) The emulators and their ledger live in this process, so only the worker's own memory
 * is measured.
 */
export async function runWorkerMemoryBench(dialect: Dialect, checkpoints: number[]): Promise<Row[]> {
  const rows: Row[] = [];
  const t = await createTestDatabase(dialect);
  const emu = await startEmulators({ port: 0 });
  const count = Math.max(...checkpoints);
  try {
    process.stderr.write(`  worker process · seeding ${count.toLocaleString('en-US')} records…\n`);
    const s0 = performance.now();
    const org = await seedLargePeriod(t.db, emu.connections.xledger, count);
    const seedSeconds = round((performance.now() - s0) / 1000, 1);
    const { syncLog } = await t.db.syncLogs.create({
      organizationId: org,
      accountingSystem: 'xledger',
      syncType: 'api',
      recordsTotal: count,
      ...PERIOD,
    });
    const child = spawnWorkerProcess(t.url, {
      SYNC_QUEUE: 'inline',
      SYNC_BATCH_SIZE: String(BATCH),
      WORKER_CONCURRENCY: '1',
    });
    const t0 = performance.now();
    const peaks: { records: number; peakRssMiB: number; seconds: number }[] = [];
    try {
      const pending = [...checkpoints].sort((a, b) => a - b);
      for (;;) {
        const log = await t.db.syncLogs.get(syncLog.id);
        const done = log !== null && log.status !== 'pending' && log.status !== 'in_progress';
        if (done && (log.status !== 'success' || log.recordsSynced !== count))
          throw new Error(`worker process ended ${log.status} with ${log.recordsSynced} records`);
        // The peak so far, once the sync has passed a checkpoint (progress lands per batch, so
        // within a batch or two of it).
        while (pending.length > 0 && log && log.recordsSynced >= (pending[0] as number)) {
          peaks.push({
            records: pending.shift() as number,
            peakRssMiB: round(peakRssMiB(child.pid as number), 1),
            seconds: round((performance.now() - t0) / 1000, 1),
          });
        }
        if (done) break;
        if (child.exitCode !== null) throw new Error(`worker process exited with ${child.exitCode}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    const seconds = (performance.now() - t0) / 1000;
    for (const peak of peaks) {
      emit(rows, {
        suite: 'worker',
        case: `worker process, peak RSS after ${peak.records.toLocaleString('en-US')} of ${count.toLocaleString('en-US')} records, batch ${BATCH}`,
        size: peak.records,
        subject: `peak RSS ${peak.peakRssMiB} MiB`,
        baseline: '',
        ratio: null,
        target: '',
        pass: null,
        extra: { ...peak },
      });
    }
    const first = peaks[0];
    const last = peaks[peaks.length - 1];
    if (first && last && peaks.length > 1) {
      const growth = round(last.peakRssMiB / first.peakRssMiB, 2);
      emit(rows, {
        suite: 'worker',
        case: `worker process peak RSS growth ${first.records}→${last.records} records (one period, one process)`,
        subject: `${peaks.map((p) => p.peakRssMiB).join(' → ')} MiB`,
        baseline: '',
        ratio: growth,
        target: '≤ 1.25× (flat)',
        pass: growth <= 1.25,
        extra: {
          seedSeconds,
          seconds: round(seconds, 1),
          recordsPerSecond: Math.round(count / seconds),
        },
      });
    }
  } finally {
    await emu.close();
    await t.drop();
  }
  return rows;
}
