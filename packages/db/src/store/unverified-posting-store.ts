import { randomUUID } from 'node:crypto';
import {
  ACCOUNTING_SYSTEMS,
  type AccountingSystem,
  type IsoDateTime,
  isoDateTimeSchema,
  parseCommand,
  recordIdSchema,
  UNVERIFIED_RESOLUTIONS,
  type UnverifiedPostingsSummary,
  type UnverifiedResolution,
  uuidSchema,
} from '@meander/domain';
import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { rethrowAsDomainError } from './constraint-errors.js';
import { all, type Driver, type Program, write } from './driver.js';
import type { Dialect } from './port.js';
import { bare, decodeRow, type SchemaTables, selectColumns, tablesOf } from './schema-rows.js';
import { compileAll, insertValues, p, type Statement, type Values } from './statement.js';

/** One posting the ledger accepted but no read-back found, open or resolved. */
export interface UnverifiedPosting {
  id: string;
  organizationId: string;
  accountingSystem: AccountingSystem;
  recordId: string;
  /** The sync that first reported it. */
  syncLogId: string;
  /** The sync that last reported it. */
  lastSyncLogId: string;
  code: string;
  reason: string;
  firstSeenAt: IsoDateTime;
  lastSeenAt: IsoDateTime;
  resolvedAt: IsoDateTime | null;
  resolution: UnverifiedResolution | null;
  /** Who confirmed it not posted (an operator's user id); null when a read-back found it. */
  resolvedBy: string | null;
  /** The sync that found it, or the re-sync that carried the operator's confirmation. */
  resolvedSyncLogId: string | null;
}

/** The open unverified postings of one organization and system (health, monitoring). */
export interface OpenUnverifiedSummary extends UnverifiedPostingsSummary {
  organizationId: string;
  accountingSystem: AccountingSystem;
}

/**
 * The unverified postings: remembered until a read-back finds them or an operator confirms they
 * are not in the ledger, so no later sync posts them on its own. The database holds one open row
 * per organization and record, a resolution only with its time, and a resolved row unchanged.
 */
export interface UnverifiedPostingStore {
  /**
   * Remember postings a sync could not verify (idempotent: a record already open is seen again,
   * its last sight and reason updated, never a second row). Returns how many were new.
   */
  record(input: {
    organizationId: string;
    accountingSystem: AccountingSystem;
    syncLogId: string;
    postings: readonly { recordId: string; code: string; reason: string }[];
    now?: IsoDateTime;
  }): Promise<number>;
  /** The open rows among `recordIds` (any number; asked in pages). */
  listOpen(organizationId: string, recordIds: readonly string[]): Promise<UnverifiedPosting[]>;
  /** The open rows a sync reported (first or last): a failed sync's failure list may not name them. */
  listOpenReportedBy(organizationId: string, syncLogId: string): Promise<UnverifiedPosting[]>;
  /** A read-back found them in the ledger during `syncLogId`. Returns how many were open. */
  resolveFound(input: {
    organizationId: string;
    recordIds: readonly string[];
    syncLogId: string;
    now?: IsoDateTime;
  }): Promise<number>;
  /** An operator (`confirmedBy`) confirmed them not in the ledger; `syncLogId` is the re-sync that sends them. */
  resolveConfirmed(input: {
    organizationId: string;
    recordIds: readonly string[];
    confirmedBy: string;
    syncLogId: string;
    now?: IsoDateTime;
  }): Promise<number>;
  /** Open counts per organization and system (all organizations, or one). */
  summarizeOpen(organizationId?: string): Promise<OpenUnverifiedSummary[]>;
  /** Every row of one record, open and resolved, oldest first (the audit trail). */
  history(organizationId: string, recordId: string): Promise<UnverifiedPosting[]>;
}

/** Ids per statement: a bound list, never a statement text that varies with its length. */
const PAGE = 500;

