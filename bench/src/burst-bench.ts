/**
 * A burst of schedules on PostgreSQL + pg-boss: `organizations` nightly schedules all due at once
 * (a catch-up after downtime), `records` approved records each, drained by real worker processes
 * (as `pnpm --filter @meander/worker start` runs them) — with 2 processes, then with 1 for
 * comparison, each on a fresh database. Checked: every organization synced exactly once, every
 * record in the ledger exactly once, never two active syncs for one organization (sampled every
 * 200 ms; the database's partial unique index forbids it). Reported: time to drain (from the
 * first sync created — a worker's start-up dispatch — to the last one completed) and the queue
 * wait of each sync (`started_at − created_at`), p50 and p99.
 */
import {
  DEMO_DYNAMICS_BALANCING_ACCOUNT,
  type RunningEmulators,
  startEmulators,
} from '@meander/accounting/emulators';
import type { Database, NewExpenseRecord } from '@meander/db';
import { createTestDatabase } from '@meander/db/testing';
import { startWorkerProcess, type WorkerProcess, waitForLogs } from '@meander/worker/testing';
import { emit, type Row } from './report.js';
import { round, summarize } from './stats.js';

interface BurstResult {
  processes: number;
  drainSeconds: number;
  syncs: number;
  queueWaitMs: { p50: number; p99: number };
  /** From the first scheduled sync created to the last (the start-up dispatch of 2,000 schedules). */
  dispatchSeconds: number;
  /** One sync's own time, `completed_at − started_at`. */
  runMs: { p50: number; p99: number };
  maxActivePerOrganization: number;
  duplicatePostings: number;
  missingPostings: number;
}

