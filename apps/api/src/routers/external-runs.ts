/**
 * Sync logs this API process knows an external runner drives: the ones it recorded through
 * `syncLogs.create`, and the ones a lifecycle call already looked up. The runner of a row is fixed
 * when it is inserted and never changes, so once known it need not be read again: the start and
 * complete of an external runner's sync skip one query each (a round trip on PostgreSQL) while the
 * runner separation still holds. Bounded: the oldest ids are forgotten first, and a forgotten id is
 * simply looked up again.
 */
export class KnownExternalRuns {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  remember(id: string): void {
    if (this.ids.has(id)) return;
    if (this.ids.size >= this.capacity) {
      // A Set iterates in insertion order: its first id is the oldest.
      for (const oldest of this.ids) {
        this.ids.delete(oldest);
        break;
      }
    }
    this.ids.add(id);
  }
}
