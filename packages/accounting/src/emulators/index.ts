/**
 * `@meander/accounting/emulators` — local stand-ins for Xledger and Business Central, with an
 * in-memory ledger that refuses double postings and injectable faults. See {@link startEmulators}.
 */

export { parseKeyFilter } from './dynamics-emulator.js';
export type { DynamicsCompanySeed, DynamicsGlEntry, DynamicsLedgerLine } from './dynamics-ledger.js';
export type { EmulatorStats } from './emulator-stats.js';
export { type EmulatorEnv, readEmulatorEnv } from './env.js';
export { type EmulatorFaults, emulatorFaultsSchema } from './faults.js';
export * from './server.js';
export { XLEDGER_SDL } from './xledger/schema.js';
export {
  DEMO_XLEDGER_ACCOUNTS,
  XLEDGER_MAX_NODES_PER_MUTATION,
  type XledgerAccount,
} from './xledger-emulator.js';
export type { XledgerImportError, XledgerLedgerItem } from './xledger-ledger.js';
