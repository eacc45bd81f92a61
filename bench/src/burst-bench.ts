/**
 * A burst of schedules on PostgreSQL + pg-boss against ledgers that answer like real ones: every
 * emulated request waits `ledgerLatencyMs ± jitter`, and Business Central enforces its per-user
 * limits (6,000 requests per 5 minutes, 100 concurrent: the emulator's `requestQuota` and
 * `maxConcurrentRequests`). `organizations` nightly schedules fall due at once (a catch-up after
 * downtime), `records` approved records each, drained by real worker processes (as
 * `pnpm --filter @meander/worker start` runs them) — by 1, 2 and 4 processes, each on a fresh
 * database. Each Business Central organization has an app registration of its own (as tenants do),
 * paced by the worker's gate for it.
 *
 * Checked: every organization synced exactly once, every record in the ledger exactly once, never
 * two active syncs for one organization (sampled every 200 ms), zero 429s. Reported per run: drain
 * time (first sync created → last completed), efficiency = ideal ÷ measured drain, where
 *   ideal = max(ledger time of all syncs ÷ (processes × WORKER_CONCURRENCY),
 *               the longest sync's ledger time,
 *               the vendor-limit bound: the least time one registration's requests take under
 *               the vendor's quota window and concurrency limit)
 * and ledger time = API requests × the mean latency; peak RSS per process (VmHWM).
 */
import {
  DEMO_DYNAMICS_BALANCING_ACCOUNT,
  type RunningEmulators,
  startEmulators,
} from '@meander/accounting/emulators';
import type { Database, NewExpenseRecord } from '@meander/db';
import { createTestDatabase } from '@meander/db/testing';
import { dispatchDueSyncs, silentLogger } from '@meander/worker';
import { peakRssMiB, startWorkerProcess, type WorkerProcess, waitForLogs } from '@meander/worker/testing';
import { type BurstCpu, startCpuAccounting } from './cpu-accounting.js';
import { emit, type Row } from './report.js';
import { round, summarize } from './stats.js';

/** The ledgers' profile and the workers' settings of one burst. */
export interface BurstProfile {
  ledgerLatencyMs: number;
  ledgerJitterMs: number;
  /** WORKER_CONCURRENCY of each process. */
  concurrency: number;
}

/** Business Central's per-user limits (V: MS Learn "Working with API limits"). */
const BC_QUOTA = { requests: 6_000, windowSeconds: 300 };
const BC_CONCURRENT = 100;

interface BurstResult {
  processes: number;
  drainSeconds: number;
  idealSeconds: number;
  /** The three lower bounds the ideal is the largest of. */
  bounds: { concurrencySeconds: number; longestSyncSeconds: number; vendorLimitSeconds: number };
  efficiency: number;
  /** The ledgers' API requests, and the time they spent answering them (requests × mean latency). */
  ledgerRequests: number;
  ledgerSeconds: number;
  throttled: number;
  peakRssMiBPerProcess: number[];
  syncs: number;
  queueWaitMs: { p50: number; p99: number };
  /** From the first scheduled sync created to the last (the start-up dispatch of 2,000 schedules). */
  dispatchSeconds: number;
  /** One sync's own time, `completed_at − started_at`. */
  runMs: { p50: number; p99: number };
  maxActivePerOrganization: number;
  duplicatePostings: number;
  missingPostings: number;
  /** Where the CPU went, and how busy the machine was (see cpu-accounting.ts). */
  cpu: BurstCpu;
  /** Each process's syncs, and when it started its first (seconds after the first was created). */
  perProcess: { syncs: number; firstSyncAfterSeconds: number }[];
}

/** WORKER_ID of process `i` of a run with `processes` (the sync rows' `claimed_by`). */
const workerId = (processes: number, i: number) => `burst-${processes}-${i}`;

