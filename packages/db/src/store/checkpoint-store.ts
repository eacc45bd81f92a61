import { type SQL, sql } from 'drizzle-orm';
import type { CheckpointStore, SignedCheckpoint, SigningState } from '../checkpoints/port.js';
import { rethrowAsDomainError } from './constraint-errors.js';
import { all, type Driver, type Row, write } from './driver.js';
import type { Dialect } from './port.js';
import { decodeRow, type SchemaTables, selectColumns, tablesOf } from './schema-rows.js';
import { compileAll, insertValues, p, type Statement, type Values } from './statement.js';

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

/** The store's statements, written once over the dialect's tables (compiled once per store). */
function checkpointStatements(dialect: Dialect) {
  const tables = tablesOf(dialect);
  const a = tables.auditCheckpoints;
  /** `SELECT <columns> FROM logs WHERE <cond> UNION ALL SELECT <columns> FROM tombstones WHERE <cond>`. */
  const links = (columns: (t: Link) => SQL, where: (t: Link) => SQL): SQL =>
    sql.join(
      [tables.accountingSyncLogs, tables.accountingSyncLogDeletions].map((table) => {
        const t = {
          chainSeq: sql`${table.chainSeq}`,
          chainHash: sql`${table.chainHash}`,
          organizationId: sql`${table.organizationId}`,
        };
        return sql`SELECT ${columns(t)} FROM ${table} WHERE ${where(t)}`;
      }),
      sql` UNION ALL `,
    );
  const ofOrganization = (t: Link) => sql`${t.organizationId} = ${p('organizationId')}`;
  return {
    append: sql`INSERT INTO ${a} ${insertValues(a, [
      'organizationId',
      'seq',
      'hash',
      'count',
      'at',
      'signature',
      'publicKey',
      'keyId',
    ])}
      ON CONFLICT DO NOTHING`,
    latest: sql`SELECT ${selectColumns(a)} FROM ${a} WHERE ${a.organizationId} = ${p('organizationId')}
      ORDER BY ${a.seq} DESC, ${a.at} DESC LIMIT 1`,
    head: sql`SELECT "seq", "hash" FROM (${links(
      (t) => sql`${t.chainSeq} AS "seq", ${t.chainHash} AS "hash"`,
      (t) => sql`${ofOrganization(t)} AND ${t.chainSeq} IS NOT NULL`,
    )}) h ORDER BY "seq" DESC LIMIT 1`,
    hashAt: sql`${links(
      (t) => sql`${t.chainHash} AS "hash"`,
      (t) => sql`${ofOrganization(t)} AND ${t.chainSeq} = ${p('seq')}`,
    )} LIMIT 1`,
    countLinks: sql`SELECT COUNT(*) AS "n" FROM (${links(
      () => sql`1 AS "one"`,
      (t) =>
        sql`${ofOrganization(t)} AND ${t.chainSeq} > ${p('afterSeq')} AND ${t.chainSeq} <= ${p('uptoSeq')}`,
    )}) h`,
    // Everything one signing decides on, in one statement (one snapshot on both dialects): the
    // newest checkpoint, the head, the checkpointed link's hash now, and the links after it (all
    // of them when there is no checkpoint yet). It was five reads a seal; the write cycle felt it.
    signingState: sql`WITH "latest" AS (
        SELECT ${selectColumns(a)} FROM ${a} WHERE ${a.organizationId} = ${p('organizationId')}
        ORDER BY ${a.seq} DESC, ${a.at} DESC LIMIT 1
      ), "head" AS (
        SELECT "seq", "hash" FROM (${links(
          (t) => sql`${t.chainSeq} AS "seq", ${t.chainHash} AS "hash"`,
          (t) => sql`${ofOrganization(t)} AND ${t.chainSeq} IS NOT NULL`,
        )}) h ORDER BY "seq" DESC LIMIT 1
      )
      SELECT l.*, h."seq" AS "headSeq", h."hash" AS "headHash",
        (SELECT "hash" FROM (${links(
          (t) => sql`${t.chainHash} AS "hash"`,
          (t) => sql`${ofOrganization(t)} AND ${t.chainSeq} = l."seq"`,
        )}) x LIMIT 1) AS "hashThen",
        (SELECT COUNT(*) FROM (${links(
          () => sql`1 AS "one"`,
          (t) =>
            sql`${ofOrganization(t)} AND ${t.chainSeq} > COALESCE(l."seq", 0) AND ${t.chainSeq} <= h."seq"`,
        )}) x) AS "linksAfter"
      FROM (SELECT 1 AS "one") o LEFT JOIN "latest" l ON 1 = 1 LEFT JOIN "head" h ON 1 = 1`,
    organizationsWithChains: sql`SELECT DISTINCT "organizationId" FROM (${links(
      (t) => sql`${t.organizationId} AS "organizationId"`,
      (t) => sql`${t.chainSeq} IS NOT NULL`,
    )}) h`,
  } satisfies Record<string, SQL>;
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
  private readonly tables: SchemaTables;
  private readonly q: Record<keyof ReturnType<typeof checkpointStatements>, Statement>;

  constructor(private readonly driver: Driver) {
    this.tables = tablesOf(driver.dialect);
    this.q = compileAll(driver.dialect, checkpointStatements(driver.dialect));
  }

  /** Every row of a read; whatever the database refuses leaves as the same typed error on both dialects. */
  private async rows(statement: Statement, values: Values): Promise<Row[]> {
    try {
      return await this.driver.run(all(statement, values));
    } catch (error) {
      rethrowAsDomainError(error);
    }
  }

  async append(c: SignedCheckpoint): Promise<boolean> {
    try {
      return (await this.driver.run(write(this.q.append, { ...c }))) === 1;
    } catch (error) {
      rethrowAsDomainError(error);
    }
  }

  async latest(organizationId: string): Promise<SignedCheckpoint | null> {
    const [row] = await this.rows(this.q.latest, { organizationId });
    return row ? checkpointOf(decodeRow(this.tables.auditCheckpoints, row)) : null;
  }

  async head(organizationId: string): Promise<{ seq: number; hash: string } | null> {
    const [row] = await this.rows(this.q.head, { organizationId });
    return row ? { seq: Number(row.seq), hash: String(row.hash) } : null;
  }

  async hashAt(organizationId: string, seq: number): Promise<string | null> {
    const [row] = await this.rows(this.q.hashAt, { organizationId, seq });
    return row?.hash === null || row?.hash === undefined ? null : String(row.hash);
  }

  async countLinks(organizationId: string, uptoSeq: number, afterSeq = 0): Promise<number> {
    const [row] = await this.rows(this.q.countLinks, { organizationId, uptoSeq, afterSeq });
    return Number(row?.n ?? 0);
  }

  async signingState(organizationId: string): Promise<SigningState> {
    const [row = {}] = await this.rows(this.q.signingState, { organizationId });
    const latest =
      row.organizationId === null || row.organizationId === undefined
        ? null
        : checkpointOf(decodeRow(this.tables.auditCheckpoints, row));
    return {
      latest,
      head:
        row.headSeq === null || row.headSeq === undefined
          ? null
          : { seq: Number(row.headSeq), hash: String(row.headHash) },
      hashThen: row.hashThen === null || row.hashThen === undefined ? null : String(row.hashThen),
      linksAfter: Number(row.linksAfter ?? 0),
    };
  }

  async organizationsWithChains(): Promise<string[]> {
    return (await this.rows(this.q.organizationsWithChains, {})).map((r) => String(r.organizationId));
  }
}
