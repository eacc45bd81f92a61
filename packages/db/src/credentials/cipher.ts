import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { AccountingConnection } from '@meander/domain';

/** The one key a sealed connection carries: `{ "$encrypted": "v1.<keyId>.<iv>.<tag>.<ciphertext>" }`. */
export const SEALED_FIELD = '$encrypted';
const VERSION = 'v1';

/** A credentials key could not open a sealed connection; names the key id, never any secret. */
export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
  readonly code = 'CREDENTIALS_UNREADABLE';
}

/** Parse `CREDENTIALS_KEY` (base64 of exactly 32 bytes). The error never echoes the value. */
export function parseCredentialsKey(base64: string, name = 'CREDENTIALS_KEY'): Buffer {
  const text = base64.trim();
  const key = Buffer.from(text, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || key.length !== 32) {
    throw new Error(`${name} must be 32 random bytes, base64-encoded (e.g. openssl rand -base64 32)`);
  }
  return key;
}

/** A key's id: first 12 hex digits of SHA-256 over the key (identifies, does not reveal). */
export function credentialsKeyId(key: Buffer): string {
  return createHash('sha256').update('meander-credentials-key-id').update(key).digest('hex').slice(0, 12);
}

/** Whether a stored connection is sealed (as opposed to legacy plaintext). */
export function isSealed(connection: unknown): connection is { [SEALED_FIELD]: string } {
  return (
    typeof connection === 'object' &&
    connection !== null &&
    typeof (connection as Record<string, unknown>)[SEALED_FIELD] === 'string'
  );
}

/** The key id a sealed connection was encrypted under, or null for plaintext. */
export function sealedKeyId(connection: unknown): string | null {
  return isSealed(connection) ? (connection[SEALED_FIELD].split('.')[1] ?? null) : null;
}

const b64url = (b: Buffer) => b.toString('base64url');

/**
 * AES-256-GCM over an organization's accounting connection settings. The organization id is the
 * additional authenticated data, so a ciphertext copied onto another organization does not open.
 * Seals with the current key; opens with the current or any previous key (rotation).
 */
export class CredentialCipher {
  readonly keyId: string;
  private readonly keys: Map<string, Buffer>;

  constructor(
    private readonly current: Buffer,
    previous: readonly Buffer[] = [],
  ) {
    this.keyId = credentialsKeyId(current);
    this.keys = new Map([...previous, current].map((k) => [credentialsKeyId(k), k]));
  }

  /** A throwaway key (tests). */
  static generate(): CredentialCipher {
    return new CredentialCipher(randomBytes(32));
  }

  seal(organizationId: string, connection: AccountingConnection): { [SEALED_FIELD]: string } {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current, iv);
    cipher.setAAD(aad(organizationId));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(connection), 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return { [SEALED_FIELD]: [VERSION, this.keyId, b64url(iv), b64url(tag), b64url(ciphertext)].join('.') };
  }

  /**
   * The plaintext settings. Call this only where the adapter is built. A plaintext (legacy) value is
   * returned as it is; `pnpm db:rotate-credentials` seals those.
   */
  open(organizationId: string, connection: unknown): AccountingConnection | undefined {
    if (connection === undefined || connection === null) return undefined;
    if (!isSealed(connection)) return connection as AccountingConnection;
    const [version, keyId, iv, tag, ciphertext] = connection[SEALED_FIELD].split('.');
    if (version !== VERSION || !keyId || !iv || !tag || ciphertext === undefined) {
      throw new CredentialsError('The stored credentials are not in a format this version reads');
    }
    const key = this.keys.get(keyId);
    if (!key) {
      throw new CredentialsError(
        `The stored credentials were encrypted under key ${keyId}, which is not configured (CREDENTIALS_KEY, CREDENTIALS_PREVIOUS_KEYS)`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(aad(organizationId));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as AccountingConnection;
    } catch {
      throw new CredentialsError(
        `The stored credentials do not decrypt under key ${keyId} for this organization (altered, or moved from another organization)`,
      );
    }
  }
}

function aad(organizationId: string): Buffer {
  return Buffer.from(`meander-credentials/v1:${organizationId.toLowerCase()}`, 'utf8');
}

/**
 * The plaintext settings of a stored connection, for the code that builds an adapter: sealed ones
 * opened with `cipher`, plaintext (legacy) ones as they are. Throws {@link CredentialsError} (naming
 * a key id, never a secret) when they are sealed and cannot be opened here.
 */
export function openStoredConnection(
  cipher: CredentialCipher | null | undefined,
  organizationId: string,
  connection: unknown,
): AccountingConnection | undefined {
  if (!isSealed(connection)) return (connection ?? undefined) as AccountingConnection | undefined;
  if (!cipher) {
    throw new CredentialsError(
      'The connection settings are encrypted and this process has no CREDENTIALS_KEY',
    );
  }
  return cipher.open(organizationId, connection);
}
