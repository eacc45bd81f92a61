import { DIALECTS } from '@meander/db/testing';
import { sign } from 'hono/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readApiEnv } from '../src/env.js';
import { type ApiFixture, createApiFixture, SECRET } from './fixtures.js';

const STRONG_JWT = 'Vq3r8J0wXnL5cZ2kT9yHb6mP1sD4fG7aE0uR3iO8lQ5';
const STRONG_KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 73 + 11) % 256)).toString('base64');

describe.each(DIALECTS)('the HTTP edge on %s', (dialect) => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await createApiFixture(dialect);
  });
  afterAll(async () => {
    await f?.drop();
  });

  const list = (headers: Record<string, string>) =>
    f.app.request(
      `/trpc/syncLogs.list?input=${encodeURIComponent(JSON.stringify({ organizationId: f.orgId }))}`,
      { headers },
    );

  it('answers 401 for a missing, malformed, forged or expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = await sign(
      { sub: f.users.globalAdmin, role: 'global_admin', exp: now + 60 },
      'another-secret-0123456789',
    );
    const expired = await sign({ sub: f.users.globalAdmin, role: 'global_admin', exp: now - 60 }, SECRET);
    const noExp = await sign({ sub: f.users.globalAdmin, role: 'global_admin' }, SECRET);
    const badRole = await sign({ sub: f.users.globalAdmin, role: 'root', exp: now + 60 }, SECRET);
    const orgAdminWithoutOrg = await sign(
      { sub: f.users.globalAdmin, role: 'org_admin', exp: now + 60 },
      SECRET,
    );
    const cases: Record<string, string>[] = [
      {},
      { authorization: 'Bearer nonsense' },
      { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      { authorization: `Bearer ${forged}` },
      { authorization: `Bearer ${expired}` },
      { authorization: `Bearer ${noExp}` },
      { authorization: `Bearer ${badRole}` },
      { authorization: `Bearer ${orgAdminWithoutOrg}` },
    ];
    for (const headers of cases) {
      const res = await list(headers);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { data: { domainCode: string } } }).error.data.domainCode).toBe(
        'UNAUTHENTICATED',
      );
    }
  });

  it('reports health and serves Prometheus metrics', async () => {
    const health = await f.app.request('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, database: dialect });
    await list({ authorization: `Bearer ${f.tokens.globalAdmin}` });
    const metrics = await f.app.request('/metrics');
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/^# TYPE meander_sync_logs gauge$/m);
    expect(text).toMatch(
      /^meander_trpc_requests_total\{procedure="syncLogs.list",type="query",code="OK"\} [1-9]\d*$/m,
    );
    expect(text).toMatch(/^meander_sync_duration_seconds_bucket\{system="xledger",le="\+Inf"\} \d+$/m);
    expect(text).toMatch(/^meander_active_syncs \d+$/m);
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-z_]+(\{[^}]*\})? -?[0-9.e+]+$/);
    }
  });

  it('keeps bad input at the edge as 4xx', async () => {
    const token = { authorization: `Bearer ${f.tokens.service}` };
    const post = (
      body: string | Uint8Array,
      headers: Record<string, string> = { 'content-type': 'application/json' },
    ) => f.app.request('/trpc/syncLogs.create', { method: 'POST', headers: { ...token, ...headers }, body });
    expect((await post('{not json')).status).toBe(400);
    expect((await post(JSON.stringify('x'.repeat(2 * 1024 * 1024)))).status).toBe(413);
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    expect((await post(deep)).status).toBeLessThan(500);
    expect((await post(new Uint8Array([0xff, 0xfe, 0xfd]))).status).toBeLessThan(500);
    expect((await post('a=b', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBeLessThan(
      500,
    );
    expect((await f.app.request('/trpc/nope.nothing', { headers: token })).status).toBe(404);
    expect((await f.app.request('/elsewhere')).status).toBe(404);
  });

  it('refuses to start in production without AUTH_JWT_SECRET, CREDENTIALS_KEY or AUDIT_SIGNING_KEY', () => {
    expect(() => readApiEnv({ NODE_ENV: 'production' })).toThrow(
      /AUTH_JWT_SECRET, CREDENTIALS_KEY, AUDIT_SIGNING_KEY are required/,
    );
    const keys = { CREDENTIALS_KEY: STRONG_KEY, AUDIT_SIGNING_KEY: '/k.pem' };
    expect(() => readApiEnv({ NODE_ENV: 'production', AUTH_JWT_SECRET: STRONG_JWT })).toThrow(
      /^CREDENTIALS_KEY, AUDIT_SIGNING_KEY are required/,
    );
    expect(() =>
      readApiEnv({
        NODE_ENV: 'production',
        AUTH_JWT_SECRET: STRONG_JWT,
        AUDIT_SIGNING_KEY: '/k.pem',
      }),
    ).toThrow(/^CREDENTIALS_KEY is required/);
    expect(readApiEnv({ NODE_ENV: 'production', AUTH_JWT_SECRET: STRONG_JWT, ...keys }).generatedSecret).toBe(
      false,
    );
    // Webhook secrets are sealed under CREDENTIALS_KEY: production refuses the development key.
    expect(() => readApiEnv({ NODE_ENV: 'production', AUTH_JWT_SECRET: STRONG_JWT })).toThrow(
      /CREDENTIALS_KEY/,
    );
    expect(readApiEnv({}).generatedSecret).toBe(true);
  });

  // The outside probe (issue 23) started production with `aaaaaaaaaaaaaaaa` and an all-zero key.
  it.each([
    ['a 16-character secret', 'x7Qp2mZr9LkV4sNd', /AUTH_JWT_SECRET is 16 bytes long; at least 32/],
    ['one repeated character', 'a'.repeat(48), /AUTH_JWT_SECRET is one character repeated/],
    ['a repeated word', 'hunter42'.repeat(5), /AUTH_JWT_SECRET repeats "hunter42"/],
    [
      'common words and digits',
      'my-super-secret-production-jwt-key-2026',
      /AUTH_JWT_SECRET is made of common words/,
    ],
  ])('refuses %s as AUTH_JWT_SECRET in production, naming the variable', (_name, secret, message) => {
    expect(() =>
      readApiEnv({
        NODE_ENV: 'production',
        AUTH_JWT_SECRET: secret,
        CREDENTIALS_KEY: STRONG_KEY,
        AUDIT_SIGNING_KEY: '/k.pem',
      }),
    ).toThrow(message);
  });

  it.each([
    ['all zero', Buffer.alloc(32, 0), /CREDENTIALS_KEY is one byte \(0x00\) repeated/],
    ['two byte values', Buffer.from('ab'.repeat(16)), /CREDENTIALS_KEY has only 2 distinct byte values/],
  ])(
    'refuses a CREDENTIALS_KEY of %s in production, and names both weak variables at once',
    (_n, key, message) => {
      const run = () =>
        readApiEnv({
          NODE_ENV: 'production',
          AUTH_JWT_SECRET: 'x7Qp2mZr9LkV4sNdQw3E',
          CREDENTIALS_KEY: key.toString('base64'),
          AUDIT_SIGNING_KEY: '/k.pem',
        });
      expect(run).toThrow(message);
      expect(run).toThrow(/AUTH_JWT_SECRET/);
      // Development keeps working with whatever it is given.
      expect(
        readApiEnv({ AUTH_JWT_SECRET: 'x'.repeat(16), CREDENTIALS_KEY: key.toString('base64') }).production,
      ).toBe(false);
    },
  );
});
