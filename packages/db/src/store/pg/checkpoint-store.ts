import type postgres from 'postgres';
import type { CheckpointStore, SignedCheckpoint } from '../../checkpoints/port.js';
import { type CheckpointRow, checkpointFromRow } from '../checkpoint-row.js';
import { rethrowAsDomainError } from '../constraint-errors.js';

/** PostgreSQL checkpoint log (migration 0004). Append-only: the database refuses UPDATE, DELETE, TRUNCATE. */
export class PgCheckpointStore implements CheckpointStore {
  constructor(private readonly sql: postgres.Sql) {}

  private async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      rethrowAsDomainError(error);
    }
  }

  append(c: SignedCheckpoint): Promise<boolean> {
    return this.run(async () => {
      const result = await this.sql`
        INSERT INTO audit_checkpoints (organization_id, seq, hash, count, at, signature, public_key, key_id)
        VALUES (${c.organizationId}, ${c.seq}, ${c.hash}, ${c.count}, ${c.at}, ${c.signature}, ${c.publicKey}, ${c.keyId})
        ON CONFLICT DO NOTHING`;
      return result.count === 1;
    });
  }

  latest(organizationId: string): Promise<SignedCheckpoint | null> {
    return this.run(async () => {
      const [row] = await this.sql<CheckpointRow[]>`
        SELECT * FROM audit_checkpoints WHERE organization_id = ${organizationId}
        ORDER BY seq DESC, at DESC LIMIT 1`;
      return row ? checkpointFromRow(row) : null;
    });
  }

  head(organizationId: string): Promise<{ seq: number; hash: string } | null> {
    return this.run(async () => {
      const [row] = await this.sql<{ chain_seq: number; chain_hash: string }[]>`
        SELECT chain_seq, chain_hash FROM (
          SELECT chain_seq, chain_hash FROM accounting_sync_logs WHERE organization_id = ${organizationId} AND chain_seq IS NOT NULL
          UNION ALL
          SELECT chain_seq, chain_hash FROM accounting_sync_log_deletions WHERE organization_id = ${organizationId} AND chain_seq IS NOT NULL
        ) h ORDER BY chain_seq DESC LIMIT 1`;
      return row ? { seq: Number(row.chain_seq), hash: row.chain_hash } : null;
    });
  }

  hashAt(organizationId: string, seq: number): Promise<string | null> {
    return this.run(async () => {
      const [row] = await this.sql<{ chain_hash: string | null }[]>`
        SELECT chain_hash FROM accounting_sync_logs WHERE organization_id = ${organizationId} AND chain_seq = ${seq}
        UNION ALL
        SELECT chain_hash FROM accounting_sync_log_deletions WHERE organization_id = ${organizationId} AND chain_seq = ${seq}
        LIMIT 1`;
      return row?.chain_hash ?? null;
    });
  }

  countLinks(organizationId: string, uptoSeq: number): Promise<number> {
    return this.run(async () => {
      const [row] = await this.sql<{ n: number }[]>`
        SELECT (SELECT COUNT(*) FROM accounting_sync_logs WHERE organization_id = ${organizationId} AND chain_seq <= ${uptoSeq})
             + (SELECT COUNT(*) FROM accounting_sync_log_deletions WHERE organization_id = ${organizationId} AND chain_seq <= ${uptoSeq}) AS n`;
      return Number(row?.n ?? 0);
    });
  }

  organizationsWithChains(): Promise<string[]> {
    return this.run(async () => {
      const rows = await this.sql<{ organization_id: string }[]>`
        SELECT DISTINCT organization_id FROM accounting_sync_logs WHERE chain_seq IS NOT NULL
        UNION SELECT DISTINCT organization_id FROM accounting_sync_log_deletions WHERE chain_seq IS NOT NULL`;
      return rows.map((r) => r.organization_id);
    });
  }
}
