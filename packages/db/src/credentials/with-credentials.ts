import { DomainError } from '@meander/domain';
import type { Database, OrganizationStore } from '../store/port.js';
import { withStoreOverrides } from '../store/with-store-overrides.js';
import { type CredentialCipher, isSealed } from './cipher.js';

/** The domain bounds each connection value at 2,000 characters; the sealed string is one value. */
const MAX_SEALED_LENGTH = 2_000;

/**
 * The same database, whose `organizations.configureAccounting` seals the connection settings with
 * AES-256-GCM before they are written. Reads return the sealed form: only the code that builds an
 * adapter calls `cipher.open`.
 */
export function withCredentials<D extends Database>(db: D, cipher: CredentialCipher): D {
  return withStoreOverrides(db, 'organizations', (store) => ({
    async configureAccounting(input: Parameters<OrganizationStore['configureAccounting']>[0]) {
      const connection = input.config.connection;
      const sealed =
        connection && !isSealed(connection) ? cipher.seal(input.organizationId, connection) : null;
      if (sealed && sealed.$encrypted.length > MAX_SEALED_LENGTH) {
        throw new DomainError('VALIDATION_FAILED', 'The connection settings are too large to store', [
          {
            rule: 'schema',
            severity: 'error',
            path: ['connection'],
            message: `At most about ${Math.floor((MAX_SEALED_LENGTH * 3) / 4) - 60} bytes of settings in total`,
          },
        ]);
      }
      const config = sealed ? { ...input.config, connection: sealed } : input.config;
      return store.configureAccounting({ ...input, config });
    },
  }));
}
