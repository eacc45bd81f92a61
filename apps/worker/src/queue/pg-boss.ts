import type { Database } from '@meander/db';
import { isDomainError } from '@meander/domain';
import PgBoss from 'pg-boss';
import { dispatchDueSyncs } from '../dispatcher.js';
import { reapStaleSyncs } from '../reaper.js';
import type { SyncQueue, SyncQueueOptions } from './port.js';

const SYNC_QUEUE = 'meander-sync';
const DEAD_LETTERS = 'meander-sync-dead';
const DISPATCH_QUEUE = 'meander-dispatch';
/** How long an ended sync's job waits to be completed with the others ending meanwhile. */
const COMPLETE_BATCH_MS = 50;
/** How long a sync whose job this process queued is not queued again by it. */
const REFEED_AFTER_MS = 30_000;

interface SyncJob {
  syncLogId: string;
}

/**
 * How long a sync's job stays active before pg-boss gives up on its worker: two stale windows, at
 * least a minute (a successor's first read-back may wait out a reaped write for the 30 s request
 * timeout).
 * A job only carries a sync to its claim; the sync's liveness is its lease (renewed every quarter
 * window, reaped once expired). A killed worker's job therefore expires soon after its sync was
 * reaped, and its retry finds the row terminal and completes as a no-op; a sync running longer
 * than this keeps running under its lease (its job's retry finds it `in_progress`: a no-op too).
 */
function syncJobExpirySeconds(staleAfterSeconds: number): number {
  return Math.max(60, 2 * staleAfterSeconds);
}

/**
 * The distributed queue (PostgreSQL): the dispatcher is a pg-boss schedule, which fires once
 * across every node; pending rows become jobs on a `short` queue keyed by SYNC (at most one queued
 * job per sync), consumed by every node. The database already keeps one active sync per
 * organization and one claim per sync, so a duplicate job is a no-op, never a second run. Keyed by
 * organization on a `stately` queue, a killed worker's job stayed active for hours and swallowed
 * the organization's next sync; and a queued job behind an active one of the same key failed every
 * fetch of a one-job worker (pg-boss activates the oldest job first), starving the whole queue. Retries with backoff and a dead-letter queue are
 * pg-boss's, for infrastructure failures only: a sync that ran has its outcome in
 * accounting_sync_logs, and pg-boss's own tables are never the audit record.
 */
export class PgBossSyncQueue implements SyncQueue {
  readonly kind = 'pg-boss' as const;
  private boss: PgBoss | null = null;
  private feeder: NodeJS.Timeout | null = null;
  private stopping = false;
  private feeding = false;
  private fetcher: NodeJS.Timeout | null = null;
  private pumping = false;
  /** Jobs fetched and not yet completed or failed (their syncs may not have started yet). */
  private handling = 0;
  private idle: (() => void) | null = null;
  /** Jobs whose syncs ended, completed in pg-boss together (see {@link PgBossSyncQueue.completeSoon}). */
  private completions: string[] = [];
  private completing: Promise<void> | null = null;
  /** Syncs whose jobs this process queued, with when (oldest first; see {@link PgBossSyncQueue.notFedRecently}). */
  private readonly fed = new Map<string, number>();

  constructor(private readonly options: SyncQueueOptions & { concurrency: number }) {}

  get running(): number {
    return this.options.slots.running;
  }

