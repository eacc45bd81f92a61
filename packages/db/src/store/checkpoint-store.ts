import { type SQL, sql } from 'drizzle-orm';
import type { CheckpointStore, SignedCheckpoint } from '../checkpoints/port.js';
import { rethrowAsDomainError } from './constraint-errors.js';
import { bare, decodeRow, type SchemaTables, type SqlExecutor, selectColumns } from './sql-executor.js';

type CheckpointRow = SchemaTables['auditCheckpoints']['$inferSelect'];

function checkpointOf(row: CheckpointRow): SignedCheckpoint {
  return {
    organizationId: row.organizationId,
    seq: row.seq,
    hash: row.hash,
    count: row.count,
    at: row.at,
    signature: row.signature,
    publicKey: row.publicKey,
    keyId: row.keyId,
  };
}

/**
 * The checkpoint log (migration 0004) and the chain facts checkpointing reads, written once over
 * the schema's table objects for both dialects. Append-only: the database refuses UPDATE and
 * DELETE (and TRUNCATE on PostgreSQL). A chain's links are its sealed rows plus the tombstones of
 * deleted ones, so every chain read spans both tables.
 */
export class SqlCheckpointStore implements CheckpointStore {
  constructor(private readonly x: SqlExecutor) {}

  private async rows(query: SQL): Promise<Record<string, unknown>[]> {
    try {
      return await this.x.all(query);
    } catch (error) {
      rethrowAsDomainError(error);
    }
  }

  /** `SELECT <columns> FROM logs WHERE <cond> UNION ALL SELECT <columns> FROM tombstones WHERE <cond>`. */
  private links(
    columns: (t: { chainSeq: SQL; chainHash: SQL; organizationId: SQL }) => SQL,
    where: (t: { chainSeq: SQL; organizationId: SQL }) => SQL,
  ): SQL {
    const parts = [this.x.tables.accountingSyncLogs, this.x.tables.accountingSyncLogDeletions].map(
      (table) => {
        const t = {
          chainSeq: sql`${table.chainSeq}`,
          chainHash: sql`${table.chainHash}`,
          organizationId: sql`${table.organizationId}`,
        };
        return sql`SELECT ${columns(t)} FROM ${table} WHERE ${where(t)}`;
      },
    );
    return sql.join(parts, sql` UNION ALL `);
  }

  async append(c: SignedCheckpoint): Promise<boolean> {
    const a = this.x.tables.auditCheckpoints;
    try {
      const changed = await this.x.run(sql`INSERT INTO ${a} (${bare(a.organizationId)}, ${bare(a.seq)},
        ${bare(a.hash)}, ${bare(a.count)}, ${bare(a.at)}, ${bare(a.signature)}, ${bare(a.publicKey)}, ${bare(a.keyId)})
        VALUES (${c.organizationId}, ${c.seq}, ${c.hash}, ${c.count}, ${c.at}, ${c.signature}, ${c.publicKey}, ${c.keyId})
        ON CONFLICT DO NOTHING`);
      return changed === 1;
    } catch (error) {
      rethrowAsDomainError(error);
    }
  }

  async latest(organizationId: string): Promise<SignedCheckpoint | null> {
    const a = this.x.tables.auditCheckpoints;
    const [row] = await this.rows(sql`SELECT ${selectColumns(a)} FROM ${a}
      WHERE ${a.organizationId} = ${organizationId} ORDER BY ${a.seq} DESC, ${a.at} DESC LIMIT 1`);
    return row ? checkpointOf(decodeRow(a, row)) : null;
  }

  async head(organizationId: string): Promise<{ seq: number; hash: string } | null> {
    const links = this.links(
      (t) => sql`${t.chainSeq} AS "seq", ${t.chainHash} AS "hash"`,
      (t) => sql`${t.organizationId} = ${organizationId} AND ${t.chainSeq} IS NOT NULL`,
    );
    const [row] = await this.rows(sql`SELECT "seq", "hash" FROM (${links}) h ORDER BY "seq" DESC LIMIT 1`);
    return row ? { seq: Number(row.seq), hash: String(row.hash) } : null;
  }

  async hashAt(organizationId: string, seq: number): Promise<string | null> {
    const links = this.links(
      (t) => sql`${t.chainHash} AS "hash"`,
      (t) => sql`${t.organizationId} = ${organizationId} AND ${t.chainSeq} = ${seq}`,
    );
    const [row] = await this.rows(sql`${links} LIMIT 1`);
    return row?.hash === null || row?.hash === undefined ? null : String(row.hash);
  }

  async countLinks(organizationId: string, uptoSeq: number): Promise<number> {
    const links = this.links(
      () => sql`1 AS "one"`,
      (t) => sql`${t.organizationId} = ${organizationId} AND ${t.chainSeq} <= ${uptoSeq}`,
    );
    const [row] = await this.rows(sql`SELECT COUNT(*) AS "n" FROM (${links}) h`);
    return Number(row?.n ?? 0);
  }

  async organizationsWithChains(): Promise<string[]> {
    const links = this.links(
      (t) => sql`${t.organizationId} AS "organizationId"`,
      (t) => sql`${t.chainSeq} IS NOT NULL`,
    );
    const rows = await this.rows(sql`SELECT DISTINCT "organizationId" FROM (${links}) h`);
    return rows.map((r) => String(r.organizationId));
  }
}