const ids = z.array(recordIdSchema).max(100_000);
const recordSchema = z.strictObject({
  organizationId: uuidSchema,
  accountingSystem: z.enum(ACCOUNTING_SYSTEMS),
  syncLogId: uuidSchema,
  postings: z
    .array(
      z.strictObject({
        recordId: recordIdSchema,
        code: z.string().min(1).max(120),
        reason: z.string().max(1_000),
      }),
    )
    .max(100_000),
  now: isoDateTimeSchema.optional(),
});
const resolveFoundSchema = z.strictObject({
  organizationId: uuidSchema,
  recordIds: ids,
  syncLogId: uuidSchema,
  now: isoDateTimeSchema.optional(),
});
const resolveConfirmedSchema = resolveFoundSchema.extend({ confirmedBy: uuidSchema });
const listOpenSchema = z.strictObject({ organizationId: uuidSchema, recordIds: ids });
const optionalOrganization = uuidSchema.optional();
const reportedBySchema = z.strictObject({ organizationId: uuidSchema, syncLogId: uuidSchema });
const historySchema = z.strictObject({ organizationId: uuidSchema, recordId: recordIdSchema });

/**
 * What differs per dialect: matching a column against a bound list of ids. PostgreSQL binds the
 * array itself (`= ANY`); SQLite binds no arrays, so the driver sends it as JSON text and
 * `json_each` reads it back. Either way one statement text serves every list.
 */
const IN_LIST = {
  sqlite: (column: SQL, name: string) => sql`${column} IN (SELECT value FROM json_each(${p(name)}))`,
  postgres: (column: SQL, name: string) => sql`${column} = ANY(${p(name)})`,
} satisfies Record<Dialect, (column: SQL, name: string) => SQL>;

/** The store's statements, written once over the dialect's table (compiled once per store). */
function unverifiedStatements(dialect: Dialect) {
  const u = tablesOf(dialect).unverifiedPostings;
  const inList = (name: string) => IN_LIST[dialect](sql`${u.recordId}`, name);
  const open = sql`${u.organizationId} = ${p('organizationId')} AND ${u.resolvedAt} IS NULL`;
  // Per organization and system: the open count, the first and latest sighting, and the sync of
  // the latest sighting (a correlated probe on the partial unique index's organization prefix).
  const x = (column: keyof typeof u._.columns) => sql`x.${bare(u[column])}`;
  const summary = (scope: SQL) => sql`SELECT g."organizationId", g."accountingSystem", g."count",
      g."firstSeenAt", g."lastSeenAt",
      (SELECT ${x('lastSyncLogId')} FROM ${u} x WHERE ${x('organizationId')} = g."organizationId"
        AND ${x('accountingSystem')} = g."accountingSystem" AND ${x('resolvedAt')} IS NULL
        ORDER BY ${x('lastSeenAt')} DESC, ${x('id')} DESC LIMIT 1) AS "lastSyncLogId"
    FROM (SELECT ${u.organizationId} AS "organizationId", ${u.accountingSystem} AS "accountingSystem",
        COUNT(*) AS "count", MIN(${u.firstSeenAt}) AS "firstSeenAt", MAX(${u.lastSeenAt}) AS "lastSeenAt"
      FROM ${u} WHERE ${u.resolvedAt} IS NULL AND ${scope}
      GROUP BY ${u.organizationId}, ${u.accountingSystem}) g
    ORDER BY g."organizationId", g."accountingSystem"`;
  return {
    // A record already open is seen again: the partial unique index is the conflict target, so
    // two recorders at once still leave one open row.
    record: sql`INSERT INTO ${u} ${insertValues(u, [
      'id',
      'organizationId',
      'accountingSystem',
      'recordId',
      'syncLogId',
      'lastSyncLogId',
      'code',
      'reason',
      'firstSeenAt',
      'lastSeenAt',
    ])}
      ON CONFLICT (${bare(u.organizationId)}, ${bare(u.recordId)}) WHERE resolved_at IS NULL
      DO UPDATE SET ${bare(u.lastSyncLogId)} = ${p('lastSyncLogId')}, ${bare(u.code)} = ${p('code')},
        ${bare(u.reason)} = ${p('reason')},
        ${bare(u.lastSeenAt)} = CASE WHEN ${u.firstSeenAt} > ${p('lastSeenAt')} THEN ${u.firstSeenAt}
          ELSE ${p('lastSeenAt')} END`,
    listOpen: sql`SELECT ${selectColumns(u)} FROM ${u} WHERE ${open} AND ${inList('recordIds')}
      ORDER BY ${u.recordId}`,
    // Never before it was first seen (a clock behind the recorder's): the CHECK would refuse it.
    resolve: sql`UPDATE ${u} SET ${bare(u.resolution)} = ${p('resolution')},
        ${bare(u.resolvedBy)} = ${p('resolvedBy')}, ${bare(u.resolvedSyncLogId)} = ${p('resolvedSyncLogId')},
        ${bare(u.resolvedAt)} = CASE WHEN ${bare(u.firstSeenAt)} > ${p('now')} THEN ${bare(u.firstSeenAt)}
          ELSE ${p('now')} END
      WHERE ${open} AND ${inList('recordIds')}`,
    summaryOf: summary(sql`${u.organizationId} = ${p('organizationId')}`),
    summaryAll: summary(sql`1 = 1`),
    openReportedBy: sql`SELECT ${selectColumns(u)} FROM ${u} WHERE ${open}
      AND (${u.syncLogId} = ${p('syncLogId')} OR ${u.lastSyncLogId} = ${p('syncLogId')})
      ORDER BY ${u.recordId} LIMIT 10000`,
    history: sql`SELECT ${selectColumns(u)} FROM ${u}
      WHERE ${u.organizationId} = ${p('organizationId')} AND ${u.recordId} = ${p('recordId')}
      ORDER BY ${u.firstSeenAt}, ${u.id}`,
  } satisfies Record<string, SQL>;
}

