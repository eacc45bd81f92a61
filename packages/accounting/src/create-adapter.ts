import type { AccountingConnection, AccountingModuleState, AccountingSystem } from '@meander/domain';
import type { AdapterOptions } from './adapter-options.js';
import { type AccountingAdapter, AccountingError } from './port.js';
import { accountingSystemModule } from './systems/registry.js';

/**
 * The adapter for an organization's accounting system, from the `connection` of its
 * `admin-accounting` configuration. Missing or malformed settings throw a non-retryable
 * `configuration` error naming the keys (never their values).
 */
export function createAdapter(
  system: AccountingSystem,
  connection: AccountingConnection | null | undefined,
  options: AdapterOptions = {},
): AccountingAdapter {
  const module = accountingSystemModule(system);
  if (!module) {
    throw new AccountingError(`Unknown accounting system ${String(system)}`, {
      code: 'UNKNOWN_SYSTEM',
      category: 'configuration',
      retryable: false,
    });
  }
  return module.createAdapter(connection, options);
}

/**
 * Opens an organization's stored connection settings (they may be encrypted at rest); it throws
 * with a message that names no secret when it cannot.
 */
export type OpenConnection = (
  organizationId: string,
  connection: unknown,
) => AccountingConnection | undefined;

/**
 * The connection settings of a stored module, opened for an adapter. A failure to open them is a
 * non-retryable `configuration` error (`CREDENTIALS_UNREADABLE`), never a secret in a message.
 */
export function openModuleConnection(
  organizationId: string,
  connection: unknown,
  open: OpenConnection = (_id, c) => (c ?? undefined) as AccountingConnection | undefined,
): AccountingConnection | undefined {
  try {
    return open(organizationId, connection);
  } catch (error) {
    throw new AccountingError(error instanceof Error ? error.message : String(error), {
      code: 'CREDENTIALS_UNREADABLE',
      category: 'configuration',
      retryable: false,
    });
  }
}

/**
 * The adapter for an organization from its stored `admin-accounting` module — the one factory
 * the worker (to post) and the API (to preview, to check a connection) share. A disabled or
 * unconfigured module is a non-retryable `configuration` error; `open` decrypts the settings.
 */
export function createAdapterForModule(
  organizationId: string,
  module: AccountingModuleState | null | undefined,
  options: AdapterOptions = {},
  open?: OpenConnection,
): AccountingAdapter {
  if (!module?.enabled || !module.config) {
    throw new AccountingError(
      `Organization ${organizationId} has no enabled accounting module configuration`,
      { code: 'ACCOUNTING_MODULE_DISABLED', category: 'configuration', retryable: false },
    );
  }
  const connection = openModuleConnection(organizationId, module.config.connection, open);
  return createAdapter(module.config.accountingSystem, connection, options);
}
