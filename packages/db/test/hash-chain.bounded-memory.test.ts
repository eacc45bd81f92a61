import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { SyncLog } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainHash, GENESIS_HASH } from '../src/store/hash-chain.js';
import {
  createTestDatabase,
  DIALECTS,
  givenOrganization,
  seedingFinishedRows,
  type TestDatabase,
} from '../src/testing/index.js';

/** Write `count` sealed rows with a valid chain straight through the driver (fast seeding). */
async function seedChain(t: TestDatabase, organizationId: string, count: number): Promise<void> {
  let prev = GENESIS_HASH;
  const rows: Record<string, unknown>[] = [];
  const flush = () => seedingFinishedRows(t.db.raw, insertRows);
  const insertRows = async () => {
    if (rows.length === 0) return;
    if (t.db.raw.dialect === 'sqlite') {
      const c = t.db.raw.connection;
      const insert =
        c.prepare(`INSERT INTO accounting_sync_logs (id, organization_id, accounting_system, sync_type, status, triggered_by,
        period_start, period_end, records_total, records_synced, records_failed, payload_summary, error_details, external_reference_id,
        started_at, completed_at, created_at, chain_seq, prev_hash, chain_hash) VALUES (@id, @organization_id, @accounting_system, @sync_type,
        @status, @triggered_by, @period_start, @period_end, @records_total, @records_synced, @records_failed, @payload_summary, @error_details,
        @external_reference_id, @started_at, @completed_at, @created_at, @chain_seq, @prev_hash, @chain_hash)`);
      c.transaction(() => {
        for (const r of rows) insert.run(r);
      })();
    } else {
      const sql = t.db.raw.sql;
      await sql`INSERT INTO accounting_sync_logs ${sql(rows.map((r) => ({ ...r, payload_summary: JSON.parse(r.payload_summary as string) })))}`;
    }
    rows.length = 0;
  };
  for (let i = 0; i < count; i += 1) {
    const at = new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString();
    const log: SyncLog = {
      id: randomUUID(),
      organizationId,
      accountingSystem: 'xledger',
      syncType: 'scheduled',
      status: 'success',
      triggeredBy: null,
      periodStart: '2019-12-01T00:00:00.000Z',
      periodEnd: '2019-12-31T23:59:59.999Z',
      recordsTotal: 100,
      recordsSynced: 100,
      recordsFailed: 0,
      payloadSummary: {
        formatVersion: '1',
        recordCount: 100,
        totalAmountMinor: String(100_000 + i),
        currency: 'NOK',
      },
      errorDetails: null,
      externalReferenceId: String(1_000_000 + i),
      startedAt: at,
      completedAt: at,
      createdAt: at,
    };
    const hash = chainHash(prev, log);
    rows.push({
      id: log.id,
      organization_id: organizationId,
      accounting_system: log.accountingSystem,
      sync_type: log.syncType,
      status: log.status,
      triggered_by: null,
      period_start: log.periodStart,
      period_end: log.periodEnd,
      records_total: 100,
      records_synced: 100,
      records_failed: 0,
      payload_summary: JSON.stringify(log.payloadSummary),
      error_details: null,
      external_reference_id: log.externalReferenceId,
      started_at: at,
      completed_at: at,
      created_at: at,
      chain_seq: i + 1,
      prev_hash: prev,
      chain_hash: hash,
    });
    prev = hash;
    if (rows.length === 2_000) await flush();
  }
  await flush();
}

// A full collection before each sample measures what is live, not garbage V8 has not collected yet.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Peak live heap while `work` runs, sampled every 20 ms after a full GC (MiB above the start). */
async function peakHeapGrowth<T>(work: () => Promise<T>): Promise<{ result: T; peakMiB: number }> {
  gc();
  const start = process.memoryUsage().heapUsed;
  let peak = start;
  const timer = setInterval(() => {
    gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 20);
  try {
    const result = await work();
    gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    return { result, peakMiB: (peak - start) / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

describe.each(DIALECTS)('verifying a long chain on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('walks 100,000 sealed rows page by page in bounded memory', { timeout: 180_000 }, async () => {
    const org = await givenOrganization(t.db);
    await seedChain(t, org.id, Number(process.env.CHAIN_N ?? 100_000));
    const { result, peakMiB } = await peakHeapGrowth(() => t.db.syncLogs.verifyChain(org.id));
    expect(result).toMatchObject({ ok: true, checked: Number(process.env.CHAIN_N ?? 100_000), breaks: [] });
    console.log(`[${dialect}] verify 100,000 rows: peak heap growth ${peakMiB.toFixed(1)} MiB`);
    // 100,000 rows held at once need over 100 MiB of heap; pages of 1,000 rows need a few MiB.
    expect(peakMiB).toBeLessThan(24);
  });
});
