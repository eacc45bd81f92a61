/**
 * `pnpm db:rotate-credentials`: re-encrypt every organization's accounting credentials and every
 * webhook endpoint's signing secret under CREDENTIALS_KEY, opening them with CREDENTIALS_KEY or any
 * key in CREDENTIALS_PREVIOUS_KEYS; also seals credentials still stored as plaintext. Prints one
 * line per kind; exit 1 if any failed.
 */
import {
  DEFAULT_DATABASE_URL,
  loadCredentialCipher,
  openDatabase,
  rotateCredentials,
  rotateWebhookSecrets,
  secretBoxFromEnv,
} from '../index.js';

const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
try {
  const { cipher, source } = loadCredentialCipher(process.env.CREDENTIALS_KEY, {
    production: process.env.NODE_ENV === 'production',
    previous: process.env.CREDENTIALS_PREVIOUS_KEYS,
  });
  const db = await openDatabase(url, { migrate: false });
  try {
    const report = await rotateCredentials(db, cipher);
    console.log(
      `credentials under key ${report.keyId}${source === 'configured' ? '' : ' (development key in ./data)'}: ` +
        `${report.resealed.length} re-encrypted, ${report.sealedFromPlaintext.length} plaintext sealed, ` +
        `${report.unchanged.length} already current, ${report.failed.length} failed`,
    );
    for (const f of report.failed) console.error(`  ${f.organizationId}: ${f.reason}`);
    const production = process.env.NODE_ENV === 'production';
    const box = secretBoxFromEnv(
      process.env.CREDENTIALS_KEY,
      production,
      process.env.CREDENTIALS_PREVIOUS_KEYS,
    );
    const webhooks = await rotateWebhookSecrets(db, box);
    console.log(
      `webhook secrets under key ${webhooks.keyId}: ${webhooks.resealed.length} re-encrypted, ` +
        `${webhooks.unchanged.length} already current, ${webhooks.failed.length} failed`,
    );
    for (const f of webhooks.failed) console.error(`  webhook ${f.endpointId}: ${f.reason}`);
    process.exitCode = report.failed.length + webhooks.failed.length > 0 ? 1 : 0;
  } finally {
    await db.close();
  }
} catch (error) {
  console.error(`db:rotate-credentials: ${(error as Error).message}`);
  process.exitCode = 1;
}
