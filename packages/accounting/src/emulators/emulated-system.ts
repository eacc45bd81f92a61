import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccountingSystem } from '@meander/domain';
import type { EmulatorOptions } from './emulator-options.js';
import type { EmulatorStats } from './emulator-stats.js';
import type { FaultState } from './faults.js';

/** One request the shared server hands to a system's emulator (the body is already read). */
export interface EmulatorRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The path below the system's prefix, still percent-encoded: `/graphql` for `/xledger/graphql`. */
  readonly path: string;
  readonly url: URL;
  readonly method: string;
  readonly body: string;
}

/** A running emulator of one system, as the shared server mounts and controls it. */
export interface SystemEmulator<Entry = unknown, Connection = unknown> {
  readonly faults: FaultState;
  /** The live counters (the server copies them before handing them out). */
  stats(): EmulatorStats;
  /** What the ledger holds, as `GET /_control/<id>/ledger` lists it. */
  ledger(): Entry[];
  /** Empty the ledger, zero the stats and drop any session state (tokens); faults are cleared by the server. */
  reset(): void;
  /** Answer a request under the system's prefix; false when it has no such route (the server answers 404). */
  serve(request: EmulatorRequest): Promise<boolean>;
  /** Answer `/_control/<id>/<what>` beyond `ledger`, `faults` and `stats`; false when there is no such control. */
  control(what: string, request: EmulatorRequest): boolean;
  /** Connection settings for an organization's `admin-accounting` config, pointed at the server at `url`. */
  connection(url: string): Connection;
}

/**
 * How the shared emulator server mounts one accounting system: one object per system, in its
 * folder (`src/systems/<id>/emulator/`), listed in {@link EMULATED_SYSTEMS}.
 */
export interface EmulatedSystem<
  S extends AccountingSystem = AccountingSystem,
  E extends SystemEmulator = SystemEmulator,
> {
  readonly id: S;
  /** Where its API is served, e.g. `/xledger`. */
  readonly pathPrefix: `/${string}`;
  /** A fresh emulator, with `options.faults[id]` in force from the start. */
  start(options: EmulatorOptions, shared: { maxPageSize: number }): E;
  /** The `pnpm emulators` banner lines: the system's API routes, and its control routes beyond the shared ones. */
  banner(url: string): { api: readonly string[]; control: readonly string[] };
}
