import { ACCOUNTING_SYSTEMS, type AccountingSystem } from '@meander/domain';
import { EMULATED_SYSTEMS } from '../systems/emulator-registry.js';
import type { EmulatorRequest, SystemEmulator } from './emulated-system.js';
import type { EmulatorStats } from './emulator-stats.js';
import { type EmulatorFaults, emulatorFaultsSchema } from './faults.js';
import { sendJson, tryParseJson } from './http-io.js';

/** The controls every system shares, in process (tests) and over `/_control` alike. */
export interface EmulatorControl {
  setFaults(system: AccountingSystem, faults: EmulatorFaults): void;
  faults(system: AccountingSystem): EmulatorFaults;
  ledgerOf(system: AccountingSystem): unknown[];
  stats(system: AccountingSystem): EmulatorStats;
  reset(): void;
}

/** `/_control/<system>/<what>`: the shared controls (`ledger`, `faults`, `stats`) and each system's own. */
const SYSTEM_CONTROL_PATH = /^\/_control\/([^/]+)\/([^/]+)$/;

const isEmulated = (name: string): name is AccountingSystem => Object.hasOwn(EMULATED_SYSTEMS, name);

/** The controls of `emulators`: the same for the in-process API and `/_control`. */
export function controlOf(emulators: Readonly<Record<AccountingSystem, SystemEmulator>>): EmulatorControl {
  return {
    setFaults(system, faults) {
      emulators[system].faults.set(faults);
    },
    faults: (system) => emulators[system].faults.get(),
    ledgerOf: (system) => emulators[system].ledger(),
    // A copy: the live counters keep moving after the caller read them.
    stats: (system) => ({ ...emulators[system].stats() }),
    reset() {
      for (const system of ACCOUNTING_SYSTEMS) {
        emulators[system].reset();
        emulators[system].faults.set({});
      }
    },
  };
}

/**
 * Answer a request under `/_control` (health, reset, and per system its ledger, faults, stats and
 * own controls); false when no control has that path.
 */
export function serveControl(
  request: EmulatorRequest,
  control: EmulatorControl,
  emulators: Readonly<Record<AccountingSystem, SystemEmulator>>,
): boolean {
  const { res, path, method, body } = request;
  if (path === '/_control/health') {
    sendJson(res, 200, { ok: true, systems: [...ACCOUNTING_SYSTEMS] });
    return true;
  }
  if (path === '/_control/reset' && method === 'POST') {
    control.reset();
    sendJson(res, 200, { ok: true });
    return true;
  }
  const match = SYSTEM_CONTROL_PATH.exec(path);
  const system = match?.[1];
  const what = match?.[2];
  if (system === undefined || what === undefined || !isEmulated(system)) return false;
  if (what === 'ledger' && method === 'GET') {
    const entries = control.ledgerOf(system);
    sendJson(res, 200, { system, count: entries.length, entries });
  } else if (what === 'stats' && method === 'GET') {
    sendJson(res, 200, control.stats(system));
  } else if (what === 'faults' && method === 'GET') {
    sendJson(res, 200, control.faults(system));
  } else if (what === 'faults' && method === 'PUT') {
    const parsed = emulatorFaultsSchema.safeParse(tryParseJson(body));
    if (!parsed.success) {
      sendJson(res, 400, {
        error: 'invalid_faults',
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    } else {
      control.setFaults(system, parsed.data);
      sendJson(res, 200, control.faults(system));
    }
  } else {
    return emulators[system].control(what, { ...request, path: '' });
  }
  return true;
}
