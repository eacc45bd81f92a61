import { LedgerLimits } from '@meander/accounting';
import type { RunningEmulators } from '@meander/accounting/emulators';
import { createTestDatabase, type TestDatabase } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { type RunningWorker, startWorker } from '../src/worker.js';
import {
  emulators,
  eventually,
  FAST_RETRIES,
  givenConnectedOrganization,
  ledgerCounts,
  PERIOD,
} from './fixtures.js';

// Issue 26: one worker process runs tens of syncs at once against ledgers that answer slowly (pg-boss
// fetches as many jobs as slots are free, one query for all), and the syncs of organizations on one
// Business Central app registration stay under its enforced limits together: zero 429s.

const SYNCS = 40;

describe('a pg-boss worker with WORKER_CONCURRENCY=40 against ledgers answering in ~150 ms', () => {
  let t: TestDatabase;
  let emu: RunningEmulators;
  let worker: RunningWorker;

  beforeAll(async () => {
    t = await createTestDatabase('postgres', { poolSize: 10 });
    emu = await emulators();
  });
  afterAll(async () => {
    await worker?.stop();
    await emu?.close();
    await t?.drop();
  });

  it('runs the syncs of 40 organizations at once, and those sharing one app registration draw no 429', async () => {
    // V (MS Learn "Working with API limits"): per-user quota and concurrency, scaled down to seconds.
    const quota = { requests: 150, windowSeconds: 3 };
    emu.setFaults('dynamics', {
      latencyMs: 150,
      latencyJitterMs: 50,
      latencySeed: 40,
      requestQuota: quota,
      maxConcurrentRequests: 8,
    });
    emu.setFaults('xledger', { latencyMs: 150, latencyJitterMs: 50, latencySeed: 41 });
    const orgs = [];
    for (let i = 0; i < SYNCS; i += 1) {
      orgs.push(await givenConnectedOrganization(t.db, emu, i % 2 ? 'dynamics' : 'xledger', 20));
    }
    worker = await startWorker({
      db: t.db,
      queue: 'pg-boss',
      concurrency: SYNCS,
      batchSize: 10,
      pollMs: 100,
      logger: silentLogger,
      dispatchCron: '0 0 1 1 *',
      catchUpHours: 0,
      adapterOptions: {
        ...FAST_RETRIES,
        limits: new LedgerLimits({ dynamics: { ...quota, concurrent: 8 }, xledger: null }),
      },
      webhooks: false,
    });
    const syncs = await Promise.all(
      orgs.map(
        async (org, i) =>
          (
            await t.db.syncLogs.create({
              organizationId: org.id,
              accountingSystem: i % 2 ? 'dynamics' : 'xledger',
              syncType: 'api',
              recordsTotal: 20,
              ...PERIOD,
            })
          ).syncLog,
      ),
    );
    // Tens at once, not a handful: the event that proves it is the worker holding 30 or more syncs
    // in flight (one fetch loop fills every free slot).
    let peak = 0;
    await eventually(async () => {
      peak = Math.max(peak, worker.queue.running);
      return peak >= 30;
    }, 30_000);

    const done = await eventually(async () => {
      const rows = await Promise.all(syncs.map((s) => t.db.syncLogs.get(s.id)));
      return rows.every((r) => r && ['success', 'partial', 'failed'].includes(r.status)) ? rows : null;
    }, 60_000);
    expect(done.map((r) => r?.status)).toEqual(Array(SYNCS).fill('success'));
    expect(emu.stats('dynamics').throttled).toBe(0);
    // The Business Central half needed more requests than one quota window allows: the limit was in play.
    expect(emu.stats('dynamics').requests).toBeGreaterThan(quota.requests);
    for (const [i, org] of orgs.entries()) {
      const counts = ledgerCounts(emu, i % 2 ? 'dynamics' : 'xledger', org.recordIds);
      expect([...counts.values()]).toEqual(Array(20).fill(1));
    }
  }, 120_000);
});
