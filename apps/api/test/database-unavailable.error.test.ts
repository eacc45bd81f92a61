import { createTestDatabase, type TestDatabase } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { signToken } from '../src/auth/tokens.js';
import { SECRET } from './fixtures.js';

/** A database that has gone away answers 503 with a typed code, never a bare 500. */
describe('when the database is unreachable', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('answers 503 DATABASE_UNAVAILABLE on procedures and 503 on /healthz', async () => {
    const lost = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    const db = {
      ...t.db,
      ping: async () => {
        throw lost;
      },
      syncLogs: {
        ...t.db.syncLogs,
        get: async () => {
          throw lost;
        },
      },
    };
    const { app } = createApp({ db, jwtSecret: SECRET });
    const token = await signToken({ sub: crypto.randomUUID(), role: 'global_admin' }, SECRET);
    const res = await app.request(
      `/trpc/syncLogs.get?input=${encodeURIComponent(JSON.stringify({ id: crypto.randomUUID() }))}`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { data: { domainCode: string } } }).error.data.domainCode).toBe(
      'DATABASE_UNAVAILABLE',
    );
    expect((await app.request('/healthz')).status).toBe(503);
  });
});
