import type { SyncLog } from '@meander/domain';
import { type RunnerDeps, runSync } from '../runner.js';

/** Runs claimed syncs under a concurrency limit and knows when they have all finished. */
export class SyncSlots {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly limit: number,
    private readonly deps: RunnerDeps,
  ) {}

  get running(): number {
    return this.inFlight.size;
  }

  get free(): number {
    return Math.max(0, this.limit - this.inFlight.size);
  }

  /** Run `sync` (already claimed) and resolve with its outcome. */
  run(sync: SyncLog): Promise<unknown> {
    const p = runSync(this.deps, sync).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
    return p;
  }

  /** Resolves once every sync in flight has reached a terminal state. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