/** The app registration of Business Central organization `i` (each tenant has its own). */
const burstClient = (i: number) => `burst-client-${i}`;

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
                  ? {
                      ...emu.connections.dynamics,
                      journalName: `BURST${i}`,
                      clientId: burstClient(i),
                      clientSecret: `secret-${i}`,
                    }
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

/** The emulated ledgers of one run: every request waits the profile's latency; Business Central enforces its limits. */
async function startBurstEmulators(
  organizations: number,
  processes: number,
  profile: BurstProfile,
): Promise<RunningEmulators> {
  const dynamicsClients: Record<string, string> = {};
  for (let i = 1; i < organizations; i += 2) dynamicsClients[burstClient(i)] = `secret-${i}`;
  const emu = await startEmulators({ port: 0, dynamicsClients });
  const latency = { latencyMs: profile.ledgerLatencyMs, latencyJitterMs: profile.ledgerJitterMs };
  emu.setFaults('xledger', { ...latency, latencySeed: processes });
  emu.setFaults('dynamics', {
    ...latency,
    latencySeed: 100 + processes,
    requestQuota: BC_QUOTA,
    maxConcurrentRequests: BC_CONCURRENT,
  });
  return emu;
}

/**
 * The fleet is running when the schedules fall due, as in production: a process's start-up
 * (loading, pg-boss, its own catch-up, which finds nothing yet) is not the drain's. Started
 * together after the seeding, on two shared cores the last of 4 took seconds longer to join than
 * the first, which had dispatched every sync and was draining alone.
 */
function startFleet(url: string, processes: number, profile: BurstProfile): WorkerProcess[] {
  return Array.from({ length: processes }, (_, i) =>
    startWorkerProcess(url, {
      SYNC_QUEUE: 'pg-boss',
      WORKER_CONCURRENCY: String(profile.concurrency),
      SYNC_BATCH_SIZE: '50',
      // Each registration's syncs run one at a time (one active sync per organization), so
      // each process may use a registration's whole limit.
      LEDGER_LIMIT_SHARE: '1',
      DATABASE_POOL_SIZE: '10',
      WORKER_ID: workerId(processes, i),
    }),
  );
}

type PostgresRaw = Extract<Database['raw'], { dialect: 'postgres' }>;

/** Samples the most active syncs any one organization has, until `stop` (which answers the peak). */
function sampleMaxActive(raw: PostgresRaw): { stop(): Promise<number> } {
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
  return {
    stop: async () => {
      sampling = false;
      await sampler;
      return maxActive;
    },
  };
}

/** The PostgreSQL backends serving this database (their CPU is the burst's too). */
async function backendPids(raw: PostgresRaw): Promise<number[]> {
  return (
    await raw.sql<{ pid: number }[]>`
      SELECT pid FROM pg_stat_activity WHERE datname = current_database()`
  ).map((b) => Number(b.pid));
}

/** The schedules fall due and the fleet drains them: answers the busiest organization's peak of active syncs and the CPU used. */
async function drainBurst(
  db: Database,
  raw: PostgresRaw,
  workers: WorkerProcess[],
  organizations: number,
): Promise<{ maxActive: number; cpu: BurstCpu; peakRssMiBPerProcess: number[] }> {
  let finished = 0;
  const sampler = sampleMaxActive(raw);
  const workerPids = workers.map((w) => w.child.pid as number);
  const cpu = startCpuAccounting({ workerPids, postgresPids: await backendPids(raw) });
  const drained = waitForLogs(
    workers,
    (line) => {
      // A failed sync ends too (and fails the check below with its count): waiting for
      // successes alone hung a run whose one sync had failed.
      if (line.msg === 'sync finished' || line.msg === 'sync failed') finished += 1;
      return finished >= organizations;
    },
    60 * 60_000,
    `${organizations} scheduled syncs finished`,
  );
  // The schedules fall due: one dispatcher tick (the cluster's cron runs it on one node) over the
  // last day, as a node's catch-up after downtime would.
  const now = new Date();
  await dispatchDueSyncs(db, { since: new Date(now.getTime() - 86_400_000), now, logger: silentLogger });
  await drained;
  const maxActive = await sampler.stop();
  const peakRssMiBPerProcess = workers.map((w) => round(peakRssMiB(w.child.pid as number), 1));
  const used = cpu.finish({ workerPids, postgresPids: await backendPids(raw), syncs: organizations });
  return { maxActive, cpu: used, peakRssMiBPerProcess };
}

