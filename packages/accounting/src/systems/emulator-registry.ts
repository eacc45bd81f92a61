import type { AccountingSystem } from '@meander/domain';
import type { EmulatedSystem, SystemEmulator } from '../emulators/emulated-system.js';
import { dynamicsEmulatedSystem } from './dynamics/emulator/dynamics-emulated-system.js';
import { xledgerEmulatedSystem } from './xledger/emulator/xledger-emulated-system.js';

/**
 * Every accounting system's emulator, mounted by the one emulator server. Kept apart from
 * {@link ACCOUNTING_SYSTEM_MODULES} so the adapters' bundle (worker, API) never carries an
 * emulator; checked the same way, so a system added to the domain's enum does not compile until
 * it has an emulator too.
 */
export const EMULATED_SYSTEMS = {
  xledger: xledgerEmulatedSystem,
  dynamics: dynamicsEmulatedSystem,
} as const satisfies { readonly [S in AccountingSystem]: EmulatedSystem<S, SystemEmulator> };

/** The running emulator of system `S`, with whatever controls of its own it has. */
export type EmulatorOf<S extends AccountingSystem> = ReturnType<(typeof EMULATED_SYSTEMS)[S]['start']>;
/** Connection settings pointed at the emulator of `S`. */
export type EmulatorConnection<S extends AccountingSystem> = ReturnType<EmulatorOf<S>['connection']>;
/** One entry of the ledger of `S` as the control API lists it. */
export type EmulatorLedgerEntry<S extends AccountingSystem> = ReturnType<EmulatorOf<S>['ledger']>[number];
