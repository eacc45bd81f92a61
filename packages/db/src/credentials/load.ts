import { randomBytes } from 'node:crypto';
import { ensureSecretFile } from '../secret-file.js';
import { weakKeyReason } from '../secret-strength.js';
import { CredentialCipher, parseCredentialsKey } from './cipher.js';
import { parsePreviousKeys } from './sealing.js';

/** Where development processes keep the credentials key when `CREDENTIALS_KEY` is unset. */
export const DEV_CREDENTIALS_KEY_PATH = './data/credentials.key';

/**
 * The cipher for `CREDENTIALS_KEY` (base64, 32 bytes) plus `CREDENTIALS_PREVIOUS_KEYS` (comma-separated,
 * still accepted for decryption while a rotation runs). Unset: refused in production; in development
 * the key file under ./data is used, created (0600) on first start and shared by every process.
 */
export function loadCredentialCipher(
  setting: string | undefined,
  options: { production: boolean; previous?: string; devKeyPath?: string },
): { cipher: CredentialCipher; source: 'configured' | 'dev-file' | 'dev-file-created' } {
  const previous = parsePreviousKeys(options.previous);
  if (setting) {
    const key = parseCredentialsKey(setting);
    const weak = options.production ? weakKeyReason(key) : null;
    if (weak) {
      throw new Error(
        `CREDENTIALS_KEY ${weak}; refused when NODE_ENV=production (make one: openssl rand -base64 32)`,
      );
    }
    return { cipher: new CredentialCipher(key, previous), source: 'configured' };
  }
  if (options.production) {
    throw new Error(
      'CREDENTIALS_KEY is required when NODE_ENV=production (32 random bytes, base64: openssl rand -base64 32)',
    );
  }
  const file = ensureSecretFile(options.devKeyPath ?? DEV_CREDENTIALS_KEY_PATH, () =>
    randomBytes(32).toString('base64'),
  );
  return {
    cipher: new CredentialCipher(parseCredentialsKey(file.value), previous),
    source: file.created ? 'dev-file-created' : 'dev-file',
  };
}
