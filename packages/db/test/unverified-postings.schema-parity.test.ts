import { getTableColumns, getTableName } from 'drizzle-orm';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as pg from '../src/schema/pg/unverified-postings.js';
import * as sqlite from '../src/schema/sqlite/unverified-postings.js';

type Shape<T> = { [K in keyof T]-?: null extends T[K] ? 'nullable' : 'required' };
const TABLES = ['unverifiedPostings', 'ledgerRequestTotals'] as const;

describe('the unverified-postings tables cannot drift between dialects', () => {
  it('have the same columns with the same nullability (type level)', () => {
    expectTypeOf<Shape<typeof sqlite.unverifiedPostings.$inferSelect>>().toEqualTypeOf<
      Shape<typeof pg.unverifiedPostings.$inferSelect>
    >();
    expectTypeOf<Shape<typeof sqlite.ledgerRequestTotals.$inferSelect>>().toEqualTypeOf<
      Shape<typeof pg.ledgerRequestTotals.$inferSelect>
    >();
  });

  it.each(TABLES)('%s has the same table and column names in both dialects', (table) => {
    expect(getTableName(sqlite[table])).toBe(getTableName(pg[table]));
    const names = (t: Parameters<typeof getTableColumns>[0]) =>
      Object.values(getTableColumns(t)).map((c) => `${c.name}:${c.notNull ? 'not null' : 'null'}`);
    expect(names(sqlite[table])).toEqual(names(pg[table]));
  });
});