type Row = SchemaTables['unverifiedPostings']['$inferSelect'];

const resolutionSchema = z.enum(UNVERIFIED_RESOLUTIONS);
const systemSchema = z.enum(ACCOUNTING_SYSTEMS);

/** Enum columns are checked against the domain's lists (the CHECKs hold the same), failing loudly. */
function postingOf(r: Row): UnverifiedPosting {
  const system = systemSchema.safeParse(r.accountingSystem);
  if (!system.success) throw new Error(`Unexpected value in unverified_postings.accounting_system`);
  const resolution = r.resolution === null ? null : resolutionSchema.safeParse(r.resolution);
  if (resolution && !resolution.success)
    throw new Error(`Unexpected value in unverified_postings.resolution`);
  return {
    id: r.id,
    organizationId: r.organizationId,
    accountingSystem: system.data,
    recordId: r.recordId,
    syncLogId: r.syncLogId,
    lastSyncLogId: r.lastSyncLogId,
    code: r.code,
    reason: r.reason,
    firstSeenAt: r.firstSeenAt,
    lastSeenAt: r.lastSeenAt,
    resolvedAt: r.resolvedAt,
    resolution: resolution ? resolution.data : null,
    resolvedBy: r.resolvedBy,
    resolvedSyncLogId: r.resolvedSyncLogId,
  };
}

/** PostgreSQL reads timestamps back as Dates, SQLite as the ISO text it stores. */
const iso = (value: unknown): IsoDateTime =>
  value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();

function pages<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += PAGE) out.push(items.slice(i, i + PAGE));
  return out;
}

/**
 * The unverified postings, written once for both dialects on the one query layer: statements
 * compiled once, run by the database's driver; only the id-list match differs (see IN_LIST).
 */
export class SqlUnverifiedPostingStore implements UnverifiedPostingStore {
  private readonly tables: SchemaTables;
  private readonly q: Record<keyof ReturnType<typeof unverifiedStatements>, Statement>;

  constructor(private readonly driver: Driver) {
    this.tables = tablesOf(driver.dialect);
    this.q = compileAll(driver.dialect, unverifiedStatements(driver.dialect));
  }

  private async rows(statement: Statement, values: Values): Promise<Record<string, unknown>[]> {
    try {
      return await this.driver.run(all(statement, values));
    } catch (error) {
      rethrowAsDomainError(error);
    }
  }

  private async transaction<T>(program: () => Program<T>): Promise<T> {
    try {
      return await this.driver.transaction(program);
    } catch (error) {
      rethrowAsDomainError(error);
    }
  }

