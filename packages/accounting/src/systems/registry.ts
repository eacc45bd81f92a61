import type { AccountingSystem } from '@meander/domain';
import type { AccountingSystemModule, AccountingSystemRegistry } from './accounting-system-module.js';
import { dynamicsSystem } from './dynamics/dynamics-system.js';
import { xledgerSystem } from './xledger/xledger-system.js';

/**
 * Every accounting system the product posts to, one module each. `satisfies` a mapped type over
 * the domain's `ACCOUNTING_SYSTEMS`: a system added there does not compile until its module is
 * listed here, and a module listed under another system's key does not compile either.
 */
export const ACCOUNTING_SYSTEM_MODULES = {
  xledger: xledgerSystem,
  dynamics: dynamicsSystem,
} as const satisfies AccountingSystemRegistry;

/**
 * The module of `system`, or undefined for a value that is not a known system (a stored
 * configuration is data: it may name a system this build does not know).
 */
export function accountingSystemModule(system: string): AccountingSystemModule | undefined {
  return Object.hasOwn(ACCOUNTING_SYSTEM_MODULES, system)
    ? ACCOUNTING_SYSTEM_MODULES[system as AccountingSystem]
    : undefined;
}
