/**
 * `@meander/accounting/emulators` — local stand-ins for every accounting system (Xledger and
 * Business Central), each with an in-memory ledger that refuses double postings and injectable
 * faults, on one server. See {@link startEmulators}.
 */

export {
  DEMO_DYNAMICS_BALANCING_ACCOUNT,
  DEMO_DYNAMICS_COMPANY_ID,
  DEMO_DYNAMICS_JOURNAL_ID,
} from '../systems/dynamics/emulator/dynamics-emulated-system.js';
export { parseKeyFilter } from '../systems/dynamics/emulator/dynamics-emulator.js';
export { EMULATED_SYSTEMS } from '../systems/emulator-registry.js';
export { DEMO_XLEDGER_POSTING_MODEL } from '../systems/xledger/emulator/xledger-emulated-system.js';
export { balancesOf as xledgerBalancesOf } from '../systems/xledger/emulator/xledger-ledger.js';
export { readEmulatorEnv } from './env.js';
export type { EmulatorFaults } from './faults.js';
export * from './server.js';
