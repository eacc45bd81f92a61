import type postgres from 'postgres';

/**
 * A jsonb parameter that lands as the object it is. Writing `${JSON.stringify(x)}::jsonb` made the
 * driver encode the string a second time, so PostgreSQL stored a JSON *string* (see migration 0003).
 */
export function jsonb(sql: postgres.Sql | postgres.TransactionSql, value: unknown) {
  return value === null || value === undefined ? null : sql.json(value as postgres.JSONValue);
}
