import { ensureSecretFile } from '../secret-file.js';
import { CheckpointSigner, generateSigningKeyPem } from './signing.js';

/** Where development processes keep the checkpoint signing key when `AUDIT_SIGNING_KEY` is unset. */
export const DEV_AUDIT_SIGNING_KEY_PATH = './data/audit-signing-key.pem';

/**
 * The signer for `AUDIT_SIGNING_KEY` (PEM or path). Unset: refused in production; in development
 * the key file under ./data is used, created (0600) on first start, so the API, the worker and
 * `pnpm start` share one key.
 */
export function loadCheckpointSigner(
  setting: string | undefined,
  options: { production: boolean; devKeyPath?: string },
): { signer: CheckpointSigner; source: 'configured' | 'dev-file' | 'dev-file-created' } {
  if (setting) return { signer: CheckpointSigner.fromSetting(setting), source: 'configured' };
  if (options.production) {
    throw new Error(
      'AUDIT_SIGNING_KEY is required when NODE_ENV=production (an Ed25519 private key, PEM or a path to it)',
    );
  }
  const file = ensureSecretFile(options.devKeyPath ?? DEV_AUDIT_SIGNING_KEY_PATH, generateSigningKeyPem);
  return {
    signer: CheckpointSigner.fromSetting(file.value),
    source: file.created ? 'dev-file-created' : 'dev-file',
  };
}
