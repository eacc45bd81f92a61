import type { AccountingAdapter, BatchContext, BatchResult } from '@meander/accounting';
import type { RunningEmulators } from '@meander/accounting/emulators';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import type { ExportRecord, SyncLog } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { type RunnerDeps, runSync } from '../src/runner.js';
import { emulators, givenConnectedOrganization, PERIOD } from './fixtures.js';

const REAPED = { code: 'WORKER_LOST', message: 'lost', category: 'unavailable', retryable: true } as const;

/**
 * An adapter that behaves as the real ones do around fencing: it awaits `beforeWrite` before each
 * of its `writesPerBatch` writes and passes the signal to its requests. `onWrite` runs after each
 * write (a test uses it to reap the sync mid-batch); `hang` keeps a write in flight until aborted.
 */
class FencedFakeAdapter implements AccountingAdapter {
  readonly system = 'xledger' as const;
  readonly requests = { reads: 0, writes: 0 };
  readonly written: string[] = [];
  readonly signals: AbortSignal[] = [];
  constructor(
    private readonly options: {
      writesPerBatch?: number;
      callBeforeWrite?: boolean;
      onWrite?: (n: number) => Promise<void>;
      hang?: boolean;
      events?: string[];
    } = {},
  ) {}

  async pushBatch(records: readonly ExportRecord[], context: BatchContext): Promise<BatchResult> {
    if (context.signal) this.signals.push(context.signal);
    this.options.events?.push(`push:${context.batchNumber}:readBackFirst=${context.readBackFirst}`);
    const writes = this.options.writesPerBatch ?? 1;
    for (let w = 0; w < writes; w += 1) {
      if (this.options.callBeforeWrite !== false) await context.beforeWrite?.();
      if (this.options.hang) {
        await new Promise<never>((_, reject) => {
          if (context.signal?.aborted) reject(context.signal.reason);
          context.signal?.addEventListener('abort', () => reject(context.signal?.reason), { once: true });
        });
      }
      this.requests.writes += 1;
      this.written.push(`${context.batchNumber}.${w}`);
      await this.options.onWrite?.(this.requests.writes);
    }
    return {
      accepted: records.map((r) => ({ recordId: r.id, externalId: `x-${r.id}` })),
      rejected: [],
      externalReferenceId: '1',
    };
  }
  async preflight() {
    return { documents: [], rejected: [] };
  }
  async checkConnection() {
    return { ok: true } as const;
  }
  async inspectConnection() {
    return { ok: true, checks: [] };
  }
}

