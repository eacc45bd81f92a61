import type BetterSqlite3 from 'better-sqlite3';
import type { CheckpointStore, SignedCheckpoint } from '../../checkpoints/port.js';
import { type CheckpointRow, checkpointFromRow } from '../checkpoint-row.js';

/** SQLite checkpoint log (migration 0004). Append-only: the database refuses UPDATE and DELETE. */
export class SqliteCheckpointStore implements CheckpointStore {
  constructor(private readonly db: BetterSqlite3.Database) {}

  async append(c: SignedCheckpoint): Promise<boolean> {
    const result = this.db
      .prepare(
        `INSERT INTO audit_checkpoints (organization_id, seq, hash, count, at, signature, public_key, key_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(c.organizationId, c.seq, c.hash, c.count, c.at, c.signature, c.publicKey, c.keyId);
    return result.changes === 1;
  }

  async latest(organizationId: string): Promise<SignedCheckpoint | null> {
    const row = this.db
      .prepare('SELECT * FROM audit_checkpoints WHERE organization_id = ? ORDER BY seq DESC, at DESC LIMIT 1')
      .get(organizationId) as CheckpointRow | undefined;
    return row ? checkpointFromRow(row) : null;
  }

  async head(organizationId: string): Promise<{ seq: number; hash: string } | null> {
    const row = this.db
      .prepare(
        `SELECT chain_seq, chain_hash FROM (
           SELECT chain_seq, chain_hash FROM accounting_sync_logs WHERE organization_id = ? AND chain_seq IS NOT NULL
           UNION ALL
           SELECT chain_seq, chain_hash FROM accounting_sync_log_deletions WHERE organization_id = ? AND chain_seq IS NOT NULL
         ) ORDER BY chain_seq DESC LIMIT 1`,
      )
      .get(organizationId, organizationId) as { chain_seq: number; chain_hash: string } | undefined;
    return row ? { seq: Number(row.chain_seq), hash: row.chain_hash } : null;
  }

  async hashAt(organizationId: string, seq: number): Promise<string | null> {
    const row = this.db
      .prepare(
        `SELECT chain_hash FROM accounting_sync_logs WHERE organization_id = ? AND chain_seq = ?
         UNION ALL
         SELECT chain_hash FROM accounting_sync_log_deletions WHERE organization_id = ? AND chain_seq = ?
         LIMIT 1`,
      )
      .get(organizationId, seq, organizationId, seq) as { chain_hash: string | null } | undefined;
    return row?.chain_hash ?? null;
  }

  async countLinks(organizationId: string, uptoSeq: number): Promise<number> {
    const row = this.db
      .prepare(
        `SELECT (SELECT COUNT(*) FROM accounting_sync_logs WHERE organization_id = ? AND chain_seq <= ?)
              + (SELECT COUNT(*) FROM accounting_sync_log_deletions WHERE organization_id = ? AND chain_seq <= ?) AS n`,
      )
      .get(organizationId, uptoSeq, organizationId, uptoSeq) as { n: number };
    return Number(row.n);
  }

  async organizationsWithChains(): Promise<string[]> {
    const rows = this.db
      .prepare(
        `SELECT DISTINCT organization_id FROM accounting_sync_logs WHERE chain_seq IS NOT NULL
         UNION SELECT DISTINCT organization_id FROM accounting_sync_log_deletions WHERE chain_seq IS NOT NULL`,
      )
      .all() as { organization_id: string }[];
    return rows.map((r) => r.organization_id);
  }
}
