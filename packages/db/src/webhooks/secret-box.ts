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

  constructor(rootKey: Buffer) {
    if (rootKey.length !== 32) throw new RangeError('The credentials key must be 32 bytes');
    this.key = Buffer.from(hkdfSync('sha256', rootKey, Buffer.alloc(0), 'meander/webhook-secrets', 32));
    this.keyId = createHash('sha256').update(this.key).digest('hex').slice(0, 12);
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

  open(sealed: string): string {
    const [version, keyId, iv, tag, data] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('Not a sealed webhook secret');
    if (keyId !== this.keyId) {
      throw new Error(`Webhook secret was sealed under key ${keyId}, not the configured key ${this.keyId}`);
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }
}

/**
 * The box both the API and the worker use when CREDENTIALS_KEY is unset outside production: a
 * fixed, public development key (so the two processes agree), never accepted in production.
 */
export function secretBoxFromEnv(value: string | undefined, production: boolean): SecretBox {
  if (value) {
    const key = Buffer.from(value, 'base64');
    if (key.length !== 32) throw new Error('CREDENTIALS_KEY must be base64 of exactly 32 bytes');
    return new SecretBox(key);
  }
  if (production) throw new Error('CREDENTIALS_KEY is required when NODE_ENV=production');
  return new SecretBox(createHash('sha256').update('meander development credentials key').digest());
}
