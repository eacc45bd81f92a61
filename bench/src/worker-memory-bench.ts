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
 * period of each size, and its peak RSS is read from the kernel. The emulators and their ledger
 * live in this process, so only the worker's own memory is measured.
 */
export async function runWorkerMemoryBench(dialect: Dialect, counts: number[]): Promise<Row[]> {
  const rows: Row[] = [];
  const t = await createTestDatabase(dialect);
  const emu = await startEmulators({ port: 0 });
  const peaks: number[] = [];
  try {
    for (const count of counts) {
      process.stderr.write(`  worker process · seeding ${count.toLocaleString('en-US')} records…\n`);
      const org = await seedLargePeriod(t.db, emu.connections.xledger, count);
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
      try {
        for (;;) {
          const log = await t.db.syncLogs.get(syncLog.id);
          if (log && log.status !== 'pending' && log.status !== 'in_progress') {
            if (log.status !== 'success' || log.recordsSynced !== count)
              throw new Error(`worker process ended ${log.status} with ${log.recordsSynced} records`);
            break;
          }
          if (child.exitCode !== null) throw new Error(`worker process exited with ${child.exitCode}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        const seconds = (performance.now() - t0) / 1000;
        const peak = round(peakRssMiB(child.pid as number), 1);
        peaks.push(peak);
        emit(rows, {
          suite: 'worker',
          case: `worker process, ${count.toLocaleString('en-US')} records, batch ${BATCH}`,
          size: count,
          subject: `peak RSS ${peak} MiB`,
          baseline: '',
          ratio: null,
          target: '',
          pass: null,
          extra: {
            peakRssMiB: peak,
            seconds: round(seconds, 1),
            recordsPerSecond: Math.round(count / seconds),
          },
        });
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      emu.reset();
    }
    if (peaks.length > 1) {
      const growth = round((peaks[peaks.length - 1] as number) / (peaks[0] as number), 2);
      emit(rows, {
        suite: 'worker',
        case: `worker process peak RSS growth ${counts[0]}→${counts[counts.length - 1]} records`,
        subject: `${peaks.join(' → ')} MiB`,
        baseline: '',
        ratio: growth,
        target: '≤ 1.25× (flat)',
        pass: growth <= 1.25,
      });
    }
  } finally {
    await emu.close();
    await t.drop();
  }
  return rows;
}
