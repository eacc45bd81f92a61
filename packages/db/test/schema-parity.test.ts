import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getTableColumns, getTableName } from 'drizzle-orm';
import { getTableConfig as pgConfig } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteConfig } from 'drizzle-orm/sqlite-core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as pg from '../src/schema/pg/tables.js';
import * as sqlite from '../src/schema/sqlite/tables.js';

/** Column name → whether it is nullable: the shape both dialects must share. */
type Shape<T> = { [K in keyof T]-?: null extends T[K] ? 'nullable' : 'required' };

const TABLES = [
  'organizations',
  'moduleConfigurations',
  'accountingSyncLogs',
  'accountingSyncLogDeletions',
  'expenseRecords',
  'expenseRecordLines',
  'auditCheckpoints',
] as const;

describe('the SQLite and PostgreSQL schemas cannot drift', () => {
  it('have the same columns with the same nullability (type level)', () => {
    expectTypeOf<Shape<typeof sqlite.accountingSyncLogs.$inferSelect>>().toEqualTypeOf<
      Shape<typeof pg.accountingSyncLogs.$inferSelect>
    >();
    expectTypeOf<Shape<typeof sqlite.organizations.$inferSelect>>().toEqualTypeOf<
      Shape<typeof pg.organizations.$inferSelect>
    >();
    expectTypeOf<Shape<typeof sqlite.moduleConfigurations.$inferSelect>>().toEqualTypeOf<
      Shape<typeof pg.moduleConfigurations.$inferSelect>
    >();
    expectTypeOf<Shape<typeof sqlite.accountingSyncLogDeletions.$inferSelect>>().toEqualTypeOf<
      Shape<typeof pg.accountingSyncLogDeletions.$inferSelect>
    >();
    expectTypeOf<Shape<typeof sqlite.expenseRecords.$inferSelect>>().toEqualTypeOf<
      Shape<typeof pg.expenseRecords.$inferSelect>
    >();
    expectTypeOf<Shape<typeof sqlite.expenseRecordLines.$inferSelect>>().toEqualTypeOf<
      Shape<typeof pg.expenseRecordLines.$inferSelect>
    >();
    expectTypeOf<Shape<typeof sqlite.auditCheckpoints.$inferSelect>>().toEqualTypeOf<
      Shape<typeof pg.auditCheckpoints.$inferSelect>
    >();
  });

  it.each(TABLES)('%s has the same table and column names in both dialects', (table) => {
    expect(getTableName(sqlite[table])).toBe(getTableName(pg[table]));
    const names = (t: Parameters<typeof getTableColumns>[0]) =>
      Object.values(getTableColumns(t))
        .map((c) => `${c.name}:${c.notNull ? 'not null' : 'null'}`)
        .sort();
    expect(names(sqlite[table])).toEqual(names(pg[table]));
  });

  it('keeps the spec columns of accounting_sync_logs in snake_case', () => {
    const columns = Object.values(getTableColumns(pg.accountingSyncLogs)).map((c) => c.name);
    expect(columns).toEqual(
      expect.arrayContaining([
        'id',
        'organization_id',
        'accounting_system',
        'sync_type',
        'status',
        'triggered_by',
        'period_start',
        'period_end',
        'records_total',
        'records_synced',
        'records_failed',
        'payload_summary',
        'error_details',
        'external_reference_id',
        'started_at',
        'completed_at',
        'created_at',
      ]),
    );
  });
});

describe('the drizzle schema and the hand-written migrations name the same CHECKs', () => {
  it.each(['sqlite', 'pg'] as const)('%s', (dialect) => {
    const folder = join(import.meta.dirname, '..', 'migrations', dialect);
    const sql = readdirSync(folder)
      .filter((f) => f.endsWith('.sql'))
      .map((f) => readFileSync(join(folder, f), 'utf8'))
      .join('\n');
    const names =
      dialect === 'pg'
        ? TABLES.flatMap((table) => pgConfig(pg[table]).checks.map((c) => c.name))
        : TABLES.flatMap((table) => sqliteConfig(sqlite[table]).checks.map((c) => c.name));
    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((name) => !sql.includes(`"${name}"`))).toEqual([]);
  });
});
