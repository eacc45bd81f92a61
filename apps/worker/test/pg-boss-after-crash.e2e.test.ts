import type { ChildProcess } from 'node:child_process';
import type { RunningEmulators } from '@meander/accounting/emulators';
import { createTestDatabase, type TestDatabase } from '@meander/db/testing';
import { isDomainError } from '@meander/domain';
import PgBoss from 'pg-boss';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { startWorkerProcess, type WorkerProcess } from '../src/testing/worker-process.js';
import { startWorker } from '../src/worker.js';
import {
  emulators,
  eventually,
  FAST_RETRIES,
  givenConnectedOrganization,
  ledgerCounts,
  PERIOD,
  terminal,
} from './fixtures.js';

const children: ChildProcess[] = [];
// 6 s, not less: on a loaded CI machine (other suites creating and dropping databases) a commit
// can stall for seconds, and a worker lost its own 2 s lease mid-sync — a test artefact.
const STALE_SECONDS = 6;
/** The documented margin (README "pg-boss after a crash"): one reaper interval plus scheduling slack. */
const MARGIN_SECONDS = 10;

/** Issue 22 item 5: pg-boss after a worker was killed mid-sync. */
describe('pg-boss after a crash (PostgreSQL)', () => {
  let t: TestDatabase;
  let emu: RunningEmulators;
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    emu = await emulators();
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  afterAll(async () => {
    await emu?.close();
    await t?.drop();
  });

  const env = {
    SYNC_QUEUE: 'pg-boss',
    SYNC_STALE_AFTER_SECONDS: String(STALE_SECONDS),
    SYNC_BATCH_SIZE: '5',
    WORKER_CONCURRENCY: '1',
  };
  function node(id: string): WorkerProcess {
    const w = startWorkerProcess(t.url, { ...env, WORKER_ID: id }, { readyTimeoutMs: 120_000 });
    children.push(w.child);
    return w;
  }
  const syncJobs = (syncLogId: string) =>
    t.db.raw.dialect === 'postgres'
      ? t.db.raw.sql<{ state: string }[]>`SELECT state FROM pgboss.job
          WHERE name = 'meander-sync' AND data->>'syncLogId' = ${syncLogId}`
      : Promise.resolve([]);

  it('a worker killed with SIGKILL mid-sync blocks its organization only until its lease is reaped; the next export runs to its end', async () => {
    const org = await givenConnectedOrganization(t.db, emu, 'xledger', 40);
    emu.setFaults('xledger', { latencyMs: 200 });
    // Both nodes are up before the sync exists, so the clock below measures recovery, not a boot
    // (a survivor started after the claim booted so slowly on a loaded machine that the sync had
    // already finished when the kill came). Whichever claims the sync is killed.
    const nodes = [node('a'), node('b')];
    const warnings: unknown[] = [];
    for (const w of nodes)
      w.logs.on('log', (line) => {
        if (Number(line.level) >= 40) warnings.push(line);
      });
    await Promise.all(nodes.map((w) => w.ready));
    const { syncLog: first } = await t.db.syncLogs.create({
      organizationId: org.id,
      accountingSystem: 'xledger',
      syncType: 'api',
      recordsTotal: 40,
      ...PERIOD,
    });
    await eventually(
      async () => [...ledgerCounts(emu, 'xledger', org.recordIds).values()].some((n) => n > 0),
      60_000,
    );
    const raw = t.db.raw;
    if (raw.dialect !== 'postgres') throw new Error('pg-boss runs on PostgreSQL only');
    const [claim] = await raw.sql<{ claimed_by: string }[]>`SELECT claimed_by FROM accounting_sync_logs
      WHERE id = ${first.id}`;
    const killed = nodes[claim?.claimed_by === 'a' ? 0 : 1] as WorkerProcess;
    const survivor = nodes.find((w) => w !== killed) as WorkerProcess;
    expect(['a', 'b']).toContain(claim?.claimed_by);
    killed.child.kill('SIGKILL');
    await new Promise((r) => killed.child.once('exit', r));
    const killedAt = Date.now();
    // The dead worker's job is still active in pg-boss (a duplicate fed before the claim may
    // wait behind it): it must not matter.
    expect(
      (await syncJobs(first.id)).map((j) => j.state),
      `the workers' warnings: ${JSON.stringify(warnings)}`,
    ).toContain('active');

    // Export again until the organization is free (SYNC_ALREADY_ACTIVE until the reap).
    const next = await eventually(async () => {
      try {
        return (
          await t.db.syncLogs.create({
            organizationId: org.id,
            accountingSystem: 'xledger',
            syncType: 'api',
            recordsTotal: 40,
            ...PERIOD,
          })
        ).syncLog;
      } catch (error) {
        if (isDomainError(error) && error.code === 'SYNC_ALREADY_ACTIVE') return null;
        throw error;
      }
    }, 60_000);
    const acceptedAfterMs = Date.now() - killedAt;
    expect(acceptedAfterMs).toBeLessThan((STALE_SECONDS + MARGIN_SECONDS) * 1000);
    expect(await t.db.syncLogs.get(first.id)).toMatchObject({
      status: 'failed',
      errorDetails: { code: 'WORKER_LOST' },
    });

    const done = await eventually(async () => terminal(await t.db.syncLogs.get(next.id)), 120_000);
    expect(done).toMatchObject({ status: 'success', recordsSynced: 40, recordsFailed: 0 });
    // Its job completes (directly, or as a no-op retry when the sync outlived the job's expiry).
    await eventually(async () => {
      const states = (await syncJobs(next.id)).map((j) => j.state);
      return states.length > 0 && states.every((state) => state === 'completed');
    }, 60_000);
    await survivor.stop();
    await emu.idle();
    const counts = ledgerCounts(emu, 'xledger', org.recordIds);
    expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  }, 300_000);

  it("never drops a sync's job while another job of its organization is active or queued; a job whose sync already ended completes as a no-op", async () => {
    emu.setFaults('xledger', {});
    const org = await givenConnectedOrganization(t.db, emu, 'xledger', 6);
    // An earlier sync of the organization, reaped after its worker vanished.
    const { syncLog: lost } = await t.db.syncLogs.create({
      organizationId: org.id,
      accountingSystem: 'xledger',
      syncType: 'api',
      recordsTotal: 6,
      ...PERIOD,
    });
    await t.db.syncLogs.start(lost.id, { workerId: 'vanished' });
    const lostDetails = {
      code: 'WORKER_LOST',
      message: 'lost',
      category: 'unavailable',
      retryable: true,
    } as const;
    await t.db.syncLogs.fail({ id: lost.id, errorDetails: lostDetails });

    // Its job is still active (held here, as by the dead worker) and a retry of it is queued.
    const boss = new PgBoss({ connectionString: t.url, schema: 'pgboss', max: 2, supervise: false });
    await boss.start();
    try {
      await boss.createQueue('meander-sync', { name: 'meander-sync', policy: 'short' });
      await boss.send('meander-sync', { syncLogId: lost.id }, { singletonKey: lost.id });
      const [held] = await boss.fetch<{ syncLogId: string }>('meander-sync', { batchSize: 1 });
      expect(held?.data.syncLogId).toBe(lost.id);
      const queuedId = await boss.send('meander-sync', { syncLogId: lost.id }, { singletonKey: lost.id });
      expect(queuedId).toBeTruthy();

      const { syncLog: resync } = await t.db.syncLogs.create({
        organizationId: org.id,
        accountingSystem: 'xledger',
        syncType: 'api',
        recordsTotal: 6,
        ...PERIOD,
        payloadSummary: { formatVersion: '1', parentSyncId: lost.id },
      });
      const worker = await startWorker({
        db: t.db,
        logger: silentLogger,
        queue: 'pg-boss',
        staleAfterSeconds: STALE_SECONDS,
        pollMs: 50,
        catchUpHours: 0,
        adapterOptions: FAST_RETRIES,
        webhooks: false,
      });
      try {
        const done = await eventually(async () => terminal(await t.db.syncLogs.get(resync.id)), 60_000);
        expect(done).toMatchObject({ status: 'success', recordsSynced: 6 });
        // Its job ran and completed. The feeder may have queued a second job for the still-pending
        // row while the first was being fetched (the queue keeps one QUEUED job per sync, not one
        // ever): on a loaded machine it does, and that job completes as a no-op as well.
        const states = await eventually(async () => {
          const now = (await syncJobs(resync.id)).map((j) => j.state);
          return now.length > 0 && now.every((s) => s === 'completed' || s === 'failed') ? now : null;
        }, 30_000);
        expect(states.filter((s) => s !== 'completed')).toEqual([]);
        // The queued job of the reaped sync: completed, and the sync untouched.
        await boss.complete('meander-sync', held?.id as string);
        await eventually(
          async () => (await boss.getJobById('meander-sync', queuedId as string))?.state === 'completed',
          30_000,
        );
        expect(await t.db.syncLogs.get(lost.id)).toMatchObject({
          status: 'failed',
          errorDetails: lostDetails,
        });
      } finally {
        await worker.stop();
      }
    } finally {
      await boss.stop({ graceful: false, wait: true });
    }
  }, 180_000);
});
