import { Cron } from 'croner';
import { dispatchDueSyncs } from '../dispatcher.js';
import { reapStaleSyncs } from '../reaper.js';
import type { SyncQueue, SyncQueueOptions } from './port.js';

/**
 * The in-process queue: croner runs the dispatcher and the reaper (protect: a slow tick is never
 * overlapped by the next), and a poll loop claims pending rows into free slots. Claiming is a
 * conditional update, so several processes on one database still never run one sync twice.
 */
export class InlineSyncQueue implements SyncQueue {
  readonly kind = 'inline' as const;
  private cron: Cron | null = null;
  private poller: NodeJS.Timeout | null = null;
  private stopping = false;
  private lastTick: Date;
  private polling = false;

  constructor(private readonly options: SyncQueueOptions) {
    this.lastTick = new Date();
  }

  get running(): number {
    return this.options.slots.running;
  }

  async start(): Promise<void> {
    this.cron = new Cron(this.options.dispatchCron, { protect: true }, () => this.tick());
    this.poller = setInterval(() => void this.poll(), this.options.pollMs);
    await this.poll();
  }

  async tick(options: { since?: Date } = {}): Promise<void> {
    const now = new Date();
    const since = options.since && options.since < this.lastTick ? options.since : this.lastTick;
    this.lastTick = now;
    const { db, logger, staleAfterSeconds } = this.options;
    try {
      await reapStaleSyncs(db, { now, staleAfterSeconds, logger });
      await dispatchDueSyncs(db, { since, now, logger });
    } catch (error) {
      logger.error({ err: String(error) }, 'dispatcher tick failed');
    }
    await this.poll();
  }

  /** Claim pending syncs while there are free slots. */
  private async poll(): Promise<void> {
    if (this.polling || this.stopping) return;
    this.polling = true;
    try {
      while (!this.stopping && this.options.slots.free > 0) {
        const sync = await this.options.db.syncLogs.claimNextPending(this.options.workerId, {
          leaseSeconds: this.options.staleAfterSeconds,
        });
        if (!sync) break;
        void this.options.slots.run(sync);
      }
    } catch (error) {
      this.options.logger.error({ err: String(error) }, 'claiming pending syncs failed');
    } finally {
      this.polling = false;
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.cron?.stop();
    if (this.poller) clearInterval(this.poller);
    this.options.stopController.abort();
    await this.options.slots.drain();
  }
}
