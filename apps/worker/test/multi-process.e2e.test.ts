import type { ChildProcess } from 'node:child_process';
import type { RunningEmulators } from '@meander/accounting/emulators';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { reapStaleSyncs } from '../src/reaper.js';
import { previousMonthPeriod } from '../src/schedule-period.js';
import {
  spawnWorkerProcess,
  startWorkerProcess,
  type WorkerLogLine,
  type WorkerProcess,
  waitForLogs,
} from '../src/testing/worker-process.js';
import { startWorker } from '../src/worker.js';
import {
  emulators,
  eventually,
  FAST_RETRIES,
  givenConnectedOrganization,
  ledgerCounts,
  terminal,
} from './fixtures.js';

const children: ChildProcess[] = [];

/** A worker process, remembered so that every test kills what it started. */
function spawnWorker(databaseUrl: string, env: Record<string, string> = {}): ChildProcess {
  const child = spawnWorkerProcess(databaseUrl, env);
  children.push(child);
  return child;
}

/** A worker process whose logs the test waits on, remembered likewise. */
function startWorkerNode(
  databaseUrl: string,
  env: Record<string, string> = {},
  options: { readyTimeoutMs?: number } = {},
): WorkerProcess {
  const worker = startWorkerProcess(databaseUrl, env, options);
  children.push(worker.child);
  return worker;
}

describe.each(DIALECTS)('worker processes on %s', (dialect) => {
  let t: TestDatabase;
  let emu: RunningEmulators;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    emu = await emulators();
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  });
  afterAll(async () => {
    await emu?.close();
    await t?.drop();
  });

  it('recovers from a worker killed mid-sync: reaped as WORKER_LOST, the next sync posts the rest, every record once', async () => {
    const org = await givenConnectedOrganization(t.db, emu, 'xledger', 200);
    // Slow enough that the sync is still far from done when the test, polling on a loaded machine,
    // sees 30 records synced and kills the process (~400 ms a batch of 10: seconds of margin).
    emu.setFaults('xledger', { latencyMs: 200 });
    const { syncLog } = await t.db.syncLogs.create({
      organizationId: org.id,
      accountingSystem: 'xledger',
      syncType: 'api',
      recordsTotal: 200,
      periodStart: '2026-10-01T00:00:00.000Z',
      periodEnd: '2026-10-31T23:59:59.999Z',
    });
    const child = spawnWorker(t.url, {
      SYNC_BATCH_SIZE: '10',
      SYNC_QUEUE: 'inline',
      WORKER_CONCURRENCY: '1',
    });
    // The deadline includes booting a tsx worker process, seconds to tens of seconds under load.
    await eventually(async () => ((await t.db.syncLogs.get(syncLog.id))?.recordsSynced ?? 0) >= 30, 90_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    emu.setFaults('xledger', {});
    const mid = await t.db.syncLogs.get(syncLog.id);
    expect(mid?.status).toBe('in_progress');
    const posted = [...ledgerCounts(emu, 'xledger', org.recordIds).values()].filter((n) => n === 1).length;
    expect(posted).toBeGreaterThan(0);
    expect(posted).toBeLessThan(200);

    // The killed worker beats no more: a reaper whose clock reads one lease (the worker's default
    // 120 s) later sees its heartbeat stale and its lease expired, without the test sleeping
    // through that window.
    const reaped = await reapStaleSyncs(t.db, {
      now: new Date(Date.now() + 121_000),
      staleAfterSeconds: 1,
      logger: silentLogger,
    });
    expect(reaped.map((r) => r.id)).toContain(syncLog.id);
    const lost = await t.db.syncLogs.get(syncLog.id);
    expect(lost).toMatchObject({
      status: 'failed',
      errorDetails: { code: 'WORKER_LOST', category: 'unavailable', retryable: true },
    });

    const worker = await startWorker({
      db: t.db,
      logger: silentLogger,
      pollMs: 50,
      catchUpHours: 0,
      batchSize: 25,
      adapterOptions: FAST_RETRIES,
      queue: 'inline',
    });
    try {
      const { syncLog: again } = await t.db.syncLogs.create({
        organizationId: org.id,
        accountingSystem: 'xledger',
        syncType: 'api',
        recordsTotal: 200,
        periodStart: '2026-10-01T00:00:00.000Z',
        periodEnd: '2026-10-31T23:59:59.999Z',
      });
      const done = await eventually(async () => terminal(await t.db.syncLogs.get(again.id)), 30_000);
      expect(done).toMatchObject({ status: 'success', recordsSynced: 200, recordsFailed: 0 });
    } finally {
      await worker.stop();
    }
    const counts = ledgerCounts(emu, 'xledger', org.recordIds);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  }, 180_000);
});

