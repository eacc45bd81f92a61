import { DomainError } from '@meander/domain';
import type { Database, OrganizationStore } from '../store/port.js';
import { type CredentialCipher, isSealed } from './cipher.js';

/** The domain bounds each connection value at 2,000 characters; the sealed string is one value. */
const MAX_SEALED_LENGTH = 2_000;

/**
 * The same database, whose `organizations.configureAccounting` seals the connection settings with
 * AES-256-GCM before they are written. Reads return the sealed form: only the code that builds an
 * adapter calls `cipher.open`. A Proxy, so it holds whatever shape the stores take.
 */
export function withCredentials<D extends Database>(db: D, cipher: CredentialCipher): D {
  const organizations = new Proxy(db.organizations, {
    get(target, property) {
      if (property === 'configureAccounting') {
        return async (input: Parameters<OrganizationStore['configureAccounting']>[0]) => {
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
          return target.configureAccounting({ ...input, config });
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return new Proxy(db, {
    get(target, property) {
      if (property === 'organizations') return organizations;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
