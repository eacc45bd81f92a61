/**
 * Ledger answers a pre-flight keeps for one sync only. Held per adapter instance, but never past
 * the sync it was read for: a call for another sync, or one naming none, starts from nothing, so
 * an adapter that outlives a run (or serves a preview) never plans with another run's reads.
 */
export class SyncScopedReads<T> {
  private current: { syncLogId: string; reads: T } | undefined;

  constructor(private readonly fresh: () => T) {}

  for(syncLogId: string | undefined): T {
    if (syncLogId === undefined) return this.fresh();
    if (this.current?.syncLogId !== syncLogId) this.current = { syncLogId, reads: this.fresh() };
    return this.current.reads;
  }
}