type SyncRow = { organization_id: string; status: string; wait_ms: number; run_ms: number; synced: number };

/** What the audit table says of the drain: its span, each process's share, and every sync. */
async function readAudit(raw: PostgresRaw, processes: number) {
  // Drain time: from the first scheduled sync created (the dispatcher's tick) to the last one
  // completed, as the audit table records them.
  const [span] = await raw.sql<{ seconds: number; dispatch: number }[]>`
    SELECT EXTRACT(EPOCH FROM (MAX(completed_at::timestamptz) - MIN(created_at::timestamptz))) AS seconds,
      EXTRACT(EPOCH FROM (MAX(created_at::timestamptz) - MIN(created_at::timestamptz))) AS dispatch
    FROM accounting_sync_logs`;
  // How the drain split between the processes, and how soon each took its first sync.
  const share = await raw.sql<{ claimed_by: string; syncs: number; first: number }[]>`
    SELECT claimed_by, COUNT(*)::int AS syncs,
      EXTRACT(EPOCH FROM (MIN(started_at::timestamptz) -
        (SELECT MIN(created_at::timestamptz) FROM accounting_sync_logs))) AS first
    FROM accounting_sync_logs GROUP BY claimed_by`;
  const perProcess = Array.from({ length: processes }, (_, i) => {
    const mine = share.find((r) => r.claimed_by === workerId(processes, i));
    return { syncs: mine?.syncs ?? 0, firstSyncAfterSeconds: round(Number(mine?.first ?? Number.NaN), 2) };
  });
  const rows = await raw.sql<SyncRow[]>`
    SELECT organization_id, status, records_synced AS synced,
      EXTRACT(EPOCH FROM (completed_at::timestamptz - started_at::timestamptz)) * 1000 AS run_ms,
      EXTRACT(EPOCH FROM (started_at::timestamptz - created_at::timestamptz)) * 1000 AS wait_ms
    FROM accounting_sync_logs`;
  return {
    drainSeconds: Number(span?.seconds ?? Number.NaN),
    dispatchSeconds: Number(span?.dispatch ?? Number.NaN),
    perProcess,
    rows,
  };
}

/** Throws unless every organization synced exactly once and every sync succeeded with all its records. */
function assertExactlyOnce(
  rows: SyncRow[],
  ids: string[],
  organizations: number,
  records: number,
  processes: number,
): void {
  const perOrg = new Map<string, number>();
  for (const r of rows) perOrg.set(r.organization_id, (perOrg.get(r.organization_id) ?? 0) + 1);
  const exactlyOnce = ids.every((id) => perOrg.get(id) === 1);
  const allSucceeded = rows.every((r) => r.status === 'success' && Number(r.synced) === records);
  if (!exactlyOnce || !allSucceeded || rows.length !== organizations) {
    throw new Error(
      `burst with ${processes} process(es): ${rows.length} syncs for ${organizations} organizations, exactly once ${exactlyOnce}, all succeeded ${allSucceeded} (${rows.filter((r) => r.status !== 'success').length} not successful)`,
    );
  }
}

/** Every record in the ledger exactly once: how many were posted twice, and how many not at all. */
function countPostings(emu: RunningEmulators, recordIds: Set<string>) {
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
  const distinct = new Set(expenseLines).size;
  return {
    duplicatePostings: expenseLines.length - distinct,
    missingPostings: Math.max(0, recordIds.size - distinct),
  };
}

