import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { CredentialCipher } from '@meander/db';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { signToken } from '../src/auth/tokens.js';

const JWT = 'credentials-test-secret-0123456789';

describe.each(DIALECTS)('accounting credentials never leave the database sealed, on %s', (dialect) => {
  let t: TestDatabase;
  let app: ReturnType<typeof createApp>['app'];
  let admin: string;
  let orgId: string;
  let logs = '';
  const secret = `client-secret-${randomBytes(10).toString('hex')}`;

  const call = async (method: 'GET' | 'POST', path: string, input: unknown) => {
    const url =
      method === 'GET' ? `/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}` : `/trpc/${path}`;
    const res = await app.request(url, {
      method,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      ...(method === 'POST' ? { body: JSON.stringify(input) } : {}),
    });
    return { status: res.status, text: await res.text() };
  };

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs += chunk.toString();
        done();
      },
    });
    ({ app } = createApp({
      db: t.db,
      jwtSecret: JWT,
      credentials: CredentialCipher.generate(),
      logger: pino({ level: 'trace' }, sink),
    }));
    admin = await signToken({ sub: crypto.randomUUID(), role: 'global_admin' }, JWT);
    orgId = (await t.db.organizations.create({ name: 'Secretive AS' })).id;
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('configureAccounting stores ciphertext and answers without the connection', async () => {
    const res = await call('POST', 'organizations.configureAccounting', {
      organizationId: orgId,
      enabled: true,
      accountingSystem: 'dynamics',
      connection: { tenantId: 't', clientId: 'c', clientSecret: secret, baseUrl: 'http://127.0.0.1:9/d' },
    });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain(secret);
    const shown = await call('GET', 'organizations.get', { id: orgId });
    expect(shown.status).toBe(200);
    expect(shown.text).not.toContain(secret);
    const raw =
      t.db.raw.dialect === 'postgres'
        ? JSON.stringify(await t.db.raw.sql`SELECT config FROM module_configurations`)
        : JSON.stringify(t.db.raw.connection.prepare('SELECT config FROM module_configurations').all());
    expect(raw).not.toContain(secret);
    expect(raw).toContain('$encrypted');
  });

  it('a refused call names no credential in its error, and nothing reaches the logs', async () => {
    const tooMany = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, secret]));
    const refused = await call('POST', 'organizations.configureAccounting', {
      organizationId: orgId,
      enabled: true,
      accountingSystem: 'xledger',
      connection: tooMany,
    });
    expect(refused.status).toBe(400);
    expect(refused.text).not.toContain(secret);
    const wrongType = await call('POST', 'organizations.configureAccounting', {
      organizationId: orgId,
      enabled: 'yes',
      accountingSystem: 'xledger',
      connection: { apiToken: secret },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.text).not.toContain(secret);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(secret);
  });

  it('evidence carries no credential', async () => {
    const evidence = await call('GET', 'audit.evidence', {
      organizationId: orgId,
      from: '2000-01-01T00:00:00.000Z',
      to: '2100-01-01T00:00:00.000Z',
    });
    expect(evidence.status).toBe(200);
    expect(evidence.text).not.toContain(secret);
  });
});
