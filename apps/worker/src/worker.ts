import type { AdapterOptions } from '@meander/accounting';
import {
  Checkpointer,
  type CheckpointSigner,
  type CredentialCipher,
  type Database,
  DEFAULT_SIGNING_BOUND,
  secretBoxFromEnv,
  signingBoundOf,
  withCheckpoints,
} from '@meander/db';
import { heapLimitMiB } from './heap-bound.js';
import { createLogger, type Logger } from './logger.js';
import { InlineSyncQueue } from './queue/inline.js';
import { PgBossSyncQueue, withSetupLock } from './queue/pg-boss.js';
import type { SyncQueue } from './queue/port.js';
import { SyncSlots } from './queue/sync-slots.js';
import { startReaper } from './reaper.js';
import type { RunnerDeps } from './runner.js';
import { PgBossWebhookTransport } from './webhooks/pg-boss-transport.js';
import { WebhookRelay, type WebhookRelayOptions } from './webhooks/relay.js';

/** How to run the worker; every field but `db` has the contract's default. */
export interface WorkerOptions {
  db: Database;
  queue?: 'inline' | 'pg-boss';
  concurrency?: number;
  batchSize?: number;
  staleAfterSeconds?: number;
  workerId?: string;
  logger?: Logger;
  adapterOptions?: AdapterOptions;
  adapterFor?: RunnerDeps['adapterFor'];
  /** When the dispatcher and reaper run (default: every minute). */
  dispatchCron?: string;
  /** How often free slots look for pending syncs (default 500 ms). */
  pollMs?: number;
  /**
   * On start, dispatch schedules that fired in the last N hours while no worker was running
   * (default 24: a missed nightly run catches up; 0 disables).
   */
  catchUpHours?: number;
  /**
   * Webhook delivery (default on, with the development secret key and no allowed private hosts);
   * `false` turns it off for this process.
   */
  webhooks?: Partial<Omit<WebhookRelayOptions, 'db' | 'logger'>> | false;
  /**
   * Signs each organization's chain head after every seal this worker makes (`AUDIT_SIGNING_KEY`).
   * Without one the worker's seals are signed by the next process that signs (the API on its next
   * seal or start).
   */
  signer?: CheckpointSigner;
  /** How long a sealed head may wait for its checkpoint (default 250 ms; 0 signs every seal). */
  checkpointIntervalMs?: number;
  /** Opens the sealed accounting credentials where the adapter is built (`CREDENTIALS_KEY`). */
  credentials?: CredentialCipher;
}

/** A running worker. */
export interface RunningWorker {
  readonly queue: SyncQueue;
  /** The webhook relay, unless turned off. */
  readonly webhooks: WebhookRelay | null;
  /** Run the reaper and the dispatcher now, then claim what is pending. */
  tick(options?: { since?: Date }): Promise<void>;
  /** Stop claiming, let in-flight syncs finish their batch (or fail them), then resolve. */
  stop(): Promise<void>;
}

/** Start the sync worker on an open database. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const logger = options.logger ?? createLogger();
  const checkpointer = options.signer
    ? new Checkpointer(options.db, options.signer, {
        logger,
        bound: signingBoundOf(options.checkpointIntervalMs ?? DEFAULT_SIGNING_BOUND.intervalMs),
      })
    : null;
  const db = checkpointer ? withCheckpoints(options.db, checkpointer) : options.db;
  await checkpointer?.catchUp();
  const staleAfterSeconds = options.staleAfterSeconds ?? 120;
  const concurrency = options.concurrency ?? 4;
  const stopController = new AbortController();
  // Beat several times per stale window so one slow beat never gets a live sync reaped.
  const heartbeatMs = Math.max(200, Math.floor((staleAfterSeconds * 1000) / 4));
  const slots = new SyncSlots(concurrency, {
    db,
    logger,
    batchSize: options.batchSize ?? 100,
    heartbeatMs,
    // A claim's lease lasts one stale window; each beat renews it (see README "The lease").
    leaseSeconds: staleAfterSeconds,
    adapterOptions: options.adapterOptions,
    adapterFor: options.adapterFor,
    credentials: options.credentials,
    stopSignal: stopController.signal,
  });
  const common = {
    db,
    slots,
    logger,
    workerId: options.workerId ?? `worker:${process.pid}`,
    staleAfterSeconds,
    pollMs: options.pollMs ?? 500,
    dispatchCron: options.dispatchCron ?? '* * * * *',
    stopController,
  };
  const kind = options.queue ?? (db.dialect === 'postgres' ? 'pg-boss' : 'inline');
  if (kind === 'pg-boss' && db.dialect !== 'postgres') {
    throw new Error('SYNC_QUEUE=pg-boss needs a PostgreSQL DATABASE_URL');
  }
  const queue: SyncQueue =
    kind === 'pg-boss' ? new PgBossSyncQueue({ ...common, concurrency }) : new InlineSyncQueue(common);
  await queue.start();
  const reaper = startReaper(db, { staleAfterSeconds, everyMs: heartbeatMs, logger });
  const relay =
    options.webhooks === false
      ? null
      : new WebhookRelay({
          db: options.db,
          logger,
          box: options.webhooks?.box ?? secretBoxFromEnv(undefined, false),
          // The product's queue: pg-boss where the syncs use it, this process's loop otherwise.
          transport:
            kind === 'pg-boss'
              ? new PgBossWebhookTransport(options.db.url, logger, (setup) =>
                  withSetupLock(options.db, setup),
                )
              : null,
          ...options.webhooks,
        });
  await relay?.start();
  // Dispatch on start, on either queue, instead of waiting for the first cron tick (up to a minute
  // inline, longer for pg-boss's cron evaluation): a node that starts works within seconds. Every
  // node starting does this; the dispatcher is idempotent per schedule slot, so a firing still
  // yields one sync across the cluster.
  const catchUpHours = options.catchUpHours ?? 24;
  if (catchUpHours > 0) {
    await queue.tick({ since: new Date(Date.now() - catchUpHours * 3_600_000) });
  }
  logger.info(
    { queue: kind, concurrency, workerId: common.workerId, heapLimitMiB: heapLimitMiB() },
    'worker started',
  );
  let stopped: Promise<void> | null = null;
  return {
    queue,
    webhooks: relay,
    tick: (tickOptions) => queue.tick(tickOptions),
    stop() {
      reaper.stop();
      stopped ??= Promise.all([queue.stop(), relay?.stop()]).then(async () => {
        await checkpointer?.close();
        logger.info('worker stopped');
      });
      return stopped;
    },
  };
}
