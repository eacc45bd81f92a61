import type { AccountingSystem } from '@meander/domain';
import type { AdapterOptions } from '../src/adapter-options.js';

/**
 * One conformance run's target: the emulator (CI) or a real sandbox (an operator, with an env
 * file). Scenarios build adapters from `connection` and `adapterOptions` exactly as the worker does.
 */
export interface ConformanceTarget {
  system: AccountingSystem;
  kind: 'emulator' | 'real';
  /** Connection settings as an organization's accounting module stores them (decrypted). */
  connection: Record<string, string | number | boolean>;
  adapterOptions: AdapterOptions;
  /**
   * The emulator's control API (`/_control/{system}/…`); absent against a real system, where a
   * scenario that needs to inject a fault is reported as skipped with its reason.
   */
  control?: EmulatorControl;
  /** A fresh record id for this run (real runs must never collide with an earlier run's records). */
  newRecordId(): string;
  /** Booking date inside an open period of the target (YYYY-MM-DD). */
  bookingDate: string;
  /** An expense account that accepts postings on the target. */
  expenseAccount: string;
}

/** The emulator control calls a scenario may use. */
export interface EmulatorControl {
  setFaults(faults: Record<string, unknown>): Promise<void>;
  clearFaults(): Promise<void>;
  ledger(): Promise<{ count: number; entries: Record<string, unknown>[] }>;
  /** GET one of the system's own controls (`/_control/{system}/{path}`), e.g. Dynamics' `journal-lines`. */
  get(path: string): Promise<unknown>;
  post(path: string, body?: unknown): Promise<unknown>;
}

/** What one scenario found. */
export type ScenarioOutcome =
  | { result: 'passed'; detail?: string }
  | { result: 'failed'; detail: string }
  | { result: 'skipped'; detail: string };

/**
 * One documented behaviour and the product's answer to it. `assumption` names an inferred (I)
 * fact of `shared/spec/accounting-systems.md`: a real run reports whether it held.
 */
export interface ConformanceScenario {
  name: string;
  /** Where the behaviour is documented (V) or why it is assumed (I). */
  source: string;
  /** The inferred fact this scenario tests, e.g. `I: Xledger processes import items inside the request`. */
  assumption?: string;
  /** True when the scenario injects faults and so runs only against an emulator. */
  needsControl?: boolean;
  run(target: ConformanceTarget): Promise<ScenarioOutcome>;
  /** Reverse whatever the scenario posted (real runs are self-cleaning). */
  cleanUp?(target: ConformanceTarget): Promise<void>;
}
