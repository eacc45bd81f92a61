import type { Database } from '@meander/db';
import type { Logger } from '../logger.js';
import type { SyncSlots } from './sync-slots.js';

/**
 * How pending syncs reach a runner: in-process polling (SQLite, one node) or pg-boss (PostgreSQL,
 * many nodes). Either way the audit record lives in accounting_sync_logs; the queue only carries ids.
 */
export interface SyncQueue {
  readonly kind: 'inline' | 'pg-boss';
  start(): Promise<void>;
  /** Stop taking work, let in-flight syncs finish or fail them; resolves when nothing runs. */
  stop(): Promise<void>;
  /**
   * Run the reaper and the dispatcher once now, then hand what was queued to the runners at once.
   * `since` widens the dispatcher's window (a worker's start catches up on what fired while no
   * worker ran); by default it covers the time since the previous tick.
   */
  tick(options?: { since?: Date }): Promise<void>;
  /** Syncs running right now. */
  readonly running: number;
}

/** What either queue needs from the worker that starts it. */
export interface SyncQueueOptions {
  db: Database;
  slots: SyncSlots;
  logger: Logger;
  workerId: string;
  staleAfterSeconds: number;
  pollMs: number;
  dispatchCron: string;
  stopController: AbortController;
}
