/**
 * `@meander/accounting/emulators` — local stand-ins for every accounting system (Xledger and
 * Business Central), each with an in-memory ledger that refuses double postings and injectable
 * faults, on one server. See {@link startEmulators}.
 */

export {
  DEMO_DYNAMICS_BALANCING_ACCOUNT,
  DEMO_DYNAMICS_CLIENT,
  DEMO_DYNAMICS_COMPANIES,
  DEMO_DYNAMICS_COMPANY_ID,
  DEMO_DYNAMICS_CURRENCY,
  DEMO_DYNAMICS_JOURNAL_ID,
  DEMO_DYNAMICS_JOURNAL_NAME,
  type DynamicsEmulatorConnection,
  type RunningDynamicsEmulator,
} from '../systems/dynamics/emulator/dynamics-emulated-system.js';
export { parseKeyFilter } from '../systems/dynamics/emulator/dynamics-emulator.js';
export type {
  DynamicsCompanySeed,
  DynamicsGlEntry,
  DynamicsLedgerLine,
} from '../systems/dynamics/emulator/dynamics-ledger.js';
export * from '../systems/emulator-registry.js';
export { XLEDGER_SDL } from '../systems/xledger/emulator/schema.js';
export {
  DEMO_XLEDGER_POSTING,
  DEMO_XLEDGER_POSTING_MODEL,
  DEMO_XLEDGER_TOKEN,
  type RunningXledgerEmulator,
  type XledgerEmulatorConnection,
} from '../systems/xledger/emulator/xledger-emulated-system.js';
export {
  DEMO_XLEDGER_ACCOUNTS,
  XLEDGER_MAX_NODES_PER_MUTATION,
  type XledgerAccount,
} from '../systems/xledger/emulator/xledger-emulator.js';
export {
  balancesOf as xledgerBalancesOf,
  type XledgerBalances,
  type XledgerImportError,
  type XledgerJournalEntry,
  type XledgerLedgerItem,
} from '../systems/xledger/emulator/xledger-ledger.js';
export {
  DEMO_XLEDGER_MASTER_DATA,
  type XledgerMasterData,
  type XledgerTaxRule,
} from '../systems/xledger/emulator/xledger-master-data.js';
export type { EmulatedSystem, EmulatorRequest, SystemEmulator } from './emulated-system.js';
export type { EmulatorOptions } from './emulator-options.js';
export type { EmulatorStats } from './emulator-stats.js';
export { type EmulatorEnv, readEmulatorEnv } from './env.js';
export { type EmulatorFaults, emulatorFaultsSchema } from './faults.js';
export * from './server.js';
