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
  /** Run the dispatcher and the reaper once now (tests, `pnpm start`'s first tick). */
  tick(): Promise<void>;
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
