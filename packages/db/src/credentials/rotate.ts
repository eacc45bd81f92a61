import type { Database } from '../store/port.js';
import { type CredentialCipher, isSealed } from './cipher.js';

/** What a rotation did, per organization id (no secrets). */
export interface RotationReport {
  keyId: string;
  resealed: string[];
  sealedFromPlaintext: string[];
  unchanged: string[];
  failed: { organizationId: string; reason: string }[];
}

/**
 * Re-seal every organization's accounting credentials in the current format under the cipher's
 * current key (opening them with the current or a previous key, in either format), and seal any
 * still stored as plaintext. Safe to run again: values already current are left alone. `db` must
 * be the plain database (not wrapped by `withCredentials`): the sealed value is written as given.
 */
export async function rotateCredentials(db: Database, cipher: CredentialCipher): Promise<RotationReport> {
  const report: RotationReport = {
    keyId: cipher.keyId,
    resealed: [],
    sealedFromPlaintext: [],
    unchanged: [],
    failed: [],
  };
  for (const organization of await db.organizations.list()) {
    const module = await db.organizations.getAccountingModule(organization.id);
    const connection = module?.config?.connection;
    if (!module?.config || !connection) continue;
    if (cipher.isCurrent(connection)) {
      report.unchanged.push(organization.id);
      continue;
    }
    try {
      const plain = cipher.open(organization.id, connection);
      if (!plain) continue;
      await db.organizations.configureAccounting({
        organizationId: organization.id,
        enabled: module.enabled,
        config: { ...module.config, connection: cipher.seal(organization.id, plain) },
      });
      (isSealed(connection) ? report.resealed : report.sealedFromPlaintext).push(organization.id);
    } catch (error) {
      report.failed.push({ organizationId: organization.id, reason: (error as Error).message });
    }
  }
  return report;
}
