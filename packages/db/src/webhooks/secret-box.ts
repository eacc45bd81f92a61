import { createHash } from 'node:crypto';
import {
  Keyring,
  parsePreviousKeys,
  parseRootKey,
  SealError,
  sealedValueKeyId,
} from '../credentials/sealing.js';

/**
 * Webhook signing secrets at rest, sealed with the product's one sealing primitive
 * ({@link Keyring}, purpose `webhook-secret`) under CREDENTIALS_KEY: one operator key protects
 * credentials and webhook secrets without one ciphertext ever opening as the other. Secrets
 * sealed under CREDENTIALS_PREVIOUS_KEYS, or in the earlier format, open until
 * `pnpm db:rotate-credentials` re-seals them.
 */
export class SecretBox {
  readonly keyId: string;
  private readonly keyring: Keyring;

  constructor(rootKey: Buffer | Keyring, previous: readonly Buffer[] = []) {
    this.keyring = rootKey instanceof Keyring ? rootKey : new Keyring(rootKey, previous);
    this.keyId = this.keyring.keyId;
  }

  /** `base64` text of 32 bytes (the CREDENTIALS_KEY form) → a box. */
  static fromBase64(value: string): SecretBox {
    return new SecretBox(parseRootKey(value));
  }

  seal(plaintext: string): string {
    return this.keyring.seal('webhook-secret', '', plaintext);
  }

  /** The key id a sealed secret was sealed under. */
  static keyIdOf(sealed: string): string | undefined {
    return sealedValueKeyId(sealed) ?? undefined;
  }

  /** Whether a secret is sealed in the current format under the current key (else a rotation re-seals it). */
  isCurrent(sealed: string): boolean {
    return this.keyring.isCurrent(sealed);
  }

  /** Opens a secret sealed under the current key or any previous one, in either format. */
  open(sealed: string): string {
    try {
      return this.keyring.open('webhook-secret', '', sealed);
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
      throw new Error(
        error.reason === 'format'
          ? 'Not a sealed webhook secret'
          : error.reason === 'unknown-key'
            ? `Webhook secret was sealed under key ${error.keyId}, which is not configured (CREDENTIALS_KEY, CREDENTIALS_PREVIOUS_KEYS)`
            : `Webhook secret does not open under key ${error.keyId} (altered)`,
      );
    }
  }
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
  const older = parsePreviousKeys(previous);
  if (value) return new SecretBox(parseRootKey(value, 'CREDENTIALS_KEY'), older);
  if (production) throw new Error('CREDENTIALS_KEY is required when NODE_ENV=production');
  return new SecretBox(createHash('sha256').update('meander development credentials key').digest(), older);
}
