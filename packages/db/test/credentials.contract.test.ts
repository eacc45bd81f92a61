import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CredentialCipher,
  CredentialsError,
  loadCredentialCipher,
  parseCredentialsKey,
  rotateCredentials,
  sealedKeyId,
  withCredentials,
} from '../src/credentials/index.js';
import { openDatabase } from '../src/index.js';
import type { Database } from '../src/store/port.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../src/testing/index.js';
import { rawQuery } from './raw-sql.helpers.js';

const SECRET = `tok-${randomBytes(12).toString('hex')}`;

describe.each(DIALECTS)('accounting credentials at rest on %s', (dialect) => {
  let t: TestDatabase;
  let cipher: CredentialCipher;
  let db: Database;

  beforeEach(async () => {
    t = await createTestDatabase(dialect);
    cipher = CredentialCipher.generate();
    db = withCredentials(t.db, cipher);
  });
  afterEach(async () => {
    await t?.drop();
  });

  const configure = async (target: Database, organizationId: string, token = SECRET) =>
    target.organizations.configureAccounting({
      organizationId,
      enabled: true,
      config: {
        accountingSystem: 'xledger',
        connection: { baseUrl: 'https://x.example/graphql', apiToken: token },
      },
    });

  it('writes AES-256-GCM ciphertext with its key id, never the plaintext', async () => {
    const org = await db.organizations.create({ name: 'Sealed AS' });
    const view = await configure(db, org.id);
    expect(JSON.stringify(view)).not.toContain(SECRET);
    const rows = await rawQuery<{ config: unknown }>(t.db.raw, 'SELECT config FROM module_configurations');
    const text = JSON.stringify(rows);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('x.example');
    const stored = (await db.organizations.getAccountingModule(org.id))?.config?.connection;
    expect(sealedKeyId(stored)).toBe(cipher.keyId);
    expect(cipher.open(org.id, stored)).toEqual({ baseUrl: 'https://x.example/graphql', apiToken: SECRET });
  });

  it('a ciphertext copied onto another organization does not open', async () => {
    const a = await db.organizations.create({ name: 'A' });
    const b = await db.organizations.create({ name: 'B' });
    await configure(db, a.id);
    const stolen = (await db.organizations.getAccountingModule(a.id))?.config?.connection;
    expect(() => cipher.open(b.id, stolen)).toThrow(CredentialsError);
    expect(() => CredentialCipher.generate().open(a.id, stolen)).toThrow(/not configured/);
  });

  it('rotates: re-encrypts under the new key and seals plaintext left from before', async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const old = new CredentialCipher(oldKey);
    const sealed = await t.db.organizations.create({ name: 'Old key' });
    const legacy = await t.db.organizations.create({ name: 'Plaintext' });
    await configure(withCredentials(t.db, old), sealed.id);
    await configure(t.db, legacy.id, `${SECRET}-legacy`);
    const next = new CredentialCipher(newKey, [oldKey]);
    const report = await rotateCredentials(t.db, next);
    expect(report).toMatchObject({ resealed: [sealed.id], sealedFromPlaintext: [legacy.id], failed: [] });
    const onlyNew = new CredentialCipher(newKey);
    for (const [id, token] of [
      [sealed.id, SECRET],
      [legacy.id, `${SECRET}-legacy`],
    ] as const) {
      const stored = (await t.db.organizations.getAccountingModule(id))?.config?.connection;
      expect(sealedKeyId(stored)).toBe(next.keyId);
      expect(onlyNew.open(id, stored)).toMatchObject({ apiToken: token });
      expect(() => old.open(id, stored)).toThrow(CredentialsError);
    }
    const raw = JSON.stringify(await rawQuery(t.db.raw, 'SELECT config FROM module_configurations'));
    expect(raw).not.toContain(SECRET);
    expect((await rotateCredentials(t.db, next)).unchanged.length).toBe(2);
  });
});

describe('credentials keys and files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'meander-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('production refuses to start without CREDENTIALS_KEY; a bad key is named, not echoed', () => {
    expect(() => loadCredentialCipher(undefined, { production: true })).toThrow(
      /CREDENTIALS_KEY is required/,
    );
    const bad = 'c2hvcnQta2V5LXRoYXQtaXMtc2VjcmV0';
    expect(() => parseCredentialsKey(bad)).toThrow(/32 random bytes/);
    try {
      parseCredentialsKey(bad);
    } catch (error) {
      expect((error as Error).message).not.toContain(bad);
    }
  });

  it('development creates the key file 0600 once and reuses it', () => {
    const path = join(dir, 'data/credentials.key');
    const first = loadCredentialCipher(undefined, { production: false, devKeyPath: path });
    expect(first.source).toBe('dev-file-created');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = loadCredentialCipher(undefined, { production: false, devKeyPath: path });
    expect(again).toMatchObject({ source: 'dev-file' });
    expect(again.cipher.keyId).toBe(first.cipher.keyId);
  });

  it('processes starting together all read the one complete key', async () => {
    const path = join(dir, 'data/race.key');
    const module = new URL('../src/secret-file.ts', import.meta.url).href;
    const script = `import { ensureSecretFile } from ${JSON.stringify(module)};
      process.stdout.write(ensureSecretFile(${JSON.stringify(path)}, () => 'k'.repeat(4096) + process.pid).value);`;
    const outputs = await Promise.all(
      Array.from(
        { length: 6 },
        () =>
          new Promise<string>((done) => {
            const child = spawn(process.execPath, [
              '--import',
              import.meta.resolve('tsx'),
              '--input-type=module',
              '-e',
              script,
            ]);
            let out = '';
            child.stdout.on('data', (d: Buffer) => {
              out += d.toString();
            });
            child.on('close', () => done(out));
          }),
      ),
    );
    expect(new Set(outputs).size).toBe(1);
    expect(outputs[0]?.length).toBeGreaterThan(4096);
    expect(readdirSync(join(dir, 'data'))).toEqual(['race.key']);
  });

  it('a new SQLite database file (and its WAL) is readable by its owner only', async () => {
    const file = join(dir, 'nested/meander.db');
    const db = await openDatabase(`file:${file}`);
    await db.organizations.create({ name: 'Mode check' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    if (existsSync(`${file}-wal`)) expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600);
    await db.close();
  });
});
