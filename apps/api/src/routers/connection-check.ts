import {
  type AccountingAdapter,
  AccountingError,
  type AdapterOptions,
  type ConnectionReport,
  createAdapter,
  openModuleConnection,
} from '@meander/accounting';
import { type CredentialCipher, type Database, openStoredConnection } from '@meander/db';
import type { AccountingConnection, AccountingSystem } from '@meander/domain';

/**
 * A connection check answers within seconds even when the ledger does not: few attempts, short
 * timeouts. Only read-only calls are made (the adapters' `inspectConnection`).
 */
const CHECK_OPTIONS: AdapterOptions = {
  retry: {
    maxAttempts: 2,
    baseDelayMs: 200,
    maxDelayMs: 1_000,
    requestTimeoutMs: 10_000,
    maxTotalWaitMs: 5_000,
  },
};

/**
 * Run the read-only connection checks of an organization's accounting system: credentials,
 * company/journal (or Xledger entity) and the configured accounts. Settings that cannot even be
 * read are one failing `settings` check naming the keys; nothing is thrown for a ledger's answer.
 */
export async function checkOrganizationConnection(
  db: Database,
  credentials: CredentialCipher | null,
  organizationId: string,
  options: AdapterOptions = CHECK_OPTIONS,
): Promise<ConnectionReport> {
  const module = await db.organizations.getAccountingModule(organizationId);
  const system = module?.config?.accountingSystem;
  if (!module || !system) {
    return fail(
      'settings',
      'No accounting system is configured for this organization (organizations.configureAccounting)',
    );
  }
  let connection: AccountingConnection | undefined;
  try {
    connection = openModuleConnection(organizationId, module.config?.connection, (id, c) =>
      openStoredConnection(credentials, id, c),
    );
  } catch (error) {
    if (error instanceof AccountingError) return fail('settings', error.message);
    throw error;
  }
  const adapter = adapterOrFailure(system, connection, options);
  if (!('system' in adapter)) return adapter;
  const report = await adapter.inspectConnection();
  const moduleCheck = {
    name: 'module',
    ok: true,
    message: `${system} export is ${module.enabled ? 'enabled' : 'disabled'} for this organization`,
  };
  return { ok: report.ok, checks: [moduleCheck, ...report.checks] };
}

/**
 * The same read-only checks for settings not stored yet (`configureAccounting` with
 * `verifyConnection`): settings that do not parse are one failing `settings` check naming the keys.
 */
export async function checkConnectionSettings(
  system: AccountingSystem,
  connection: AccountingConnection | undefined,
  options: AdapterOptions = CHECK_OPTIONS,
): Promise<ConnectionReport> {
  const adapter = adapterOrFailure(system, connection, options);
  return 'system' in adapter ? adapter.inspectConnection() : adapter;
}

/** The adapter for these settings, or the failing `settings` report that names what is wrong. */
function adapterOrFailure(
  system: AccountingSystem,
  connection: AccountingConnection | undefined,
  options: AdapterOptions,
): AccountingAdapter | ConnectionReport {
  try {
    return createAdapter(system, connection, options);
  } catch (error) {
    if (error instanceof AccountingError) return fail('settings', error.message);
    throw error;
  }
}

function fail(name: string, message: string): ConnectionReport {
  return { ok: false, checks: [{ name, ok: false, message }] };
}
