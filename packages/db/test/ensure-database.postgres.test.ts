import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { ensureDatabase } from '../src/ensure-database.js';
import { TEST_PG_URL } from '../src/testing/index.js';

describe('pnpm start on a PostgreSQL server without the database', () => {
  it('creates the missing database once; an existing one is left alone; SQLite needs nothing', async () => {
    const name = `meander_test_ensure_${randomBytes(4).toString('hex')}`;
    const url = new URL(TEST_PG_URL);
    url.pathname = `/${name}`;
    const admin = postgres(TEST_PG_URL, { max: 1, onnotice: () => undefined });
    try {
      expect(await ensureDatabase(url.toString())).toBe('created');
      const [row] = await admin`SELECT count(*)::int AS n FROM pg_database WHERE datname = ${name}`;
      expect(row?.n).toBe(1);
      expect(await ensureDatabase(url.toString())).toBe('exists');
      expect(await ensureDatabase('file:./nowhere/x.db')).toBe('sqlite');
    } finally {
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });

  it('an unreachable server is one sentence naming the database', async () => {
    const error = await ensureDatabase('postgres://postgres@127.0.0.1:1/meander').then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/database "meander".*server running/);
    expect(error?.message.split('\n')).toHaveLength(1);
  });
});
