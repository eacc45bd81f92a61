import type { AccountingSystem } from './enums.js';

/**
 * What the product knows about one accounting system without talking to it: how people call it and
 * the shape of the batch reference its ledger hands back. Adapters, emulators and connection
 * settings live in `@meander/accounting`; this stays pure so every layer (domain rules, the API's
 * metrics, the admin console) can read it.
 */
export interface AccountingSystemDescription {
  /** The system's display name, e.g. `Business Central`. */
  readonly label: string;
  /** The shape of a batch's `externalReferenceId` as the system returns it. */
  readonly externalReferenceFormat: RegExp;
  /** {@link externalReferenceFormat} in words, for messages: `a GUID`. */
  readonly externalReferenceDescription: string;
}

/**
 * One description per {@link AccountingSystem}. Keyed with `satisfies Record<AccountingSystem, …>`
 * so adding a system to {@link ACCOUNTING_SYSTEMS} fails to compile until it is described here.
 */
export const ACCOUNTING_SYSTEM_DESCRIPTIONS = {
  xledger: {
    label: 'Xledger',
    // Xledger returns `dbId`s: Int64 values sent as strings, so 1–19 digits.
    externalReferenceFormat: /^[0-9]{1,19}$/,
    externalReferenceDescription: 'a numeric id of 1–19 digits',
  },
  dynamics: {
    label: 'Business Central',
    // Dynamics 365 Business Central identifies what it posted by a GUID.
    externalReferenceFormat: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
    externalReferenceDescription: 'a GUID',
  },
} as const satisfies Record<AccountingSystem, AccountingSystemDescription>;

/** The display name of an accounting system, e.g. `accountingSystemLabel('dynamics')` is `Business Central`. */
export function accountingSystemLabel(system: AccountingSystem): string {
  return ACCOUNTING_SYSTEM_DESCRIPTIONS[system].label;
}