/** The ideal drain (the largest of its three lower bounds) from the ledgers' request counts. */
function idealDrain(emu: RunningEmulators, organizations: number, processes: number, profile: BurstProfile) {
  const xl = emu.stats('xledger');
  const bc = emu.stats('dynamics');
  const ledgerRequests = xl.requests + bc.requests;
  const ledgerSeconds = (ledgerRequests * profile.ledgerLatencyMs) / 1000;
  const bcOrganizations = Math.max(1, Math.floor(organizations / 2));
  const xlOrganizations = Math.max(1, organizations - bcOrganizations);
  // The longest sync's ledger time: the larger system's requests per sync × the latency.
  const longestSync =
    (Math.max(bc.requests / bcOrganizations, xl.requests / xlOrganizations) * profile.ledgerLatencyMs) / 1000;
  // The vendor-limit bound: the least time one registration's requests take under the vendor's
  // own limits — its sliding window (Q per W: the first Q at once, each further Q a window
  // later) and its concurrency (M at a time, each taking the latency). Not the gate's pace
  // (0.8 × Q / W, our safety margin): that would lengthen the ideal by our own choice and flatter
  // the efficiency. Xledger publishes no limit, so it has no bound.
  const perRegistration = bc.requests / bcOrganizations;
  const vendorBound = Math.max(
    (Math.ceil(perRegistration / BC_QUOTA.requests) - 1) * BC_QUOTA.windowSeconds,
    (Math.ceil(perRegistration / BC_CONCURRENT) * profile.ledgerLatencyMs) / 1000,
  );
  const concurrencyBound = ledgerSeconds / (processes * profile.concurrency);
  return {
    idealSeconds: Math.max(concurrencyBound, longestSync, vendorBound),
    concurrencyBound,
    longestSync,
    vendorBound,
    ledgerRequests,
    ledgerSeconds,
    throttled: xl.throttled + bc.throttled,
  };
}

