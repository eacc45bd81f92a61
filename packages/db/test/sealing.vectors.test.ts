import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CredentialCipher,
  CredentialsError,
  credentialsKeyId,
  rotateCredentials,
  SEALED_FIELD,
} from '../src/credentials/index.js';
import { Keyring, SealError } from '../src/credentials/sealing.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../src/testing/index.js';
import { rotateWebhookSecrets } from '../src/webhooks/rotate-secrets.js';
import { SecretBox } from '../src/webhooks/secret-box.js';
import { webhookStoreFor } from '../src/webhooks/store.js';

/*
 * Fixed vectors sealed by the two formats this product wrote before the one sealing primitive
 * (CredentialCipher v1 and SecretBox v1), with this key. They must open for as long as a database
 * may still hold them, that is until every installation has run `db:rotate-credentials`.
 */
const KEY = Buffer.alloc(32, 7);
const KEY_ID = '80304a0a5997';
const ORG = '0b0e8c2a-5f2d-4c36-9a53-3f1f6f7c9e10';
const LEGACY_CREDENTIALS = {
  [SEALED_FIELD]:
    'v1.80304a0a5997._X4WW0m-BRKS2wRG.9ykJYIRI5sPX5nvnsO4I-A.OfwiFlNhBHJCHHUAu8jnq3k0h6vSU2DNPlAs2DhNpm9eyy7BII6wgFN07g',
};
const LEGACY_CREDENTIALS_PLAIN = { apiKey: 'sk_test_vector', tenant: 'acme' };
const LEGACY_WEBHOOK_SECRET = 'v1.8e9026237a2b.fUhbsBvZCO-OU8Tg.5r07tS9vutQ7i7Uh78fESA.QPWzhc4dPPX7l__qekY';
const LEGACY_WEBHOOK_PLAIN = 'whsec_dmVjdG9y';

describe('one sealing primitive', () => {
  it('opens credentials sealed by the earlier format, under the current or a previous key', () => {
    expect(credentialsKeyId(KEY)).toBe(KEY_ID);
    expect(new CredentialCipher(KEY).open(ORG, LEGACY_CREDENTIALS)).toEqual(LEGACY_CREDENTIALS_PLAIN);
    expect(new CredentialCipher(randomBytes(32), [KEY]).open(ORG, LEGACY_CREDENTIALS)).toEqual(
      LEGACY_CREDENTIALS_PLAIN,
    );
    expect(() => new CredentialCipher(KEY).open(randomBytes(16).toString('hex'), LEGACY_CREDENTIALS)).toThrow(
      CredentialsError,
    );
  });

  it('opens webhook secrets sealed by the earlier format, under the current or a previous key', () => {
    expect(new SecretBox(KEY).open(LEGACY_WEBHOOK_SECRET)).toBe(LEGACY_WEBHOOK_PLAIN);
    expect(new SecretBox(randomBytes(32), [KEY]).open(LEGACY_WEBHOOK_SECRET)).toBe(LEGACY_WEBHOOK_PLAIN);
    expect(() => new SecretBox(randomBytes(32)).open(LEGACY_WEBHOOK_SECRET)).toThrow(/not configured/);
  });

  it('seals both kinds in one format naming the one operator key; earlier values are not current', () => {
    const cipher = new CredentialCipher(KEY);
    const box = new SecretBox(KEY);
    expect(box.keyId).toBe(KEY_ID);
    expect(cipher.keyId).toBe(KEY_ID);
    const credentials = cipher.seal(ORG, LEGACY_CREDENTIALS_PLAIN);
    const secret = box.seal(LEGACY_WEBHOOK_PLAIN);
    for (const sealed of [credentials[SEALED_FIELD], secret]) {
      expect(sealed.split('.').slice(0, 2)).toEqual(['v2', KEY_ID]);
    }
    expect(cipher.open(ORG, credentials)).toEqual(LEGACY_CREDENTIALS_PLAIN);
    expect(box.open(secret)).toBe(LEGACY_WEBHOOK_PLAIN);
    expect(cipher.isCurrent(credentials)).toBe(true);
    expect(box.isCurrent(secret)).toBe(true);
    expect(cipher.isCurrent(LEGACY_CREDENTIALS)).toBe(false);
    expect(box.isCurrent(LEGACY_WEBHOOK_SECRET)).toBe(false);
    expect(new CredentialCipher(randomBytes(32), [KEY]).isCurrent(credentials)).toBe(false);
  });

  it('never opens one purpose as the other, nor on another organization, nor altered', () => {
    const keyring = new Keyring(KEY);
    const credentials = keyring.seal('credentials', ORG, '{"a":"b"}');
    const secret = keyring.seal('webhook-secret', '', 'whsec_x');
    expect(() => keyring.open('webhook-secret', '', credentials)).toThrow(SealError);
    expect(() => keyring.open('credentials', '', secret)).toThrow(SealError);
    expect(() => keyring.open('credentials', ORG.replace('0b0e', '0b0f'), credentials)).toThrow(
      /Does not open/,
    );
    // Organization ids are compared in canonical (lower) case.
    expect(keyring.open('credentials', ORG.toUpperCase(), credentials)).toBe('{"a":"b"}');
    const parts = credentials.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => keyring.open('credentials', ORG, parts.join('.'))).toThrow(SealError);
    expect(() => keyring.open('credentials', ORG, 'v3.x.y.z.w')).toThrow(/format/);
    expect(() => new Keyring(randomBytes(16))).toThrow(RangeError);
  });
});

describe.each(DIALECTS)('db:rotate-credentials re-seals both kinds on %s', (dialect) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase(dialect);
  });
  afterEach(async () => t?.drop());

  it('moves values of the earlier formats to the current one, which the new key alone opens', async () => {
    await t.db.organizations.create({ id: ORG, name: 'Vector AS' });
    await t.db.organizations.configureAccounting({
      organizationId: ORG,
      enabled: true,
      config: { accountingSystem: 'xledger', connection: LEGACY_CREDENTIALS as never },
    });
    const endpoint = await webhookStoreFor(t.db).createEndpoint({
      organizationId: ORG,
      url: 'http://127.0.0.1:1/vector',
      events: ['sync.failed'],
      secretCiphertext: LEGACY_WEBHOOK_SECRET,
      createdBy: null,
    });

    // Same operator key: nothing to open with another key, but the format moves on.
    const current = new CredentialCipher(KEY);
    expect((await rotateCredentials(t.db, current)).resealed).toEqual([ORG]);
    expect((await rotateWebhookSecrets(t.db, new SecretBox(KEY))).resealed).toEqual([endpoint.id]);

    // Then a new key, the old one listed as previous, and afterwards the new one alone.
    const next = randomBytes(32);
    expect((await rotateCredentials(t.db, new CredentialCipher(next, [KEY]))).resealed).toEqual([ORG]);
    expect((await rotateWebhookSecrets(t.db, new SecretBox(next, [KEY]))).resealed).toEqual([endpoint.id]);
    const connection = (await t.db.organizations.getAccountingModule(ORG))?.config?.connection;
    expect(new CredentialCipher(next).open(ORG, connection)).toEqual(LEGACY_CREDENTIALS_PLAIN);
    const sealed = (await webhookStoreFor(t.db).getEndpoint(endpoint.id))?.secretCiphertext ?? '';
    expect(sealed.startsWith(`v2.${credentialsKeyId(next)}.`)).toBe(true);
    expect(new SecretBox(next).open(sealed)).toBe(LEGACY_WEBHOOK_PLAIN);
    expect((await rotateCredentials(t.db, new CredentialCipher(next))).unchanged).toEqual([ORG]);
  });
});