/** The previous calendar month in UTC as `YYYY-MM` (what a nightly schedule exports today). */
function previousMonth(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

async function seedBurst(
  db: Database,
  emu: RunningEmulators,
  organizations: number,
  records: number,
): Promise<{ ids: string[]; recordIds: Set<string> }> {
  const month = previousMonth(new Date());
  const ids: string[] = [];
  const recordIds = new Set<string>();
  let chunk: NewExpenseRecord[] = [];
  // The organizations go through the store (as an operator's set-up would), eight at a time: one
  // by one, 2,000 of them (two calls each) took as long as draining them.
  const configured: { id: string; system: 'xledger' | 'dynamics' }[] = [];
  const SETUP_PARALLEL = 8;
  for (let from = 0; from < organizations; from += SETUP_PARALLEL) {
    const indexes = Array.from(
      { length: Math.min(SETUP_PARALLEL, organizations - from) },
      (_, k) => from + k,
    );
    configured.push(
      ...(await Promise.all(
        indexes.map(async (i) => {
          const system = i % 2 ? ('dynamics' as const) : ('xledger' as const);
          const org = await db.organizations.create({ name: `Burst ${i}` });
          await db.organizations.configureAccounting({
            organizationId: org.id,
            enabled: true,
            config: {
              accountingSystem: system,
              // Each organization books to a ledger of its own, as real tenants do: Business
              // Central organizations sharing one journal batch would clear each other's lines
              // (the adapter removes stale lines from its batch before posting).
              connection:
                system === 'dynamics'
                  ? { ...emu.connections.dynamics, journalName: `BURST${i}` }
                  : emu.connections.xledger,
              schedule: { cron: '0 2 * * *', timezone: 'UTC' },
            },
          });
          return { id: org.id, system };
        }),
      )),
    );
  }
  for (const org of configured) {
    ids.push(org.id);
    for (let k = 0; k < records; k += 1) {
      const id = crypto.randomUUID();
      recordIds.add(id);
      chunk.push({
        id,
        organizationId: org.id,
        kind: 'expense_claim',
        amountMinor: 1_000 + k,
        currency: 'NOK',
        bookingDate: `${month}-${String((k % 28) + 1).padStart(2, '0')}`,
        account: '7100',
        approvalState: 'approved',
      });
    }
    if (chunk.length >= 5_000) {
      await db.expenseRecords.insertMany(chunk);
      chunk = [];
    }
  }
  if (chunk.length) await db.expenseRecords.insertMany(chunk);
  return { ids, recordIds };
}

async function runBurst(organizations: number, records: number, processes: number): Promise<BurstResult> {
  const t = await createTestDatabase('postgres', { poolSize: 4 });
  const emu = await startEmulators({ port: 0 });
  const workers: WorkerProcess[] = [];
  try {
    const { ids, recordIds } = await seedBurst(t.db, emu, organizations, records);
    const raw = t.db.raw;
    if (raw.dialect !== 'postgres') throw new Error('the burst runs on PostgreSQL');
    let finished = 0;
    let maxActive = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [row] = await raw.sql<{ n: number }[]>`
          SELECT COALESCE(MAX(n), 0)::int AS n FROM (
            SELECT COUNT(*) AS n FROM accounting_sync_logs
            WHERE status IN ('pending', 'in_progress') GROUP BY organization_id) active`;
        maxActive = Math.max(maxActive, row?.n ?? 0);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    for (let i = 0; i < processes; i += 1) {
      workers.push(
        startWorkerProcess(t.url, {
          SYNC_QUEUE: 'pg-boss',
          WORKER_CONCURRENCY: '4',
          SYNC_BATCH_SIZE: '50',
          WORKER_ID: `burst-${processes}-${i}`,
        }),
      );
    }
    const drained = waitForLogs(
      workers,
      (line) => {
        // A failed sync ends too (and fails the check below with its count): waiting for
        // successes alone hung a run whose one sync had failed.
        if (line.msg === 'sync finished' || line.msg === 'sync failed') finished += 1;
        return finished >= organizations;
      },
      30 * 60_000,
      `${organizations} scheduled syncs finished`,
    );
    await drained;
    sampling = false;
    await sampler;
    // Drain time: from the first scheduled sync created (a worker's start-up dispatch) to the last
    // one completed, as the audit table records them.
    const [span] = await raw.sql<{ seconds: number; dispatch: number }[]>`
      SELECT EXTRACT(EPOCH FROM (MAX(completed_at::timestamptz) - MIN(created_at::timestamptz))) AS seconds,
        EXTRACT(EPOCH FROM (MAX(created_at::timestamptz) - MIN(created_at::timestamptz))) AS dispatch
      FROM accounting_sync_logs`;
    const drainSeconds = Number(span?.seconds ?? Number.NaN);

    const rows = await raw.sql<
      { organization_id: string; status: string; wait_ms: number; run_ms: number; synced: number }[]
    >`
      SELECT organization_id, status, records_synced AS synced,
        EXTRACT(EPOCH FROM (completed_at::timestamptz - started_at::timestamptz)) * 1000 AS run_ms,
        EXTRACT(EPOCH FROM (started_at::timestamptz - created_at::timestamptz)) * 1000 AS wait_ms
      FROM accounting_sync_logs`;
    const perOrg = new Map<string, number>();
    for (const r of rows) perOrg.set(r.organization_id, (perOrg.get(r.organization_id) ?? 0) + 1);
    const exactlyOnce = ids.every((id) => perOrg.get(id) === 1);
    const allSucceeded = rows.every((r) => r.status === 'success' && Number(r.synced) === records);
    if (!exactlyOnce || !allSucceeded || rows.length !== organizations) {
      throw new Error(
        `burst with ${processes} process(es): ${rows.length} syncs for ${organizations} organizations, exactly once ${exactlyOnce}, all succeeded ${allSucceeded} (${rows.filter((r) => r.status !== 'success').length} not successful)`,
      );
    }
    // Every record in the ledger exactly once.
    // Expense lines only: Xledger vouchers carry a contra line (`<id>:contra`), Business Central
    // documents a balancing G/L entry; each record's expense side is keyed by its id / document number.
    const expenseLines = [
      ...emu
        .ledger('xledger')
        .flatMap((e) => (e.extIdentifier && !e.extIdentifier.endsWith(':contra') ? [e.extIdentifier] : [])),
      ...emu
        .ledger('dynamics')
        .filter((e) => e.accountNumber !== DEMO_DYNAMICS_BALANCING_ACCOUNT)
        .map((e) => e.documentNumber),
    ];
    const postings = expenseLines.length;
    const distinct = new Set(expenseLines).size;
    const duplicatePostings = postings - distinct;
    const missingPostings = Math.max(0, recordIds.size - distinct);
    const wait = summarize(rows.map((r) => Number(r.wait_ms)));
    const run = summarize(rows.map((r) => Number(r.run_ms)));
    return {
      processes,
      drainSeconds: round(drainSeconds, 1),
      syncs: rows.length,
      queueWaitMs: { p50: round(wait.p50, 0), p99: round(wait.p99, 0) },
      dispatchSeconds: round(Number(span?.dispatch ?? Number.NaN), 1),
      runMs: { p50: round(run.p50, 0), p99: round(run.p99, 0) },
      maxActivePerOrganization: maxActive,
      duplicatePostings,
      missingPostings,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await emu.close();
    await t.drop();
  }
}

/** The burst with 2 worker processes and with 1, as benchmark rows. */
export async function runBurstBench(organizations: number, records: number): Promise<Row[]> {
  const rows: Row[] = [];
  const two = await runBurst(organizations, records, 2);
  const one = await runBurst(organizations, records, 1);
  const ok = (r: BurstResult) =>
    r.syncs === organizations &&
    r.maxActivePerOrganization <= 1 &&
    r.duplicatePostings === 0 &&
    r.missingPostings === 0;
  const describe = (r: BurstResult) =>
    `${r.processes} process(es): drained in ${r.drainSeconds} s, queue wait p50 ${r.queueWaitMs.p50} ms p99 ${r.queueWaitMs.p99} ms (dispatch ${r.dispatchSeconds} s, one sync p50 ${r.runMs.p50} ms), ${r.syncs} syncs once each, max active per org ${r.maxActivePerOrganization}`;
  emit(rows, {
    suite: 'burst',
    case: `${organizations.toLocaleString('en-US')} schedules due at once, ${records} records each (PostgreSQL + pg-boss)`,
    size: organizations,
    subject: describe(two),
    baseline: describe(one),
    ratio: round(one.drainSeconds / Math.max(two.drainSeconds, 1e-6), 2),
    target: 'exactly once, never two active; ratio = speed-up of 2 processes over 1',
    pass: ok(two) && ok(one),
    extra: { twoProcesses: two, oneProcess: one },
  });
  return rows;
}