  async start(): Promise<void> {
    const { db, logger } = this.options;
    const boss = new PgBoss({
      connectionString: db.url,
      schema: 'pgboss',
      application_name: 'meander-worker',
      max: 4,
    });
    boss.on('error', (error) => logger.error({ err: String(error) }, 'pg-boss error'));
    await boss.start();
    this.boss = boss;
    // Nodes starting together deadlocked inside pg-boss's createQueue (and the loser crashed), so
    // one node at a time declares the queues and the schedule.
    await withSetupLock(db, async () => {
      await ensureQueue(boss, DEAD_LETTERS, { name: DEAD_LETTERS });
      const syncQueue: PgBoss.Queue = {
        name: SYNC_QUEUE,
        policy: 'short',
        retryLimit: 3,
        retryDelay: 5,
        retryBackoff: true,
        deadLetter: DEAD_LETTERS,
        expireInSeconds: syncJobExpirySeconds(this.options.staleAfterSeconds),
      };
      await ensureQueue(boss, SYNC_QUEUE, syncQueue);
      // A queue created by an older version kept a `stately` policy and a six-hour expiry.
      await boss.updateQueue(SYNC_QUEUE, syncQueue);
      await ensureQueue(boss, DISPATCH_QUEUE, { name: DISPATCH_QUEUE, policy: 'singleton' });
      await boss.schedule(DISPATCH_QUEUE, this.options.dispatchCron);
    });
    await boss.work(DISPATCH_QUEUE, { pollingIntervalSeconds: 1 }, async () => this.tick());
    // One fetch loop per process, not one pg-boss worker per slot: a slot each polled on its own
    // (0.5 s, one connection of pg-boss's pool at a time), which kept WORKER_CONCURRENCY at a
    // handful. The loop fetches as many jobs as slots are free in one query, again as soon as a
    // sync ends, and every pollMs while the queue is empty.
    this.fetcher = setInterval(() => void this.pump(), this.options.pollMs);
    this.feeder = setInterval(() => void this.feed(), this.options.pollMs);
    await this.feed();
    await this.pump();
  }

  /** Fetch jobs into the free slots (one query for all of them) until the queue or the slots run out. */
  private async pump(): Promise<void> {
    const boss = this.boss;
    if (this.pumping || this.stopping || !boss) return;
    this.pumping = true;
    try {
      while (!this.stopping) {
        const free = this.options.concurrency - this.handling;
        if (free <= 0) break;
        const jobs = await boss.fetch<SyncJob>(SYNC_QUEUE, { batchSize: free });
        if (jobs.length === 0) break;
        for (const job of jobs) void this.handle(boss, job);
      }
    } catch (error) {
      this.options.logger.error({ err: String(error) }, 'fetching sync jobs failed');
    } finally {
      this.pumping = false;
    }
  }

  /** Run one fetched job, then complete it (or fail it, so pg-boss retries it), then fetch more. */
  private async handle(boss: PgBoss, job: PgBoss.Job<SyncJob>): Promise<void> {
    this.handling += 1;
    try {
      await this.runJob(job.data.syncLogId);
      this.completeSoon(job.id);
    } catch (error) {
      await boss
        .fail(SYNC_QUEUE, job.id, { message: String(error) })
        .catch((e: unknown) => this.options.logger.error({ err: String(e) }, 'failing a sync job failed'));
    } finally {
      this.handling -= 1;
      if (!this.stopping) void this.pump();
      if (this.handling === 0) this.idle?.();
    }
  }

  /**
   * Complete a job whose sync has ended, together with the others ending within
   * {@link COMPLETE_BATCH_MS}: one statement for all of them (one per sync was a round trip and
   * a commit per sync in a burst). The sync's outcome is already in accounting_sync_logs; a job
   * left active by a crash before its completion expires, and its retry finds the row terminal
   * (a no-op), as for any job whose worker died.
   */
  private completeSoon(jobId: string): void {
    this.completions.push(jobId);
    this.completing ??= new Promise<void>((resolve) => setTimeout(resolve, COMPLETE_BATCH_MS)).then(() =>
      this.flushCompletions(),
    );
  }

  private async flushCompletions(): Promise<void> {
    const ids = this.completions;
    this.completions = [];
    this.completing = null;
    if (ids.length === 0 || !this.boss) return;
    await this.boss
      .complete(SYNC_QUEUE, ids)
      .catch((e: unknown) =>
        this.options.logger.error({ err: String(e), jobs: ids.length }, 'completing sync jobs failed'),
      );
  }

  /** Run one job's sync; a row someone else claimed, or that ended, is simply done. */
  private async runJob(syncLogId: string): Promise<void> {
    if (this.stopping) throw new Error('worker is stopping; pg-boss retries the job elsewhere');
    try {
      const sync = await this.options.db.syncLogs.start(syncLogId, {
        workerId: this.options.workerId,
        leaseSeconds: this.options.staleAfterSeconds,
      });
      await this.options.slots.run(sync);
    } catch (error) {
      if (
        isDomainError(error) &&
        ['INVALID_STATUS_TRANSITION', 'RECORD_IMMUTABLE', 'NOT_FOUND'].includes(error.code)
      ) {
        // Already running under another claim, or already ended (reaped after its worker died):
        // this job's work is done.
        this.options.logger.debug({ syncLogId, code: error.code }, 'sync job completed as a no-op');
        return;
      }
      throw error;
    }
  }

