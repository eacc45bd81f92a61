import {
  type AccountingAdapter,
  AccountingError,
  type AdapterOptions,
  type ConnectionReport,
  createAdapter,
  openModuleConnection,
} from '@meander/accounting';
import { type CredentialCipher, type Database, openStoredConnection } from '@meander/db';

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
  let adapter: AccountingAdapter;
  try {
    const connection = openModuleConnection(organizationId, module.config?.connection, (id, c) =>
      openStoredConnection(credentials, id, c),
    );
    adapter = createAdapter(system, connection, options);
  } catch (error) {
    if (error instanceof AccountingError) return fail('settings', error.message);
    throw error;
  }
  const report = await adapter.inspectConnection();
  const moduleCheck = {
    name: 'module',
    ok: true,
    message: `${system} export is ${module.enabled ? 'enabled' : 'disabled'} for this organization`,
  };
  return { ok: report.ok, checks: [moduleCheck, ...report.checks] };
}

function fail(name: string, message: string): ConnectionReport {
  return { ok: false, checks: [{ name, ok: false, message }] };
}
