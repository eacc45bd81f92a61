import { randomUUID } from 'node:crypto';
import type { RawConnection } from '@meander/db';

const STATUSES = ['success', 'success', 'success', 'partial', 'failed'] as const;
const SEED_ADMIN = '00000000-0000-4000-8000-00000000ad01';
const SEED_ERROR = { code: 'RECORDS_REJECTED', message: 'seeded', category: 'validation', retryable: false };
const SEED_ERROR_JSON = JSON.stringify(SEED_ERROR);

/**
 * Bulk-seed `count` terminal sync logs over `organizations` organizations, straight through the
 * driver (batched multi-row inserts in transactions): the fast path a migration or import would use.
 * Chain fields carry placeholder values: the benchmark measures queries, not verification.
 */
export async function seedSyncLogs(
  raw: RawConnection,
  organizationIds: string[],
  count: number,
  offset: number,
): Promise<{ rows: number; seconds: number; rowsPerSecond: number }> {
  const t0 = performance.now();
  const base = Date.UTC(2025, 0, 1);
  const rowAt = (i: number) => {
    const n = offset + i;
    const org = organizationIds[n % organizationIds.length] as string;
    const started = new Date(base + n * 30_000).toISOString();
    const periodStart = new Date(
      Date.UTC(2025, Math.floor(n / organizationIds.length) % 24, 1),
    ).toISOString();
    const periodEnd = new Date(Date.parse(periodStart) + 27 * 86_400_000).toISOString();
    const status = STATUSES[n % STATUSES.length] as string;
    return {
      id: randomUUID(),
      organization_id: org,
      accounting_system: 'xledger',
      sync_type: n % 3 === 0 ? 'manual' : 'scheduled',
      status,
      // A manual export names its admin; a failed or partial one keeps its error details (both are
      // CHECKs since migration 0003). JSON is text for SQLite, the object itself for PostgreSQL's jsonb.
      triggered_by: n % 3 === 0 ? SEED_ADMIN : null,
      error_details: status === 'success' ? null : raw.dialect === 'sqlite' ? SEED_ERROR_JSON : SEED_ERROR,
      period_start: periodStart,
      period_end: periodEnd,
      records_total: 100,
      records_synced: status === 'success' ? 100 : 90,
      records_failed: status === 'success' ? 0 : 10,
      external_reference_id: String(100_000 + n),
      started_at: started,
      completed_at: started,
      created_at: started,
      // Negative positions keep seeded rows clear of the real chain the store extends (max + 1 ≥ 0).
      chain_seq: -(Math.floor(n / organizationIds.length) + 1),
      prev_hash: 'seed',
      chain_hash: 'seed',
    };
  };
  const batch = 3_000; // 19 columns × 3,000 rows stays under PostgreSQL's 65,535 bind parameters
  if (raw.dialect === 'sqlite') {
    const c = raw.connection;
    const insert =
      c.prepare(`INSERT INTO accounting_sync_logs (id, organization_id, accounting_system, sync_type, status, triggered_by,
      period_start, period_end, records_total, records_synced, records_failed, external_reference_id, started_at, completed_at,
      created_at, chain_seq, prev_hash, chain_hash, error_details) VALUES (@id, @organization_id, @accounting_system, @sync_type, @status,
      @triggered_by, @period_start, @period_end, @records_total, @records_synced, @records_failed, @external_reference_id,
      @started_at, @completed_at, @created_at, @chain_seq, @prev_hash, @chain_hash, @error_details)`);
    const many = c.transaction((from: number, to: number) => {
      for (let i = from; i < to; i += 1) insert.run(rowAt(i));
    });
    for (let i = 0; i < count; i += batch) many(i, Math.min(count, i + batch));
    c.exec('ANALYZE');
  } else {
    for (let i = 0; i < count; i += batch) {
      const rows = Array.from({ length: Math.min(batch, count - i) }, (_, k) => rowAt(i + k));
      await raw.sql`INSERT INTO accounting_sync_logs ${raw.sql(rows)}`;
    }
    await raw.sql`ANALYZE accounting_sync_logs`;
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    rows: count,
    seconds: Math.round(seconds * 100) / 100,
    rowsPerSecond: Math.round(count / seconds),
  };
}