describe.each(DIALECTS)('runSync under a lease (fencing), on %s', (dialect) => {
  let t: TestDatabase;
  let emu: RunningEmulators;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    emu = await emulators();
  });
  afterAll(async () => {
    await emu?.close();
    await t?.drop();
  });

  async function claimedSync(count: number, options: { now?: string; leaseSeconds?: number } = {}) {
    const org = await givenConnectedOrganization(t.db, emu, 'xledger', count);
    const { syncLog } = await t.db.syncLogs.create({
      organizationId: org.id,
      accountingSystem: 'xledger',
      syncType: 'api',
      recordsTotal: count,
      ...PERIOD,
    });
    return { org, sync: await t.db.syncLogs.start(syncLog.id, { workerId: 'test', ...options }) };
  }

  const deps = (adapter: AccountingAdapter, extra: Partial<RunnerDeps> = {}): RunnerDeps => ({
    db: t.db,
    logger: silentLogger,
    batchSize: 2,
    heartbeatMs: 60_000,
    leaseSeconds: 120,
    adapterFor: () => adapter,
    ...extra,
  });

  it('proves the lease before every write: reaped after its first write, the runner writes nothing more and records nothing over the reaper', async () => {
    const { sync } = await claimedSync(6);
    const adapter = new FencedFakeAdapter({
      writesPerBatch: 2,
      onWrite: async (n) => {
        if (n === 1) await t.db.syncLogs.fail({ id: sync.id, errorDetails: REAPED });
      },
    });
    const outcome = await runSync(deps(adapter), sync);
    expect(adapter.written).toEqual(['1.0']);
    expect(outcome).toMatchObject({ status: 'failed', reason: 'LEASE_LOST' });
    const row = await t.db.syncLogs.get(sync.id);
    expect(row?.errorDetails?.code).toBe('WORKER_LOST');
    expect(row?.recordsSynced).toBe(0);
  });

  it('checks the lease before each batch too: an adapter that never calls beforeWrite still gets no next batch', async () => {
    const { sync } = await claimedSync(6);
    const adapter = new FencedFakeAdapter({
      callBeforeWrite: false,
      onWrite: async (n) => {
        if (n === 1) await t.db.syncLogs.fail({ id: sync.id, errorDetails: REAPED });
      },
    });
    const outcome = await runSync(deps(adapter), sync);
    expect(adapter.written).toEqual(['1.0']);
    expect(outcome.reason).toBe('LEASE_LOST');
    expect((await t.db.syncLogs.get(sync.id))?.errorDetails?.code).toBe('WORKER_LOST');
  });

  it('a lease that ran out stops the runner before its next write, even before anyone reaped the row', async () => {
    let clock = Date.now();
    const { sync } = await claimedSync(4, { leaseSeconds: 60 });
    const adapter = new FencedFakeAdapter({
      onWrite: async () => {
        clock += 61_000; // the process stalled past its lease (a GC pause, a stopped VM)
      },
    });
    const outcome = await runSync(deps(adapter, { now: () => clock }), sync);
    expect(adapter.written).toEqual(['1.0']);
    expect(outcome).toMatchObject({ status: 'in_progress', reason: 'LEASE_LOST' });
  });

  it('a renewal that finds the lease lost aborts the write in flight and stops the sync', async () => {
    const { sync } = await claimedSync(4);
    const adapter = new FencedFakeAdapter({ hang: true });
    const running = runSync(deps(adapter, { heartbeatMs: 20 }), sync);
    // The write is in flight (hanging) once the adapter saw the signal; then the reaper strikes.
    while (adapter.signals.length === 0) await new Promise((r) => setImmediate(r));
    await t.db.syncLogs.fail({ id: sync.id, errorDetails: REAPED });
    const outcome = await running;
    expect(adapter.signals[0]?.aborted).toBe(true);
    expect(outcome.reason).toBe('LEASE_LOST');
    expect(adapter.written).toEqual([]);
    expect((await t.db.syncLogs.get(sync.id))?.errorDetails?.code).toBe('WORKER_LOST');
  });

  it("the successor waits out the reaped attempt's lease expiry plus the request timeout before its first read-back", async () => {
    const t0 = Date.now() - 11_000;
    const { org, sync: lost } = await claimedSync(2, { now: new Date(t0).toISOString(), leaseSeconds: 10 });
    await t.db.syncLogs.fail({ id: lost.id, errorDetails: REAPED });
    const { syncLog } = await t.db.syncLogs.create({
      organizationId: org.id,
      accountingSystem: 'xledger',
      syncType: 'api',
      recordsTotal: 2,
      ...PERIOD,
    });
    const successor: SyncLog = await t.db.syncLogs.start(syncLog.id);
    const events: string[] = [];
    const adapter = new FencedFakeAdapter({ events });
    const outcome = await runSync(
      deps(adapter, {
        now: () => t0 + 11_000,
        sleep: async (ms) => {
          events.push(`sleep:${ms}`);
        },
        adapterOptions: { retry: { requestTimeoutMs: 5_000 } },
      }),
      successor,
    );
    // Lease expired at t0 + 10 s; its last write may run until t0 + 15 s; now is t0 + 11 s.
    expect(events).toEqual(['sleep:4000', 'push:1:readBackFirst=true']);
    expect(outcome.status).toBe('success');
  });

  it('no reaped attempt, no wait', async () => {
    const { sync } = await claimedSync(2);
    const events: string[] = [];
    const outcome = await runSync(
      deps(new FencedFakeAdapter({ events }), {
        sleep: async (ms) => {
          events.push(`sleep:${ms}`);
        },
      }),
      sync,
    );
    expect(events).toEqual(['push:1:readBackFirst=false']);
    expect(outcome.status).toBe('success');
  });
});
