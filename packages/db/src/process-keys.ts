import { z } from 'zod';
import { DEFAULT_SIGNING_BOUND } from './checkpoints/checkpointer.js';

/**
 * The keys every process that writes sync logs reads (API and worker): the checkpoint signing key
 * and its bound, and the credentials key with the older ones still accepted while rotating.
 */
export const processKeysEnvShape = {
  AUDIT_SIGNING_KEY: z.string().min(1).optional(),
  /** How long a chain head may wait for its checkpoint (ms, at most 100 seals); 0 signs every seal. */
  AUDIT_CHECKPOINT_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(60_000)
    .default(DEFAULT_SIGNING_BOUND.intervalMs),
  CREDENTIALS_KEY: z.string().min(1).optional(),
  CREDENTIALS_PREVIOUS_KEYS: z.string().optional(),
};

/** {@link processKeysEnvShape} as read. */
export interface ProcessKeys {
  /** `AUDIT_SIGNING_KEY` as given (PEM or path); unset means the development key file under ./data. */
  auditSigningKey: string | undefined;
  /** `AUDIT_CHECKPOINT_INTERVAL_MS`: how long a sealed head may wait for its checkpoint. */
  checkpointIntervalMs: number;
  /** `CREDENTIALS_KEY` (base64, 32 bytes) and the previous keys still accepted while rotating. */
  credentialsKey: string | undefined;
  previousCredentialsKeys: string | undefined;
}

/** The keys out of a parsed environment. */
export function processKeysOf(e: {
  AUDIT_SIGNING_KEY?: string | undefined;
  AUDIT_CHECKPOINT_INTERVAL_MS: number;
  CREDENTIALS_KEY?: string | undefined;
  CREDENTIALS_PREVIOUS_KEYS?: string | undefined;
}): ProcessKeys {
  return {
    auditSigningKey: e.AUDIT_SIGNING_KEY,
    checkpointIntervalMs: e.AUDIT_CHECKPOINT_INTERVAL_MS,
    credentialsKey: e.CREDENTIALS_KEY,
    previousCredentialsKeys: e.CREDENTIALS_PREVIOUS_KEYS,
  };
}
