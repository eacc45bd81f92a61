import type { AccountingSystem } from '@meander/domain';
import type { DynamicsCompanySeed } from '../systems/dynamics/emulator/dynamics-ledger.js';
import type { EmulatorFaults } from './faults.js';

/** How to start the emulators. */
export interface EmulatorOptions {
  /** 0 (the default) picks a free port — what tests and benchmarks want. */
  port?: number;
  host?: string;
  /** Faults in force from the start, per system. */
  faults?: Partial<Record<AccountingSystem, EmulatorFaults>>;
  /** Xledger API tokens accepted (default `['demo-xledger-token']`). */
  xledgerTokens?: readonly string[];
  /** Dynamics client id → secret (default `{ 'demo-client': 'demo-secret' }`). */
  dynamicsClients?: Readonly<Record<string, string>>;
  /** Lifetime of a Dynamics access token (default 3600). */
  tokenTtlSeconds?: number;
  /** Larger request bodies are refused with 413 (default 4 MiB). */
  maxBodyBytes?: number;
  /** Largest read-back page (default 1000). */
  maxPageSize?: number;
  /** The emulators' clock, for token expiry (default `Date.now`). */
  now?: () => number;
  /** Business Central companies (default {@link DEMO_DYNAMICS_COMPANIES}). */
  dynamicsCompanies?: readonly DynamicsCompanySeed[];
}
