import { resolve } from 'node:path';
import type { Dialect } from './store/port.js';

/** Where a DATABASE_URL points: a SQLite file (or memory) or a PostgreSQL server. */
export type ParsedDatabaseUrl =
  | { dialect: 'sqlite'; filename: string }
  | { dialect: 'postgres'; url: string };

/** The embedded default. */
export const DEFAULT_DATABASE_URL = 'file:./data/meander.db';

/** Parse `file:<path>`, `:memory:`, `sqlite:<path>` or `postgres(ql)://…`. */
export function parseDatabaseUrl(url: string): ParsedDatabaseUrl {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { dialect: 'postgres', url };
  if (url === ':memory:' || url === 'file::memory:') return { dialect: 'sqlite', filename: ':memory:' };
  const path = url.startsWith('file:') ? url.slice(5) : url.startsWith('sqlite:') ? url.slice(7) : null;
  if (path === null || path.length === 0) {
    throw new Error(
      `DATABASE_URL must be file:<path> or postgres://…, got "${url.replace(/:[^:@/]*@/, ':***@')}"`,
    );
  }
  return { dialect: 'sqlite', filename: resolve(path.replace(/^\/\/(?=\/)/, '')) };
}

/** The dialect of a DATABASE_URL. */
export function dialectOf(url: string): Dialect {
  return parseDatabaseUrl(url).dialect;
}
