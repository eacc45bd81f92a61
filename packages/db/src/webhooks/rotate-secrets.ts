import type { Database } from '../store/port.js';
import type { SecretBox } from './secret-box.js';
import { webhookStoreFor } from './store.js';

/** What a rotation of webhook secrets did, per endpoint id (no secrets). */
export interface WebhookSecretRotation {
  keyId: string;
  resealed: string[];
  unchanged: string[];
  failed: { endpointId: string; reason: string }[];
}

/**
 * Re-seal every webhook endpoint's signing secret under the box's current key, opening it with the
 * current or a previous key. Run by `pnpm db:rotate-credentials` beside the credentials, so that
 * dropping an old key from CREDENTIALS_PREVIOUS_KEYS afterwards breaks no webhook. Safe to repeat.
 */
export async function rotateWebhookSecrets(db: Database, box: SecretBox): Promise<WebhookSecretRotation> {
  const store = webhookStoreFor(db);
  const report: WebhookSecretRotation = { keyId: box.keyId, resealed: [], unchanged: [], failed: [] };
  for (const { id, secretCiphertext } of await store.allSealedSecrets()) {
    if (box.isCurrent(secretCiphertext)) {
      report.unchanged.push(id);
      continue;
    }
    try {
      await store.replaceSealedSecret(id, box.seal(box.open(secretCiphertext)));
      report.resealed.push(id);
    } catch (error) {
      report.failed.push({ endpointId: id, reason: (error as Error).message });
    }
  }
  return report;
}
