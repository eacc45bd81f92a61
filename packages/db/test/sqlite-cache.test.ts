import { createTestDatabase } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQLITE_DEFAULT_CACHE_KIB } from '../src/store/sqlite/database.js';
import type { TestDatabase } from '../src/testing/index.js';

/**
 * The page cache is per connection: the worker's stays at SQLite's default so its memory never
 * grows with the data it streams; the API's is sized by SQLITE_CACHE_MIB.
 */
describe('SQLite page cache per connection', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('sqlite');
  });
  afterAll(async () => {
    await t?.drop();
  });

  const cacheSize = (db: TestDatabase['db']) => {
    if (db.raw.dialect !== 'sqlite') throw new Error('sqlite only');
    return db.raw.connection.pragma('cache_size', { simple: true });
  };

  it("keeps SQLite's 2 MiB default unless asked, and sizes a connection that asks", async () => {
    expect(cacheSize(t.db)).toBe(-SQLITE_DEFAULT_CACHE_KIB);
    const api = await t.openAnother({ sqliteCacheMiB: 64 });
    expect(cacheSize(api)).toBe(-64 * 1024);
    // The other connection on the same file is unaffected.
    expect(cacheSize(t.db)).toBe(-SQLITE_DEFAULT_CACHE_KIB);
  });
});
