import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@meander/db/testing';
import { sign } from 'hono/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { signToken, verifyToken } from '../src/auth/tokens.js';
import { SECRET } from './fixtures.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const now = () => Math.floor(Date.now() / 1000);
const claims = { sub: '0a0a0a0a-0000-4000-8000-000000000002', role: 'global_admin' };

describe('token verification', () => {
  const policy = { maxLifetimeSeconds: 3600 };

  it('caps the lifetime: exp − iat above the maximum is refused', async () => {
    const long = await sign({ ...claims, iat: now(), exp: now() + 7 * 86_400 }, SECRET, 'HS256');
    expect(await verifyToken(long, SECRET, policy)).toEqual({ ok: false, failure: 'lifetime' });
    const fine = await sign({ ...claims, iat: now(), exp: now() + 3600 }, SECRET, 'HS256');
    expect((await verifyToken(fine, SECRET, policy)).ok).toBe(true);
  });

  it('refuses a token without iat, or issued in the future to dodge the cap', async () => {
    const noIat = await sign({ ...claims, exp: now() + 60 }, SECRET, 'HS256');
    expect(await verifyToken(noIat, SECRET, policy)).toEqual({ ok: false, failure: 'claims' });
    const future = await sign({ ...claims, iat: now() + 3000, exp: now() + 3600 }, SECRET, 'HS256');
    // hono refuses a future iat itself (invalid); either way it never passes.
    expect((await verifyToken(future, SECRET, policy)).ok).toBe(false);
  });

  it('checks iss and aud when configured', async () => {
    const strict = { maxLifetimeSeconds: 3600, issuer: 'https://idp.example', audience: 'meander-api' };
    const right = await signToken(claims as never, SECRET, 600, {
      issuer: 'https://idp.example',
      audience: 'meander-api',
    });
    expect((await verifyToken(right, SECRET, strict)).ok).toBe(true);
    const noIss = await signToken(claims as never, SECRET, 600, { audience: 'meander-api' });
    expect(await verifyToken(noIss, SECRET, strict)).toEqual({ ok: false, failure: 'issuer' });
    const otherAud = await signToken(claims as never, SECRET, 600, {
      issuer: 'https://idp.example',
      audience: 'x',
    });
    expect(await verifyToken(otherAud, SECRET, strict)).toEqual({ ok: false, failure: 'audience' });
    const inList = await sign(
      { ...claims, iat: now(), exp: now() + 60, iss: 'https://idp.example', aud: ['x', 'meander-api'] },
      SECRET,
      'HS256',
    );
    expect((await verifyToken(inList, SECRET, strict)).ok).toBe(true);
  });
});

describe('bearer tokens over HTTP', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('sqlite');
  });
  afterAll(async () => {
    await t?.drop();
  });

  const list = (app: ReturnType<typeof createApp>['app'], authorization: string) =>
    app.request('/trpc/organizations.list', { headers: { authorization } });

  it('accepts the Bearer scheme in any case', async () => {
    const { app } = createApp({ db: t.db, jwtSecret: SECRET });
    const token = await signToken(claims as never, SECRET);
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      expect((await list(app, `${scheme} ${token}`)).status, scheme).toBe(200);
    }
    expect((await list(app, `Basic ${token}`)).status).toBe(401);
  });

  it('refuses a token that lives longer than configured, and one from another issuer, with 401', async () => {
    const { app } = createApp({
      db: t.db,
      jwtSecret: SECRET,
      tokenPolicy: { maxLifetimeSeconds: 3600, issuer: 'https://idp.example' },
    });
    const long = await signToken(claims as never, SECRET, 30 * 86_400, { issuer: 'https://idp.example' });
    const res = await list(app, `Bearer ${long}`);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('AUTH_TOKEN_MAX_LIFETIME_SECONDS');
    expect((await list(app, `Bearer ${await signToken(claims as never, SECRET, 600)}`)).status).toBe(401);
    const good = await signToken(claims as never, SECRET, 600, { issuer: 'https://idp.example' });
    expect((await list(app, `Bearer ${good}`)).status).toBe(200);
  });
});

describe('pnpm start with a weak AUTH_JWT_SECRET', () => {
  it('refuses with the API message on one line and no stack trace', async () => {
    const result = await new Promise<{ code: number; stderr: string; stdout: string }>((done) => {
      const child = spawn(
        process.execPath,
        [
          '--conditions=@meander/source',
          '--import',
          import.meta.resolve('tsx'),
          join(ROOT, 'scripts/start.ts'),
        ],
        { cwd: ROOT, env: { ...process.env, AUTH_JWT_SECRET: 'short', PORT: '0', EMULATOR_PORT: '0' } },
      );
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.on('close', (code) => done({ code: code ?? -1, stderr, stdout }));
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'pnpm start: Invalid API environment: AUTH_JWT_SECRET: AUTH_JWT_SECRET must be at least 16 characters',
    ]);
    expect(result.stdout).toBe('');
  });
});