/** pg-boss distributes work between processes; SQLite is the single-node default. */
describe('many worker nodes on PostgreSQL', () => {
  let t: TestDatabase;
  let emu: RunningEmulators;
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    emu = await emulators();
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  });
  afterAll(async () => {
    await emu?.close();
    await t?.drop();
  });

  it('three worker processes, twenty organizations due at once: twenty syncs, each record posted once', async () => {
    const now = new Date();
    const period = previousMonthPeriod(now, 'UTC');
    const month = period.periodStart.slice(0, 7);
    const orgs = [];
    for (let i = 0; i < 20; i += 1) {
      const org = await givenConnectedOrganization(t.db, emu, i % 2 ? 'dynamics' : 'xledger', 15, {
        schedule: { cron: '0 2 * * *', timezone: 'UTC' },
      });
      orgs.push(org);
    }
    // Move the fixtures' October records into the previous month, whatever today is.
    if (t.db.raw.dialect === 'postgres') {
      await t.db.raw.sql`UPDATE expense_records SET booking_date = ${month} || substr(booking_date, 8)
        WHERE organization_id = ANY(${orgs.map((o) => o.id)}::uuid[])`;
    }
    const ids = new Set(orgs.map((o) => o.id));
    const finished = new Set<string>();
    const countFinished = (line: WorkerLogLine) => {
      if (line.msg === 'sync finished' && ids.has(String(line.organizationId))) {
        finished.add(String(line.syncLogId));
      }
    };
    // Booting three tsx processes at once on a loaded 2-core machine takes seconds to a minute:
    // each node's own start is awaited as an event (its 'worker started' line, or its exit).
    const workers = [0, 1, 2].map((i) =>
      startWorkerNode(
        t.url,
        { SYNC_QUEUE: 'pg-boss', WORKER_CONCURRENCY: '3', WORKER_ID: `node-${i}` },
        { readyTimeoutMs: 120_000 },
      ),
    );
    // Count from the first line: the first node may dispatch and sync everything before the others boot.
    for (const w of workers) w.logs.on('log', countFinished);
    // Each node dispatches on start (no cron wait): ready means its catch-up already ran.
    await Promise.all(workers.map((w) => w.ready));
    // Only the work is left to wait for (a few seconds: 20 × 15 records); its deadline starts
    // now, so a slow boot never eats into it. Lines are counted above before this sees them.
    if (finished.size < 20) {
      await waitForLogs(workers, () => finished.size >= 20, 60_000, 'twenty scheduled syncs finished');
    }

    const { items } = await t.db.syncLogs.list({ limit: 200 });
    const mine = items.filter((s) => ids.has(s.organizationId));
    // Three nodes each dispatched the same firing: still exactly one sync per organization.
    expect(mine).toHaveLength(20);
    expect(new Set(mine.map((s) => s.organizationId)).size).toBe(20);
    expect(new Set(mine.map((s) => s.id))).toEqual(finished);
    expect(
      mine.every(
        (s) =>
          s.status === 'success' &&
          s.syncType === 'scheduled' &&
          s.recordsSynced === 15 &&
          s.periodStart === period.periodStart,
      ),
    ).toBe(true);
    for (const [i, org] of orgs.entries()) {
      const counts = ledgerCounts(emu, i % 2 ? 'dynamics' : 'xledger', org.recordIds);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
    }
    // No node died on the way (three nodes starting together once deadlocked in pg-boss's setup).
    expect(workers.every((w) => w.child.exitCode === null)).toBe(true);
    await Promise.all(workers.map((w) => w.stop()));
  }, 240_000);
});
