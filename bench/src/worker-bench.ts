import { createAdapter } from '@meander/accounting';
import { startEmulators } from '@meander/accounting/emulators';
import type { Dialect } from '@meander/db';
import { createTestDatabase } from '@meander/db/testing';
import { runSync, silentLogger } from '@meander/worker';
import { seedLargePeriod } from '@meander/worker/testing';
import { emit, type Row } from './report.js';
import { round } from './stats.js';

const PERIOD = { periodStart: '2026-10-01T00:00:00.000Z', periodEnd: '2026-10-31T23:59:59.999Z' };

/**
 * Worker benchmark: the runner (stream from the store, push, report progress after every batch,
 * summarize, complete through the domain) versus a baseline loop that streams the same records and
 * posts the same batches straight to the emulator. Peak RSS is the process's, sampled.
 */
export async function runWorkerBench(
  dialect: Dialect,
  counts: number[],
  batchSizes: number[],
): Promise<Row[]> {
  const rows: Row[] = [];
  const t = await createTestDatabase(dialect);
  const emu = await startEmulators({ port: 0 });
  try {
    const db = t.db;
    const runRunner = async (org: string, count: number, batchSize: number) => {
      const { syncLog } = await db.syncLogs.create({
        organizationId: org,
        accountingSystem: 'xledger',
        syncType: 'api',
        recordsTotal: count,
        ...PERIOD,
      });
      const started = await db.syncLogs.start(syncLog.id);
      const outcome = await runSync({ db, logger: silentLogger, batchSize, heartbeatMs: 10_000 }, started);
      if (outcome.status !== 'success') throw new Error(`runner ended ${outcome.status}`);
    };
    const runBaseline = async (org: string, batchSize: number) => {
      const adapter = createAdapter('xledger', emu.connections.xledger);
      let n = 0;
      for await (const batch of db.expenseRecords.streamApproved(
        { organizationId: org, ...PERIOD },
        batchSize,
      )) {
        n += 1;
        await adapter.pushBatch(batch, {
          syncLogId: crypto.randomUUID(),
          organizationId: org,
          batchNumber: n,
        });
      }
    };
    // One untimed round of both paths first, so neither pays for the JIT inside its measurement.
    const warmOrg = await seedLargePeriod(db, emu.connections.xledger, 2_000);
    await runRunner(warmOrg, 2_000, batchSizes[0] ?? 100);
    emu.reset();
    await runBaseline(warmOrg, batchSizes[0] ?? 100);
    emu.reset();

    for (const count of counts) {
      // One organization per side, reused across batch sizes: the emulator's ledger is reset
      // between runs, so every run posts every record afresh.
      const runnerOrg = await seedLargePeriod(db, emu.connections.xledger, count);
      const baselineOrg = await seedLargePeriod(db, emu.connections.xledger, count);
      for (const batchSize of batchSizes) {
        const runner = await timed(() => runRunner(runnerOrg, count, batchSize));
        emu.reset();
        const baseline = await timed(() => runBaseline(baselineOrg, batchSize));
        const ratio = round(runner.recordsPerSecond(count) / baseline.recordsPerSecond(count), 2);
        emit(rows, {
          suite: 'worker',
          case: `${count.toLocaleString('en-US')} records, batch ${batchSize}`,
          size: count,
          subject: `${Math.round(runner.recordsPerSecond(count)).toLocaleString('en-US')} rec/s, peak RSS ${runner.peakRssMiB} MiB`,
          baseline: `${Math.round(baseline.recordsPerSecond(count)).toLocaleString('en-US')} rec/s`,
          ratio,
          target: '≥ 0.9× baseline',
          pass: ratio >= 0.9,
          extra: {
            runnerSeconds: runner.seconds,
            baselineSeconds: baseline.seconds,
            peakRssMiB: runner.peakRssMiB,
          },
        });
        emu.reset();
      }
    }
  } finally {
    await emu.close();
    await t.drop();
  }
  return rows;
}

/** Time `work` and sample the process's peak RSS while it runs. */
async function timed(work: () => Promise<void>) {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 25);
  const t0 = performance.now();
  await work();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  return {
    seconds: round(seconds, 2),
    peakRssMiB: Math.round(peak / 1024 / 1024),
    recordsPerSecond: (count: number) => count / seconds,
  };
}
