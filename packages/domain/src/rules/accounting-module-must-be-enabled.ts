import type { AccountingModuleState } from '../accounting-module.js';
import { ACCOUNTING_MODULE } from '../enums.js';
import { DomainError } from '../errors.js';

/**
 * `accounting_module_must_be_enabled`: decided from the organization's `admin-accounting`
 * module configuration the caller looked up (`null` when it has none). Throws
 * `ACCOUNTING_MODULE_DISABLED`.
 */
export function assertAccountingModuleEnabled(
  organizationId: string,
  moduleState: AccountingModuleState | null | undefined,
): void {
  if (moduleState?.enabled) return;
  throw new DomainError(
    'ACCOUNTING_MODULE_DISABLED',
    `Organization ${organizationId} does not have the ${ACCOUNTING_MODULE} module enabled`,
    [
      {
        rule: 'accounting_module_must_be_enabled',
        severity: 'error',
        path: ['organizationId'],
        message: `Enable the ${ACCOUNTING_MODULE} module for organization ${organizationId} before syncing`,
      },
    ],
  );
}
