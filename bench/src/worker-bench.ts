import { createAdapter } from '@meander/accounting';
import { startEmulators } from '@meander/accounting/emulators';
import type { Dialect } from '@meander/db';
import { createTestDatabase } from '@meander/db/testing';
import { runSync, silentLogger } from '@meander/worker';
import { seedLargePeriod } from '@meander/worker/testing';
import { emit, type Row } from './report.js';
import { medianOf, REPETITIONS, round, spreadOf } from './stats.js';

/**
 * Worker ratios are the median of 7 blocks (above the floor of 5: a run here swings by ±20 % with
 * the neighbours' load), each block 2 alternating pairs of runs (see the loop below).
 */
const BLOCKS = Math.max(REPETITIONS, 7);
const RUNS_PER_BLOCK = 2;

const PERIOD = { periodStart: '2026-10-01T00:00:00.000Z', periodEnd: '2026-10-31T23:59:59.999Z' };

/**
 * Worker benchmark: the runner (stream from the store, pre-flight, push, report progress at most
 * every 250 ms, summarize, complete through the domain) versus a baseline loop that streams the
 * same records and posts the same batches straight to the emulator. Peak RSS is the process's,
 * sampled.
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
      // Each ratio is the median of BLOCKS blocks. A block is RUNS_PER_BLOCK pairs of runs,
      // alternating who goes first (A B, B A, …), each run posting `count / (BLOCKS ×
      // RUNS_PER_BLOCK)` records per side, and its ratio is the block's baseline seconds over its
      // runner seconds. Shorter alternating runs matter on a shared machine: the same run's cost
      // drifts by tens of percent over seconds (neighbours' memory traffic), and a drift then hits
      // both sides of a block alike. One organization per side, reused across runs: the
      // emulator's ledger is reset between runs, so every run posts every record afresh.
      const perRun = Math.max(1, Math.floor(count / (BLOCKS * RUNS_PER_BLOCK)));
      const runnerOrg = await seedLargePeriod(db, emu.connections.xledger, perRun);
      const baselineOrg = await seedLargePeriod(db, emu.connections.xledger, perRun);
      for (const batchSize of batchSizes) {
        const runs: { runner: Timed; baseline: Timed }[] = [];
        for (let r = 0; r < BLOCKS * RUNS_PER_BLOCK; r += 1) {
          const runRunnerTimed = async () => {
            const result = await timed(() => runRunner(runnerOrg, perRun, batchSize));
            emu.reset();
            return result;
          };
          const runBaselineTimed = async () => {
            const result = await timed(() => runBaseline(baselineOrg, batchSize));
            emu.reset();
            return result;
          };
          if (r % 2 === 0) {
            const runner = await runRunnerTimed();
            runs.push({ runner, baseline: await runBaselineTimed() });
          } else {
            const baseline = await runBaselineTimed();
            runs.push({ runner: await runRunnerTimed(), baseline });
          }
        }
        emit(rows, workerRow(count, batchSize, perRun, runs));
      }
    }
  } finally {
    await emu.close();
    await t.drop();
  }
  return rows;
}

type Timed = Awaited<ReturnType<typeof timed>>;

/** One batch size's row: the median of the blocks' ratios (baseline seconds over runner seconds). */
function workerRow(
  count: number,
  batchSize: number,
  perRun: number,
  runs: { runner: Timed; baseline: Timed }[],
): Row {
  const blocks = Array.from({ length: BLOCKS }, (_, b) =>
    runs.slice(b * RUNS_PER_BLOCK, (b + 1) * RUNS_PER_BLOCK),
  );
  const seconds = (side: 'runner' | 'baseline', of: typeof runs) =>
    of.reduce((sum, run) => sum + run[side].seconds, 0);
  const spread = spreadOf(
    blocks.map((block) => seconds('baseline', block) / Math.max(seconds('runner', block), 1e-6)),
  );
  const rate = (side: 'runner' | 'baseline') =>
    Math.round(
      medianOf(blocks.map((block) => (block.length * perRun) / seconds(side, block))),
    ).toLocaleString('en-US');
  const peakRssMiB = Math.max(...runs.map((p) => p.runner.peakRssMiB));
  return {
    suite: 'worker',
    case: `${count.toLocaleString('en-US')} records (${BLOCKS} × ${RUNS_PER_BLOCK} × ${perRun.toLocaleString('en-US')}), batch ${batchSize}`,
    size: count,
    subject: `${rate('runner')} rec/s, peak RSS ${peakRssMiB} MiB`,
    baseline: `${rate('baseline')} rec/s`,
    ratio: spread.median,
    spread,
    target: '≥ 0.9× baseline',
    pass: spread.median >= 0.9,
    extra: {
      recordsPerRun: perRun,
      runsPerBlock: RUNS_PER_BLOCK,
      runnerSeconds: runs.map((p) => p.runner.seconds),
      baselineSeconds: runs.map((p) => p.baseline.seconds),
      peakRssMiB,
    },
  };
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
    seconds: round(seconds, 3),
    peakRssMiB: Math.round(peak / 1024 / 1024),
    recordsPerSecond: (count: number) => count / seconds,
  };
}
