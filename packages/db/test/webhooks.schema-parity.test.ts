import { getTableColumns, getTableName } from 'drizzle-orm';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as pg from '../src/schema/pg/webhooks.js';
import * as sqlite from '../src/schema/sqlite/webhooks.js';

type Shape<T> = { [K in keyof T]-?: null extends T[K] ? 'nullable' : 'required' };
const TABLES = ['webhookEndpoints', 'webhookOutbox', 'webhookDeliveries', 'webhookDeliveryAttempts'] as const;

describe('the webhook tables cannot drift between dialects', () => {
  it('have the same columns with the same nullability (type level)', () => {
    expectTypeOf<Shape<typeof sqlite.webhookEndpoints.$inferSelect>>().toEqualTypeOf<
      Shape<typeof pg.webhookEndpoints.$inferSelect>
    >();
    expectTypeOf<Shape<typeof sqlite.webhookOutbox.$inferSelect>>().toEqualTypeOf<
      Shape<typeof pg.webhookOutbox.$inferSelect>
    >();
    expectTypeOf<Shape<typeof sqlite.webhookDeliveries.$inferSelect>>().toEqualTypeOf<
      Shape<typeof pg.webhookDeliveries.$inferSelect>
    >();
    expectTypeOf<Shape<typeof sqlite.webhookDeliveryAttempts.$inferSelect>>().toEqualTypeOf<
      Shape<typeof pg.webhookDeliveryAttempts.$inferSelect>
    >();
  });

  it.each(TABLES)('%s has the same table and column names in both dialects', (table) => {
    expect(getTableName(sqlite[table])).toBe(getTableName(pg[table]));
    const names = (t: Parameters<typeof getTableColumns>[0]) =>
      Object.values(getTableColumns(t)).map((c) => `${c.name}:${c.notNull ? 'not null' : 'null'}`);
    expect(names(sqlite[table])).toEqual(names(pg[table]));
  });
});
