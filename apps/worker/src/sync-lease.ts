import type { Database } from '@meander/db';
import { DomainError, isDomainError } from '@meander/domain';
import type { Logger } from './logger.js';

/** What holding one sync's lease needs. */
export interface LeaseOptions {
  db: Database;
  log: Logger;
  /** How long each renewal holds the lease (the worker's `SYNC_STALE_AFTER_SECONDS`). */
  leaseSeconds: number;
  /** How often the lease is renewed (well under `leaseSeconds`). */
  renewEveryMs: number;
  now?: () => Date;
}

/**
 * This runner's hold on one sync attempt: the epoch its claim took, renewed by a heartbeat. It
 * proves the hold in the database before every ledger write ({@link HeldLease.assert}); once the
 * hold is lost (the reaper ended the row, a later epoch exists, or the lease ran out) `signal`
 * aborts, so requests in flight are cancelled, and every later `assert` throws `LEASE_LOST`.
 */
export class HeldLease {
  private readonly controller = new AbortController();
  private lostError: DomainError | null = null;
  private readonly timer: NodeJS.Timeout;
  private renewing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly syncLogId: string,
    readonly epoch: number,
    private readonly options: LeaseOptions,
  ) {
    this.timer = setInterval(() => {
      this.renewing = this.renew();
    }, options.renewEveryMs);
    this.timer.unref();
  }

  /** The lease this process's claim of `syncLogId` took; `LEASE_LOST` when the row holds none any more. */
  static async hold(syncLogId: string, options: LeaseOptions): Promise<HeldLease> {
    const lease = await options.db.syncLogs.leaseOf(syncLogId);
    if (!lease)
      throw new DomainError('LEASE_LOST', `Sync ${syncLogId} holds no lease: it is no longer in progress`);
    return new HeldLease(syncLogId, lease.epoch, options);
  }

  /** Aborted when the lease is lost; goes into every request of the sync. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The `LEASE_LOST` error once the lease is known lost, else null. */
  get lost(): DomainError | null {
    return this.lostError;
  }

  /** Resolve only while this runner still holds the lease (the fencing check before a ledger write). */
  readonly assert = async (): Promise<void> => {
    if (this.lostError) throw this.lostError;
    try {
      await this.options.db.syncLogs.assertLease(this.syncLogId, this.epoch, this.nowIso());
    } catch (error) {
      if (isDomainError(error) && error.code === 'LEASE_LOST') this.lose(error);
      throw error;
    }
  };

  /** Stop renewing (the sync ended, or this runner stopped). */
  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
  }

  private async renew(): Promise<void> {
    if (this.lostError) return;
    try {
      await this.options.db.syncLogs.renewLease(this.syncLogId, this.epoch, {
        now: this.nowIso(),
        leaseSeconds: this.options.leaseSeconds,
      });
    } catch (error) {
      if (isDomainError(error) && error.code === 'LEASE_LOST') {
        this.lose(error);
        return;
      }
      // The database did not answer: the lease runs on until it expires, and the check before
      // the next write decides then.
      this.options.log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'lease renewal failed',
      );
    }
  }

  private lose(error: DomainError): void {
    if (this.lostError) return;
    this.lostError = error;
    clearInterval(this.timer);
    this.options.log.warn(
      { epoch: this.epoch, leaseLost: true, reason: error.message },
      'sync lease lost; stopping',
    );
    this.controller.abort(error);
  }

  private nowIso(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }
}
