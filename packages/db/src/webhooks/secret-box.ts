import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for webhook signing secrets at rest. The key is derived (HKDF-SHA256, info
 * `meander/webhook-secrets`) from the 32-byte CREDENTIALS_KEY the apps read, so one operator key
 * protects both credentials and webhook secrets without one ciphertext ever decrypting as the
 * other. Each ciphertext carries a key id, so a rotated key is detected rather than misread.
 * Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts).
 */
export class SecretBox {
  private readonly key: Buffer;
  readonly keyId: string;
  /** Derived keys by id: the current one and those of CREDENTIALS_PREVIOUS_KEYS (rotation). */
  private readonly keys: Map<string, Buffer>;

  constructor(rootKey: Buffer, previous: readonly Buffer[] = []) {
    const derived = [rootKey, ...previous].map((root) => {
      if (root.length !== 32) throw new RangeError('The credentials key must be 32 bytes');
      const key = Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), 'meander/webhook-secrets', 32));
      return [createHash('sha256').update(key).digest('hex').slice(0, 12), key] as const;
    });
    const [current] = derived;
    if (!current) throw new RangeError('The credentials key must be 32 bytes');
    [this.keyId, this.key] = current;
    this.keys = new Map(derived);
  }

  /** `base64` text of 32 bytes (the CREDENTIALS_KEY form) → a box. */
  static fromBase64(value: string): SecretBox {
    return new SecretBox(Buffer.from(value, 'base64'));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
    return ['v1', this.keyId, ...parts].join('.');
  }

  /** The key id a sealed secret was sealed under (to tell whether a rotation must re-seal it). */
  static keyIdOf(sealed: string): string | undefined {
    return sealed.split('.')[1];
  }

  /** Opens a secret sealed under the current key or any previous one. */
  open(sealed: string): string {
    const [version, keyId, iv, tag, data] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('Not a sealed webhook secret');
    const key = keyId ? this.keys.get(keyId) : undefined;
    if (!key) {
      throw new Error(
        `Webhook secret was sealed under key ${keyId}, which is not configured (CREDENTIALS_KEY, CREDENTIALS_PREVIOUS_KEYS)`,
      );
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }
}

function parseRootKey(value: string, name: string): Buffer {
  const key = Buffer.from(value.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${name} must be base64 of exactly 32 bytes`);
  return key;
}

/**
 * The box both the API and the worker use. Outside production, with CREDENTIALS_KEY unset: a fixed,
 * public development key (so the two processes agree), never accepted in production.
 * `previous` is CREDENTIALS_PREVIOUS_KEYS (comma-separated): secrets sealed under them still open
 * until `pnpm db:rotate-credentials` re-seals them.
 */
export function secretBoxFromEnv(
  value: string | undefined,
  production: boolean,
  previous?: string,
): SecretBox {
  const older = (previous ?? '')
    .split(',')
    .filter((k) => k.trim())
    .map((k) => parseRootKey(k, 'CREDENTIALS_PREVIOUS_KEYS'));
  if (value) return new SecretBox(parseRootKey(value, 'CREDENTIALS_KEY'), older);
  if (production) throw new Error('CREDENTIALS_KEY is required when NODE_ENV=production');
  return new SecretBox(createHash('sha256').update('meander development credentials key').digest(), older);
}
