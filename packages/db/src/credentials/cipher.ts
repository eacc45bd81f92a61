import { randomBytes } from 'node:crypto';
import type { AccountingConnection } from '@meander/domain';
import { Keyring, parseRootKey, rootKeyId, SealError, sealedValueKeyId } from './sealing.js';

/** The one key a sealed connection carries: `{ "$encrypted": "<sealed value>" }` (format in sealing.ts). */
export const SEALED_FIELD = '$encrypted';

/** A credentials key could not open a sealed connection; names the key id, never any secret. */
export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
  readonly code = 'CREDENTIALS_UNREADABLE';
}

/** Parse `CREDENTIALS_KEY` (base64 of exactly 32 bytes). The error never echoes the value. */
export function parseCredentialsKey(base64: string, name = 'CREDENTIALS_KEY'): Buffer {
  return parseRootKey(base64, name);
}

/** A key's id: first 12 hex digits of SHA-256 over the key (identifies, does not reveal). */
export function credentialsKeyId(key: Buffer): string {
  return rootKeyId(key);
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
  return isSealed(connection) ? sealedValueKeyId(connection[SEALED_FIELD]) : null;
}

/**
 * An organization's accounting connection settings sealed with the product's one sealing
 * primitive ({@link Keyring}, purpose `credentials`): the organization id is authenticated data,
 * so a ciphertext copied onto another organization does not open. Seals with the current key;
 * opens with the current or any previous key (rotation), in the current or the earlier format.
 */
export class CredentialCipher {
  readonly keyId: string;
  readonly keyring: Keyring;

  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    this.keyring = new Keyring(current, previous);
    this.keyId = this.keyring.keyId;
  }

  /** A throwaway key (tests). */
  static generate(): CredentialCipher {
    return new CredentialCipher(randomBytes(32));
  }

  seal(organizationId: string, connection: AccountingConnection): { [SEALED_FIELD]: string } {
    return { [SEALED_FIELD]: this.keyring.seal('credentials', organizationId, JSON.stringify(connection)) };
  }

  /** Whether a stored connection is sealed in the current format under the current key. */
  isCurrent(connection: unknown): boolean {
    return isSealed(connection) && this.keyring.isCurrent(connection[SEALED_FIELD]);
  }

  /**
   * The plaintext settings. Call this only where the adapter is built. A plaintext (legacy) value is
   * returned as it is; `pnpm db:rotate-credentials` seals those.
   */
  open(organizationId: string, connection: unknown): AccountingConnection | undefined {
    if (connection === undefined || connection === null) return undefined;
    if (!isSealed(connection)) return connection as AccountingConnection;
    let plain: string;
    try {
      plain = this.keyring.open('credentials', organizationId, connection[SEALED_FIELD]);
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
      throw new CredentialsError(
        error.reason === 'format'
          ? 'The stored credentials are not in a format this version reads'
          : error.reason === 'unknown-key'
            ? `The stored credentials were encrypted under key ${error.keyId}, which is not configured (CREDENTIALS_KEY, CREDENTIALS_PREVIOUS_KEYS)`
            : `The stored credentials do not decrypt under key ${error.keyId} for this organization (altered, or moved from another organization)`,
      );
    }
    return JSON.parse(plain) as AccountingConnection;
  }
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
