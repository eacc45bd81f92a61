import { unavailableError } from '@meander/db';
import { createTestDatabase, type TestDatabase } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { signToken } from '../src/auth/tokens.js';
import { SECRET } from './fixtures.js';

describe('every "database unreachable" family is DATABASE_UNAVAILABLE', () => {
  it.each([
    ['refused', { code: 'ECONNREFUSED' }],
    ['terminated (admin shutdown)', { code: '57P01' }],
    ['crash shutdown', { code: '57P02' }],
    ['cannot connect now', { code: '57P03' }],
    ['too many connections', { code: '53300' }],
    [
      'not accepting connections (ALLOW_CONNECTIONS false)',
      { code: '55000', message: 'database "x" is not currently accepting connections' },
    ],
    ['connection closed', { code: 'CONNECTION_CLOSED' }],
    ['connect timeout', { code: 'CONNECT_TIMEOUT' }],
    ['statement timeout', { code: '57014', message: 'canceling statement due to statement timeout' }],
    ['host unreachable', { code: 'EHOSTUNREACH' }],
    ['dns', { code: 'ENOTFOUND' }],
    ['database dropped', { code: '3D000' }],
    ['wrapped by drizzle', { message: 'Failed query', cause: { code: '57P01' } }],
  ])('%s', (_name, error) => {
    expect(unavailableError(Object.assign(new Error('x'), error))?.code).toBe('DATABASE_UNAVAILABLE');
  });

  it('not a constraint or a bad-input error', () => {
    expect(unavailableError({ code: '23505' })).toBeNull();
    expect(unavailableError({ code: '55000', message: 'some other prerequisite' })).toBeNull();
  });
});

/** A real PostgreSQL database that stops accepting connections, its backends terminated. */
describe('a PostgreSQL database whose ALLOW_CONNECTIONS is false, backends terminated', () => {
  let t: TestDatabase;
  // A second throwaway database: its superuser connection administers the first one.
  let control: TestDatabase;
  let admin: Extract<TestDatabase['db']['raw'], { dialect: 'postgres' }>['sql'];
  let name: string;
  let orgId: string;

  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    name = new URL(t.url).pathname.slice(1);
    control = await createTestDatabase('postgres', { migrate: false });
    if (control.db.raw.dialect !== 'postgres') throw new Error('unreachable');
    admin = control.db.raw.sql;
    orgId = (await t.db.organizations.create({ name: 'Unreachable AS' })).id;
    await t.db.organizations.configureAccounting({
      organizationId: orgId,
      enabled: true,
      config: { accountingSystem: 'xledger' },
    });
  });
  afterAll(async () => {
    await admin.unsafe(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`).catch(() => undefined);
    await control?.drop();
    await t?.drop();
  });

  it('answers 503 DATABASE_UNAVAILABLE to reads and writes, writes nothing, and /healthz says 503', async () => {
    const { app } = createApp({ db: t.db, jwtSecret: SECRET });
    const service = await signToken({ sub: crypto.randomUUID(), role: 'service' }, SECRET);
    const admin_ = await signToken({ sub: crypto.randomUUID(), role: 'global_admin' }, SECRET);
    await admin.unsafe(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
    await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${name} AND pid <> pg_backend_pid()`;

    const create = await app.request('/trpc/syncLogs.create', {
      method: 'POST',
      headers: { authorization: `Bearer ${service}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        organizationId: orgId,
        accountingSystem: 'xledger',
        syncType: 'api',
        recordsTotal: 1,
        periodStart: '2026-10-01T00:00:00.000Z',
        periodEnd: '2026-10-31T23:59:59.999Z',
      }),
    });
    const createBody = (await create.json()) as { error: { data: { domainCode: string | null } } };
    expect(create.status).toBe(503);
    expect(createBody.error.data.domainCode).toBe('DATABASE_UNAVAILABLE');
    const list = await app.request(
      `/trpc/syncLogs.list?input=${encodeURIComponent(JSON.stringify({ organizationId: orgId }))}`,
      { headers: { authorization: `Bearer ${admin_}` } },
    );
    expect(list.status).toBe(503);
    expect(((await list.json()) as { error: { data: { domainCode: string } } }).error.data.domainCode).toBe(
      'DATABASE_UNAVAILABLE',
    );
    expect((await app.request('/healthz')).status).toBe(503);
    // Every other route too, in one place (issue 23: the CSV answered 500).
    const csv = await app.request(`/sync-logs/${crypto.randomUUID()}/rejections.csv`, {
      headers: { authorization: `Bearer ${admin_}` },
    });
    expect(csv.status).toBe(503);
    expect(((await csv.json()) as { error: string }).error).toBe('DATABASE_UNAVAILABLE');
    const metricsAnswer = await app.request('/metrics');
    expect(metricsAnswer.status).toBe(503);
    expect(((await metricsAnswer.json()) as { error: string }).error).toBe('DATABASE_UNAVAILABLE');

    await admin.unsafe(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`);
    const check = await t.openAnother({ poolSize: 1 });
    if (check.raw.dialect !== 'postgres') throw new Error('unreachable');
    const [row] = await check.raw.sql<{ n: number }[]>`SELECT COUNT(*)::int AS n FROM accounting_sync_logs`;
    expect(row?.n).toBe(0);
  });
});