async function runBurst(
  organizations: number,
  records: number,
  processes: number,
  profile: BurstProfile,
): Promise<BurstResult> {
  const t = await createTestDatabase('postgres', { poolSize: 4 });
  const emu = await startBurstEmulators(organizations, processes, profile);
  const workers: WorkerProcess[] = [];
  try {
    const raw = t.db.raw;
    if (raw.dialect !== 'postgres') throw new Error('the burst runs on PostgreSQL');
    workers.push(...startFleet(t.url, processes, profile));
    await Promise.all(workers.map((w) => w.ready));
    const { ids, recordIds } = await seedBurst(t.db, emu, organizations, records);
    const drain = await drainBurst(t.db, raw, workers, organizations);
    const audit = await readAudit(raw, processes);
    const { rows } = audit;
    assertExactlyOnce(rows, ids, organizations, records, processes);
    const postings = countPostings(emu, recordIds);
    const wait = summarize(rows.map((r) => Number(r.wait_ms)));
    const run = summarize(rows.map((r) => Number(r.run_ms)));
    const ideal = idealDrain(emu, organizations, processes, profile);
    return {
      processes,
      drainSeconds: round(audit.drainSeconds, 1),
      idealSeconds: round(ideal.idealSeconds, 1),
      bounds: {
        concurrencySeconds: round(ideal.concurrencyBound, 1),
        longestSyncSeconds: round(ideal.longestSync, 2),
        vendorLimitSeconds: round(ideal.vendorBound, 2),
      },
      efficiency: round(ideal.idealSeconds / audit.drainSeconds, 2),
      ledgerRequests: ideal.ledgerRequests,
      ledgerSeconds: round(ideal.ledgerSeconds, 0),
      throttled: ideal.throttled,
      peakRssMiBPerProcess: drain.peakRssMiBPerProcess,
      syncs: rows.length,
      queueWaitMs: { p50: round(wait.p50, 0), p99: round(wait.p99, 0) },
      dispatchSeconds: round(audit.dispatchSeconds, 1),
      runMs: { p50: round(run.p50, 0), p99: round(run.p99, 0) },
      maxActivePerOrganization: drain.maxActive,
      duplicatePostings: postings.duplicatePostings,
      missingPostings: postings.missingPostings,
      cpu: drain.cpu,
      perProcess: audit.perProcess,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await emu.close();
    await t.drop();
  }
}

/** The burst with 1, 2 and 4 worker processes, as benchmark rows (one per run, then the speed-ups). */
export async function runBurstBench(
  organizations: number,
  records: number,
  profile: BurstProfile,
  processCounts: readonly number[] = [1, 2, 4],
): Promise<Row[]> {
  const rows: Row[] = [];
  const runs: BurstResult[] = [];
  for (const processes of processCounts)
    runs.push(await runBurst(organizations, records, processes, profile));
  const clean = (r: BurstResult) =>
    r.syncs === organizations &&
    r.maxActivePerOrganization <= 1 &&
    r.duplicatePostings === 0 &&
    r.missingPostings === 0 &&
    r.throttled === 0;
  const what = `${organizations.toLocaleString('en-US')} schedules due at once, ${records} records each, ledger ${profile.ledgerLatencyMs} ± ${profile.ledgerJitterMs} ms, WORKER_CONCURRENCY ${profile.concurrency} (PostgreSQL + pg-boss)`;
  for (const r of runs) {
    emit(rows, {
      suite: 'burst',
      case: `${what}, ${r.processes} process(es)`,
      size: organizations,
      subject: `drained in ${r.drainSeconds} s (queue wait p50 ${r.queueWaitMs.p50} ms p99 ${r.queueWaitMs.p99} ms, dispatch ${r.dispatchSeconds} s, one sync p50 ${r.runMs.p50} ms), ${r.throttled} throttled, max active per org ${r.maxActivePerOrganization}, peak RSS ${r.peakRssMiBPerProcess.join(' / ')} MiB, syncs per process ${r.perProcess.map((p) => `${p.syncs} (first after ${p.firstSyncAfterSeconds} s)`).join(' / ')}; CPU ${r.cpu.msPerSync} ms a sync (workers ${r.cpu.workerSeconds.join(' / ')} s, emulators ${r.cpu.emulatorSeconds} s, PostgreSQL ${r.cpu.postgresSeconds} s), the burst kept ${r.cpu.burstBusyCores} of ${r.cpu.cores} cores busy, the machine ${r.cpu.machineBusyCores}, load ${r.cpu.load}`,
      baseline: `ideal ${r.idealSeconds} s (${r.ledgerRequests} ledger requests, ${r.ledgerSeconds} s of ledger time)`,
      ratio: r.efficiency,
      target: 'efficiency (ideal ÷ drain) ≥ 0.8; exactly once, never two active, 0 throttled',
      pass: r.efficiency >= 0.8 && clean(r),
      extra: {
        ledgerLatencyMs: profile.ledgerLatencyMs,
        run: { ...r, duplicatePostings: r.duplicatePostings },
      },
    });
  }
  const base = runs.find((r) => r.processes === 1);
  for (const r of runs) {
    if (!base || r === base) continue;
    const target = r.processes === 2 ? 1.7 : r.processes === 4 ? 3 : r.processes * 0.75;
    const speedUp = round(base.drainSeconds / Math.max(r.drainSeconds, 1e-6), 2);
    emit(rows, {
      suite: 'burst',
      case: `${what}: ${r.processes} processes against 1`,
      size: organizations,
      subject: `${r.processes} processes: ${r.drainSeconds} s`,
      baseline: `1 process: ${base.drainSeconds} s`,
      ratio: speedUp,
      target: `speed-up ≥ ${target}×`,
      pass: speedUp >= target,
      extra: { ledgerLatencyMs: profile.ledgerLatencyMs, runs },
    });
  }
  return rows;
}