  /** Turn pending rows (from the API, the CLI or the dispatcher) into jobs; `short` drops a sync's queued duplicates only. */
  private async feed(): Promise<void> {
    if (this.feeding || this.stopping || !this.boss) return;
    this.feeding = true;
    try {
      const claimable = await this.options.db.syncLogs.listClaimable(200);
      const fresh = this.notFedRecently(claimable);
      // One round trip for the lot (it was one per job: 200 a tick during a burst). The insert
      // goes through the queue's `short` unique index like `send` (ON CONFLICT DO NOTHING): a
      // sync whose job is already queued gets no second one. Keyed by the sync, never by its
      // organization, so one organization's job can never swallow another sync's.
      if (fresh.length > 0) {
        const expireInSeconds = syncJobExpirySeconds(this.options.staleAfterSeconds);
        await this.boss.insert(
          fresh.map((sync) => ({
            name: SYNC_QUEUE,
            data: { syncLogId: sync.id } satisfies SyncJob,
            singletonKey: sync.id,
            expireInSeconds,
          })),
        );
        // Only once queued: a failed insert is tried again at the next poll.
        const now = Date.now();
        for (const sync of fresh) this.fed.set(sync.id, now);
        void this.pump();
      }
    } catch (error) {
      this.options.logger.error({ err: String(error) }, 'feeding pending syncs failed');
    } finally {
      this.feeding = false;
    }
  }

  /**
   * The pending syncs this process has not queued in the last {@link REFEED_AFTER_MS}. During a
   * burst the same oldest 200 pending rows come back every poll until they start: inserting
   * their jobs again (all conflicts) was a 200-row statement every 500 ms on every node. A job
   * queued earlier that ended without starting its sync (dead-lettered) is queued again once its
   * entry is older than that. At most the entries of that window are kept.
   */
  private notFedRecently<T extends { id: string }>(claimable: readonly T[]): T[] {
    const now = Date.now();
    for (const [id, at] of this.fed) {
      if (now - at < REFEED_AFTER_MS) break; // oldest first: the rest are newer
      this.fed.delete(id);
    }
    return claimable.filter((sync) => !this.fed.has(sync.id));
  }

  async tick(options: { since?: Date } = {}): Promise<void> {
    const now = new Date();
    const { db, logger, staleAfterSeconds } = this.options;
    await reapStaleSyncs(db, { now, staleAfterSeconds, logger });
    // The schedule fires once a minute across the cluster; a window a little wider than a minute
    // never misses a slot, and a second look at the same slot (here, or a starting node's
    // catch-up) replays the slot's sync instead of creating another: the dispatcher is idempotent.
    await dispatchDueSyncs(db, { since: options.since ?? new Date(now.getTime() - 90_000), now, logger });
    await this.feed();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.feeder) clearInterval(this.feeder);
    if (this.fetcher) clearInterval(this.fetcher);
    this.options.stopController.abort();
    await this.options.slots.drain();
    // Jobs whose outcome is still being reported to pg-boss.
    if (this.handling > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    await this.completing;
    await this.flushCompletions();
    await this.boss?.stop({ graceful: true, wait: true, timeout: 10_000 });
  }
}

/**
 * Run `setup` while holding a transaction-scoped advisory lock on a connection of our own: the
 * other nodes wait at the lock, and a crash releases it with the connection.
 */
export async function withSetupLock(db: Database, setup: () => Promise<void>): Promise<void> {
  if (db.raw.dialect !== 'postgres') throw new Error('pg-boss needs PostgreSQL');
  await db.raw.sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext('meander-worker:pg-boss-setup'))`;
    await setup();
  });
}

async function ensureQueue(boss: PgBoss, name: string, options: PgBoss.Queue): Promise<void> {
  if (await boss.getQueue(name)) return;
  try {
    await boss.createQueue(name, options);
  } catch (error) {
    // Another node created it between our look and our create.
    if (!(await boss.getQueue(name))) throw error;
  }
}
