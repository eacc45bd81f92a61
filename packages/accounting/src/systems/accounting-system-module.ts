import type { AccountingConnection, AccountingSystem } from '@meander/domain';
import type { z } from 'zod';
import type { AdapterOptions } from '../adapter-options.js';
import type { AccountingAdapter } from '../port.js';

/**
 * Everything the product needs from one accounting system to post to it: one object per system,
 * exported from its folder (`src/systems/<id>/`) and listed in {@link ACCOUNTING_SYSTEM_MODULES}.
 * The emulator of a system is a separate object ({@link EmulatedSystem}) so that the worker and
 * the API, which bundle this one, never carry an emulator.
 */
export interface AccountingSystemModule<S extends AccountingSystem = AccountingSystem> {
  /** The system's value in the domain's `ACCOUNTING_SYSTEMS`. */
  readonly id: S;
  /** Display name (the domain's `ACCOUNTING_SYSTEM_DESCRIPTIONS[id].label`). */
  readonly label: string;
  /** The `connection` settings of an organization's `admin-accounting` module for this system. */
  readonly connectionSchema: z.ZodType;
  /**
   * The system's adapter. It parses `connection` itself: missing or malformed settings throw a
   * non-retryable `configuration` error naming the keys, never their values.
   */
  createAdapter(
    connection: AccountingConnection | null | undefined,
    options: AdapterOptions,
  ): AccountingAdapter;
}

/**
 * One module per accounting system, keyed by its id: a `Record<AccountingSystem, …>` whose entry
 * under each key must carry that key as its `id`, so a module filed under another system's key
 * does not compile either. `Systems` is there for the type test that adds a fake system.
 */
export type AccountingSystemRegistry<Systems extends string = AccountingSystem> = {
  readonly [S in Systems]: AccountingSystemModule & { readonly id: S };
};
