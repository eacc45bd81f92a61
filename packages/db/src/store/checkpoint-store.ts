import { type SQL, sql } from 'drizzle-orm';
import type { CheckpointStore, SignedCheckpoint } from '../checkpoints/port.js';
import { rethrowAsDomainError } from './constraint-errors.js';
import {
  bare,
  type CompiledStatement,
  decodeRow,
  param,
  type SchemaTables,
  type SqlExecutor,
  selectColumns,
} from './sql-executor.js';

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

/** The store's statements, compiled once per database for its dialect. */
function checkpointStatements(x: SqlExecutor) {
  const a = x.tables.auditCheckpoints;
  /** `SELECT <columns> FROM logs WHERE <cond> UNION ALL SELECT <columns> FROM tombstones WHERE <cond>`. */
  const links = (columns: (t: Link) => SQL, where: (t: Link) => SQL): SQL =>
    sql.join(
      [x.tables.accountingSyncLogs, x.tables.accountingSyncLogDeletions].map((table) => {
        const t = {
          chainSeq: sql`${table.chainSeq}`,
          chainHash: sql`${table.chainHash}`,
          organizationId: sql`${table.organizationId}`,
        };
        return sql`SELECT ${columns(t)} FROM ${table} WHERE ${where(t)}`;
      }),
      sql` UNION ALL `,
    );
  const ofOrganization = (t: Link) => sql`${t.organizationId} = ${param('organizationId')}`;
  return {
    append: x.compile(sql`INSERT INTO ${a} (${bare(a.organizationId)}, ${bare(a.seq)}, ${bare(a.hash)},
      ${bare(a.count)}, ${bare(a.at)}, ${bare(a.signature)}, ${bare(a.publicKey)}, ${bare(a.keyId)})
      VALUES (${param('organizationId')}, ${param('seq')}, ${param('hash')}, ${param('count')}, ${param('at')},
      ${param('signature')}, ${param('publicKey')}, ${param('keyId')})
      ON CONFLICT DO NOTHING`),
    latest:
      x.compile(sql`SELECT ${selectColumns(a)} FROM ${a} WHERE ${a.organizationId} = ${param('organizationId')}
      ORDER BY ${a.seq} DESC, ${a.at} DESC LIMIT 1`),
    head: x.compile(
      sql`SELECT "seq", "hash" FROM (${links(
        (t) => sql`${t.chainSeq} AS "seq", ${t.chainHash} AS "hash"`,
        (t) => sql`${ofOrganization(t)} AND ${t.chainSeq} IS NOT NULL`,
      )}) h ORDER BY "seq" DESC LIMIT 1`,
    ),
    hashAt: x.compile(
      sql`${links(
        (t) => sql`${t.chainHash} AS "hash"`,
        (t) => sql`${ofOrganization(t)} AND ${t.chainSeq} = ${param('seq')}`,
      )} LIMIT 1`,
    ),
    countLinks: x.compile(
      sql`SELECT COUNT(*) AS "n" FROM (${links(
        () => sql`1 AS "one"`,
        (t) => sql`${ofOrganization(t)} AND ${t.chainSeq} <= ${param('uptoSeq')}`,
      )}) h`,
    ),
    organizationsWithChains: x.compile(
      sql`SELECT DISTINCT "organizationId" FROM (${links(
        (t) => sql`${t.organizationId} AS "organizationId"`,
        (t) => sql`${t.chainSeq} IS NOT NULL`,
      )}) h`,
    ),
  };
}

interface Link {
  chainSeq: SQL;
  chainHash: SQL;
  organizationId: SQL;
}

/**
 * The checkpoint log (migration 0004) and the chain facts checkpointing reads, written once over
 * the schema's table objects for both dialects. Append-only: the database refuses UPDATE and
 * DELETE (and TRUNCATE on PostgreSQL). A chain's links are its sealed rows plus the tombstones of
 * deleted ones, so every chain read spans both tables.
 */
export class SqlCheckpointStore implements CheckpointStore {
  private readonly q: ReturnType<typeof checkpointStatements>;

  constructor(private readonly x: SqlExecutor) {
    this.q = checkpointStatements(x);
  }

  private async rows(statement: CompiledStatement, values: Record<string, unknown>) {
    try {
      return await this.x.all([statement, values]);
    } catch (error) {
      rethrowAsDomainError(error);
    }
  }

  async append(c: SignedCheckpoint): Promise<boolean> {
    try {
      return (await this.x.run([this.q.append, { ...c }])) === 1;
    } catch (error) {
      rethrowAsDomainError(error);
    }
  }

  async latest(organizationId: string): Promise<SignedCheckpoint | null> {
    const [row] = await this.rows(this.q.latest, { organizationId });
    return row ? checkpointOf(decodeRow(this.x.tables.auditCheckpoints, row)) : null;
  }

  async head(organizationId: string): Promise<{ seq: number; hash: string } | null> {
    const [row] = await this.rows(this.q.head, { organizationId });
    return row ? { seq: Number(row.seq), hash: String(row.hash) } : null;
  }

  async hashAt(organizationId: string, seq: number): Promise<string | null> {
    const [row] = await this.rows(this.q.hashAt, { organizationId, seq });
    return row?.hash === null || row?.hash === undefined ? null : String(row.hash);
  }

  async countLinks(organizationId: string, uptoSeq: number): Promise<number> {
    const [row] = await this.rows(this.q.countLinks, { organizationId, uptoSeq });
    return Number(row?.n ?? 0);
  }

  async organizationsWithChains(): Promise<string[]> {
    return (await this.rows(this.q.organizationsWithChains, {})).map((r) => String(r.organizationId));
  }
}
