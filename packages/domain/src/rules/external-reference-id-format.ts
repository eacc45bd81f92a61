import { ACCOUNTING_SYSTEM_DESCRIPTIONS } from '../accounting-systems.js';
import { ACCOUNTING_SYSTEMS, type AccountingSystem } from '../enums.js';
import type { ValidationIssue } from '../errors.js';

/** The shape each accounting system's batch reference is expected to have (from {@link ACCOUNTING_SYSTEM_DESCRIPTIONS}). */
export const EXTERNAL_REFERENCE_FORMATS: Readonly<Record<AccountingSystem, RegExp>> = Object.fromEntries(
  ACCOUNTING_SYSTEMS.map((system) => [
    system,
    ACCOUNTING_SYSTEM_DESCRIPTIONS[system].externalReferenceFormat,
  ]),
) as Record<AccountingSystem, RegExp>;

/**
 * `external_reference_id_format` (warning): the reference should have the system's shape. A value
 * of another shape is still kept — the ledger said it — but flagged for an operator to look at.
 */
export function checkExternalReferenceIdFormat(
  accountingSystem: AccountingSystem,
  externalReferenceId: string | null | undefined,
): ValidationIssue[] {
  if (externalReferenceId === null || externalReferenceId === undefined) return [];
  const { externalReferenceFormat, externalReferenceDescription } =
    ACCOUNTING_SYSTEM_DESCRIPTIONS[accountingSystem];
  if (externalReferenceFormat.test(externalReferenceId)) return [];
  return [
    {
      rule: 'external_reference_id_format',
      severity: 'warning',
      path: ['externalReferenceId'],
      message: `externalReferenceId "${externalReferenceId.slice(0, 80)}" is not ${externalReferenceDescription} as ${accountingSystem} returns`,
    },
  ];
}