  async record(input: Parameters<UnverifiedPostingStore['record']>[0]): Promise<number> {
    const command = parseCommand(recordSchema, input);
    const now = command.now ?? new Date().toISOString();
    const q = this.q;
    // One statement per posting in one transaction: the upsert tells a new row (1) from a record
    // seen again, and the partial unique index settles two recorders at once.
    const before = await this.listOpen(
      command.organizationId,
      command.postings.map((posting) => posting.recordId),
    );
    // In record order, so two recorders of overlapping sets wait on each other instead of deadlocking.
    const postings = [...command.postings].sort((a, b) =>
      a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0,
    );
    await this.transaction(function* (): Program<void> {
      for (const posting of postings) {
        yield* write(q.record, {
          id: randomUUID(),
          organizationId: command.organizationId,
          accountingSystem: command.accountingSystem,
          recordId: posting.recordId,
          syncLogId: command.syncLogId,
          lastSyncLogId: command.syncLogId,
          code: posting.code,
          reason: posting.reason,
          firstSeenAt: now,
          lastSeenAt: now,
        });
      }
    });
    return new Set(command.postings.map((posting) => posting.recordId)).size - before.length;
  }

  async listOpen(organizationId: string, recordIds: readonly string[]): Promise<UnverifiedPosting[]> {
    const command = parseCommand(listOpenSchema, { organizationId, recordIds: [...recordIds] });
    const u = this.tables.unverifiedPostings;
    const out: UnverifiedPosting[] = [];
    for (const page of pages([...new Set(command.recordIds)])) {
      const rows = await this.rows(this.q.listOpen, {
        organizationId: command.organizationId,
        recordIds: page,
      });
      out.push(...rows.map((r) => postingOf(decodeRow(u, r))));
    }
    return out;
  }

  async listOpenReportedBy(organizationId: string, syncLogId: string): Promise<UnverifiedPosting[]> {
    const command = parseCommand(reportedBySchema, { organizationId, syncLogId });
    const u = this.tables.unverifiedPostings;
    return (await this.rows(this.q.openReportedBy, command)).map((r) => postingOf(decodeRow(u, r)));
  }

  async resolveFound(input: Parameters<UnverifiedPostingStore['resolveFound']>[0]): Promise<number> {
    const command = parseCommand(resolveFoundSchema, input);
    return this.resolve(command, { resolution: 'found', resolvedBy: null });
  }

  async resolveConfirmed(input: Parameters<UnverifiedPostingStore['resolveConfirmed']>[0]): Promise<number> {
    const command = parseCommand(resolveConfirmedSchema, input);
    return this.resolve(command, { resolution: 'confirmed_unposted', resolvedBy: command.confirmedBy });
  }

  private async resolve(
    command: z.output<typeof resolveFoundSchema>,
    how: { resolution: UnverifiedResolution; resolvedBy: string | null },
  ): Promise<number> {
    const now = command.now ?? new Date().toISOString();
    const q = this.q;
    const batches = pages([...new Set(command.recordIds)]);
    return this.transaction(function* (): Program<number> {
      let resolved = 0;
      for (const recordIds of batches) {
        resolved += yield* write(q.resolve, {
          organizationId: command.organizationId,
          recordIds,
          resolution: how.resolution,
          resolvedBy: how.resolvedBy,
          resolvedSyncLogId: command.syncLogId,
          now,
        });
      }
      return resolved;
    });
  }

  async summarizeOpen(organizationId?: string): Promise<OpenUnverifiedSummary[]> {
    const scoped = parseCommand(optionalOrganization, organizationId);
    const counts = scoped
      ? await this.rows(this.q.summaryOf, { organizationId: scoped })
      : await this.rows(this.q.summaryAll, {});
    return counts.map((r) => {
      const system = systemSchema.parse(r.accountingSystem);
      return {
        organizationId: String(r.organizationId),
        accountingSystem: system,
        count: Number(r.count),
        firstSeenAt: iso(r.firstSeenAt),
        lastSeenAt: iso(r.lastSeenAt),
        lastSyncLogId: String(r.lastSyncLogId),
      };
    });
  }

  async history(organizationId: string, recordId: string): Promise<UnverifiedPosting[]> {
    const command = parseCommand(historySchema, { organizationId, recordId });
    const u = this.tables.unverifiedPostings;
    return (await this.rows(this.q.history, command)).map((r) => postingOf(decodeRow(u, r)));
  }
}
