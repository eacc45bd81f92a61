import type { AccountingSystem } from '../enums.js';
import type { ValidationIssue } from '../errors.js';

/** Xledger returns `dbId`s: Int64 values sent as strings, so 1–19 digits. */
const XLEDGER_REFERENCE = /^[0-9]{1,19}$/;
/** Dynamics 365 Business Central identifies a journal by a GUID. */
const DYNAMICS_REFERENCE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The shape each accounting system's batch reference is expected to have. */
export const EXTERNAL_REFERENCE_FORMATS: Readonly<Record<AccountingSystem, RegExp>> = {
  xledger: XLEDGER_REFERENCE,
  dynamics: DYNAMICS_REFERENCE,
};

/**
 * `external_reference_id_format` (warning): the reference should have the system's shape. A value
 * of another shape is still kept — the ledger said it — but flagged for an operator to look at.
 */
export function checkExternalReferenceIdFormat(
  accountingSystem: AccountingSystem,
  externalReferenceId: string | null | undefined,
): ValidationIssue[] {
  if (externalReferenceId === null || externalReferenceId === undefined) return [];
  if (EXTERNAL_REFERENCE_FORMATS[accountingSystem].test(externalReferenceId)) return [];
  const expected = accountingSystem === 'xledger' ? 'a numeric id of 1–19 digits' : 'a GUID';
  return [
    {
      rule: 'external_reference_id_format',
      severity: 'warning',
      path: ['externalReferenceId'],
      message: `externalReferenceId "${externalReferenceId.slice(0, 80)}" is not ${expected} as ${accountingSystem} returns`,
    },
  ];
}
