import { rethrowAsDomainError } from './constraint-errors.js';
import type { Database, SyncRunner } from './port.js';

/**
 * Who drives a sync (`worker` or `external`), or null when the row does not exist. The runner is
 * fixed at create and never changes, so a check before a lifecycle call cannot race.
 */
export async function syncRunnerOf(db: Pick<Database, 'raw'>, id: string): Promise<SyncRunner | null> {
  try {
    if (db.raw.dialect === 'sqlite') {
      const row = db.raw.connection.prepare('SELECT runner FROM accounting_sync_logs WHERE id = ?').get(id) as
        | { runner: SyncRunner }
        | undefined;
      return row?.runner ?? null;
    }
    const [row] = await db.raw.sql<{ runner: SyncRunner }[]>`
      SELECT runner FROM accounting_sync_logs WHERE id = ${id}`;
    return row?.runner ?? null;
  } catch (error) {
    rethrowAsDomainError(error);
  }
}
