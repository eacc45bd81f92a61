import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ACCOUNTING_SYSTEMS, type AccountingSystem } from '@meander/domain';
import type { DynamicsLedgerLine } from '../systems/dynamics/emulator/dynamics-ledger.js';
import {
  EMULATED_SYSTEMS,
  type EmulatorConnection,
  type EmulatorLedgerEntry,
  type EmulatorOf,
} from '../systems/emulator-registry.js';
import type { XledgerImportError, XledgerJournalEntry } from '../systems/xledger/emulator/xledger-ledger.js';
import { controlOf, type EmulatorControl, serveControl } from './control-api.js';
import type { EmulatorRequest, SystemEmulator } from './emulated-system.js';
import type { EmulatorOptions } from './emulator-options.js';
import type { EmulatorStats } from './emulator-stats.js';
import type { EmulatorFaults } from './faults.js';
import { BodyTooLargeError, readBody, sendJson } from './http-io.js';

/** The port `pnpm emulators` and `pnpm start` use unless `EMULATOR_PORT` says otherwise. */
export const DEFAULT_EMULATOR_PORT = 4010;

/** A running pair of emulators and their in-process control API. */
export interface RunningEmulators {
  /** `http://host:port` */
  url: string;
  port: number;
  /** Connection settings for an organization's `admin-accounting` config, pointed at these emulators. */
  connections: { [S in AccountingSystem]: EmulatorConnection<S> };
  setFaults(system: AccountingSystem, faults: EmulatorFaults): void;
  faults(system: AccountingSystem): EmulatorFaults;
  /**
   * What the ledger of `system` holds. Business Central: the posted G/L entries (journals are
   * empty once posted).
   */
  ledger<S extends AccountingSystem>(system: S): EmulatorLedgerEntry<S>[];
  /** Business Central: the journal lines not yet posted, in every journal. */
  openJournalLines(): DynamicsLedgerLine[];
  /** Xledger's `glImportItemErrors`: the items processing refused, and why. */
  xledgerImportErrors(): XledgerImportError[];
  /** Xledger's `journalEntries`: the lines processing booked. */
  xledgerJournalEntries(): XledgerJournalEntry[];
  stats(system: AccountingSystem): EmulatorStats;
  /**
   * Resolves once no request is being handled: every write a request carried (one slowed by
   * `latencyMs`, one whose client went away) has landed. Tests read the ledger after it.
   */
  idle(): Promise<void>;
  /** Invalidate every Dynamics access token issued so far. */
  revokeTokens(): void;
  /** Empty every ledger, zero the stats, drop the tokens and clear every fault. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * Start one HTTP server with the emulator of every accounting system in {@link EMULATED_SYSTEMS}
 * (one port for the demo), each under its own prefix (`/xledger/graphql`,
 * `/dynamics/oauth2/v2.0/token`, `/dynamics/api/v2.0/…`), and the control API under `/_control`
 * (health, reset, per-system ledger, faults, stats, and each system's own controls).
 */
export async function startEmulators(options: EmulatorOptions = {}): Promise<RunningEmulators> {
  const host = options.host ?? '127.0.0.1';
  const maxPageSize = options.maxPageSize ?? 1000;
  const running = Object.fromEntries(
    ACCOUNTING_SYSTEMS.map((system) => [system, EMULATED_SYSTEMS[system].start(options, { maxPageSize })]),
  ) as { [S in AccountingSystem]: EmulatorOf<S> };
  const emulators: Readonly<Record<AccountingSystem, SystemEmulator>> = running;
  const control = controlOf(emulators);
  const route = router(emulators, control, options.maxBodyBytes ?? 4 * 1024 * 1024);
  const requests = inFlightRequests();
  const server = createServer((req, res) => {
    const settled = requests.started();
    route(req, res)
      .finally(settled)
      .catch((error: unknown) => answerFailure(res, error));
  });
  server.keepAliveTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url,
    port,
    connections: Object.fromEntries(
      ACCOUNTING_SYSTEMS.map((system) => [system, emulators[system].connection(url)]),
    ) as RunningEmulators['connections'],
    setFaults: control.setFaults,
    faults: control.faults,
    ledger: control.ledgerOf as RunningEmulators['ledger'],
    openJournalLines: () => running.dynamics.openJournalLines(),
    xledgerImportErrors: () => running.xledger.importErrors(),
    xledgerJournalEntries: () => running.xledger.journalEntries(),
    stats: control.stats,
    idle: requests.idle,
    revokeTokens: () => running.dynamics.revokeTokens(),
    reset: control.reset,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Each system's API under its prefix, then the control API; anything else is a 404. */
function router(
  emulators: Readonly<Record<AccountingSystem, SystemEmulator>>,
  control: EmulatorControl,
  maxBodyBytes: number,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const body = method === 'GET' || method === 'HEAD' ? '' : await readBody(req, maxBodyBytes);
    const request = (below: string): EmulatorRequest => ({ req, res, path: below, url, method, body });

    for (const system of ACCOUNTING_SYSTEMS) {
      const { pathPrefix } = EMULATED_SYSTEMS[system];
      if (
        path.startsWith(`${pathPrefix}/`) &&
        (await emulators[system].serve(request(path.slice(pathPrefix.length))))
      ) {
        return;
      }
    }
    if (serveControl(request(path), control, emulators)) return;
    sendJson(res, 404, { error: 'not_found', message: `${method} ${path} is not served by the emulators` });
  };
}

/** Counts the requests being handled, so `idle()` can wait until every write they carry has landed. */
function inFlightRequests(): { started(): () => void; idle(): Promise<void> } {
  let inFlight = 0;
  const idleWaiters: (() => void)[] = [];
  return {
    started() {
      inFlight += 1;
      return () => {
        inFlight -= 1;
        if (inFlight > 0) return;
        for (const resolve of idleWaiters.splice(0)) resolve();
      };
    },
    idle: () =>
      inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve)),
  };
}

/** A request that failed before it was answered: the client still gets a JSON error, never a hang. */
function answerFailure(res: ServerResponse, error: unknown): void {
  if (res.headersSent || res.destroyed) return;
  if (error instanceof BodyTooLargeError) {
    sendJson(res, 413, { error: 'payload_too_large', message: error.message }, { connection: 'close' });
    return;
  }
  if (error instanceof URIError) {
    sendJson(res, 400, {
      error: 'bad_request',
      message: 'The request URL is not validly percent-encoded',
    });
    return;
  }
  sendJson(res, 500, {
    error: 'emulator_error',
    message: error instanceof Error ? error.message : String(error),
  });
}
