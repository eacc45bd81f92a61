import type { ListSyncLogsQuery } from '@meander/domain';
import { type SQL, sql } from 'drizzle-orm';
import * as pgSchema from '../schema/pg/tables.js';
import * as sqliteSchema from '../schema/sqlite/tables.js';
import { decodeCursor } from './cursor.js';
import { LIST_ORDER } from './list-order.js';
import type { Dialect } from './port.js';
import { compile, p, type Statement, type Values } from './statement.js';

type Columns = (typeof pgSchema.accountingSyncLogs | typeof sqliteSchema.accountingSyncLogs)['_']['columns'];

/** The optional filters of `syncLogs.list`, each a condition over the table and the values it binds. */
const FILTERS = {
  organizationId: (l: Columns) => sql`${l.organizationId} = ${p('organizationId')}`,
  status: (l: Columns) => sql`${l.status} = ${p('status')}`,
  accountingSystem: (l: Columns) => sql`${l.accountingSystem} = ${p('accountingSystem')}`,
  syncType: (l: Columns) => sql`${l.syncType} = ${p('syncType')}`,
  triggeredBy: (l: Columns) => sql`${l.triggeredBy} = ${p('triggeredBy')}`,
  // Overlap: the sync's period reaches into [periodFrom, periodTo].
  periodFrom: (l: Columns) => sql`${l.periodEnd} >= ${p('periodFrom')}`,
  periodTo: (l: Columns) => sql`${l.periodStart} <= ${p('periodTo')}`,
  startedAfter: (l: Columns) => sql`${l.startedAt} >= ${p('startedAfter')}`,
  startedBefore: (l: Columns) => sql`${l.startedAt} < ${p('startedBefore')}`,
  // Keyset on the immutable (created_at, id); see LIST_ORDER. A row value, which both dialects
  // answer as one range of idx_accounting_sync_logs_org_created (an OR of two comparisons is a filter).
  cursor: (l: Columns) => sql`(${l.createdAt}, ${l.id}) < (${p('cursorCreatedAt')}, ${p('cursorId')})`,
} satisfies Record<string, (l: Columns) => SQL>;

type Filter = keyof typeof FILTERS;
const FILTER_NAMES = Object.keys(FILTERS) as Filter[];

/**
 * The history list, written once. Which filters a call uses picks one of at most 2^10 statement
 * variants; each is compiled the first time it is asked for and then reused (so SQLite's statement
 * cache and PostgreSQL's prepared queries see one text per variant, never one per call).
 */
export class ListQuery {
  private readonly variants = new Map<number, Statement>();
  private readonly columns: Columns;

  constructor(private readonly dialect: Dialect) {
    this.columns = (dialect === 'sqlite' ? sqliteSchema : pgSchema).accountingSyncLogs;
  }

  /** The statement and its values for one parsed query; it fetches `limit + 1` rows to tell whether a next page exists. */
  prepare(q: ListSyncLogsQuery): { statement: Statement; values: Values } {
    const values: Record<string, unknown> = { limit: q.limit + 1 };
    let mask = 0;
    for (let i = 0; i < FILTER_NAMES.length; i += 1) {
      const name = FILTER_NAMES[i] as Filter;
      if (name === 'cursor') {
        if (!q.cursor) continue;
        const cursor = decodeCursor(q.cursor);
        values.cursorCreatedAt = cursor.createdAt;
        values.cursorId = cursor.id;
      } else {
        const value = q[name];
        if (!value) continue;
        values[name] = value;
      }
      mask |= 1 << i;
    }
    return { statement: this.variant(mask), values };
  }

  private variant(mask: number): Statement {
    let statement = this.variants.get(mask);
    if (!statement) {
      const l = this.columns;
      const table = this.dialect === 'sqlite' ? sqliteSchema.accountingSyncLogs : pgSchema.accountingSyncLogs;
      const conditions = FILTER_NAMES.filter((_, i) => mask & (1 << i)).map((name) => FILTERS[name](l));
      const where = conditions.length ? sql`WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
      statement = compile(
        this.dialect,
        sql`SELECT * FROM ${table} ${where} ORDER BY ${sql.raw(LIST_ORDER.join(', '))} LIMIT ${p('limit')}`,
      );
      this.variants.set(mask, statement);
    }
    return statement;
  }
}
