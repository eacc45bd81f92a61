import type { AccountingConnection, AccountingModuleState, AccountingSystem } from '@meander/domain';
import type { AdapterOptions } from './adapter-options.js';
import { parseConnection } from './connection-settings.js';
import { DynamicsAdapter } from './dynamics/dynamics-adapter.js';
import { dynamicsConnectionSchema } from './dynamics/dynamics-connection.js';
import {
  type AccountingAdapter,
  AccountingError,
  type ConnectionReport,
  type PreflightCapable,
} from './port.js';
import { XledgerAdapter } from './xledger/xledger-adapter.js';
import { xledgerConnectionSchema } from './xledger/xledger-connection.js';

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
  switch (system) {
    case 'xledger':
      return new XledgerAdapter(parseConnection(system, xledgerConnectionSchema, connection), options);
    case 'dynamics':
      return new DynamicsAdapter(parseConnection(system, dynamicsConnectionSchema, connection), options);
    default:
      throw new AccountingError(`Unknown accounting system ${String(system)}`, {
        code: 'UNKNOWN_SYSTEM',
        category: 'configuration',
        retryable: false,
      });
  }
}

/** True when `adapter` can plan a push and report on its connection (both systems can). */
export function isPreflightCapable(
  adapter: AccountingAdapter,
): adapter is AccountingAdapter & PreflightCapable {
  const candidate = adapter as Partial<PreflightCapable>;
  return typeof candidate.preflight === 'function' && typeof candidate.inspectConnection === 'function';
}

/**
 * The adapter for an organization from its stored `admin-accounting` module — the one factory
 * the worker (to post) and the API (to preview, to check a connection) share. A disabled or
 * unconfigured module is a non-retryable `configuration` error.
 */
export function createAdapterForModule(
  organizationId: string,
  module: AccountingModuleState | null | undefined,
  options: AdapterOptions = {},
): AccountingAdapter {
  if (!module?.enabled || !module.config) {
    throw new AccountingError(
      `Organization ${organizationId} has no enabled accounting module configuration`,
      { code: 'ACCOUNTING_MODULE_DISABLED', category: 'configuration', retryable: false },
    );
  }
  return createAdapter(module.config.accountingSystem, module.config.connection, options);
}

/**
 * The connection report of an organization from its stored module: settings that do not parse
 * (a missing `contraAccount`, …) become a failing `settings` check naming each key, so a report
 * always answers; otherwise the adapter's own read-only checks.
 */
export async function inspectOrganizationConnection(
  organizationId: string,
  module: AccountingModuleState | null | undefined,
  options: AdapterOptions = {},
  signal?: AbortSignal,
): Promise<ConnectionReport> {
  let adapter: AccountingAdapter;
  try {
    adapter = createAdapterForModule(organizationId, module, options);
  } catch (error) {
    if (!(error instanceof AccountingError)) throw error;
    return { ok: false, checks: [{ name: 'settings', ok: false, message: error.message }] };
  }
  if (isPreflightCapable(adapter)) {
    const report = await adapter.inspectConnection(signal);
    return {
      ok: report.ok,
      checks: [{ name: 'settings', ok: true, message: 'Connection settings are complete' }, ...report.checks],
    };
  }
  const check = await adapter.checkConnection(signal);
  return {
    ok: check.ok,
    checks: [
      { name: 'credentials', ok: check.ok, message: check.ok ? 'The ledger answers' : check.error.message },
    ],
  };
}
