import { ACCOUNTING_SYSTEM_DESCRIPTIONS, ACCOUNTING_SYSTEMS, type AccountingSystem } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { EMULATED_SYSTEMS, type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import {
  ACCOUNTING_SYSTEM_MODULES,
  AccountingError,
  type AccountingSystemRegistry,
  createAdapter,
  dynamicsSystem,
  xledgerSystem,
} from '../src/index.js';

describe('the accounting-system registry', () => {
  it('holds one module per system of the domain enum, each under its own id', () => {
    expect(Object.keys(ACCOUNTING_SYSTEM_MODULES).sort()).toEqual([...ACCOUNTING_SYSTEMS].sort());
    for (const system of ACCOUNTING_SYSTEMS) {
      expect(ACCOUNTING_SYSTEM_MODULES[system].id).toBe(system);
      expect(ACCOUNTING_SYSTEM_MODULES[system].label).toBe(ACCOUNTING_SYSTEM_DESCRIPTIONS[system].label);
    }
  });

  it('holds one emulator per system, each under its own id and path prefix', () => {
    expect(Object.keys(EMULATED_SYSTEMS).sort()).toEqual([...ACCOUNTING_SYSTEMS].sort());
    for (const system of ACCOUNTING_SYSTEMS) expect(EMULATED_SYSTEMS[system].id).toBe(system);
    const prefixes = ACCOUNTING_SYSTEMS.map((system) => EMULATED_SYSTEMS[system].pathPrefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
  });

  it('refuses a name that is only a property of every object, not a system', () => {
    for (const name of ['toString', 'constructor', '__proto__']) {
      let caught: unknown;
      try {
        createAdapter(name as AccountingSystem, {});
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(AccountingError);
      expect((caught as AccountingError).details.code).toBe('UNKNOWN_SYSTEM');
    }
  });

  it('is keyed exactly by the enum, and the compiler refuses a missing or misfiled system', () => {
    expectTypeOf<keyof typeof ACCOUNTING_SYSTEM_MODULES>().toEqualTypeOf<AccountingSystem>();
    expectTypeOf<keyof typeof EMULATED_SYSTEMS>().toEqualTypeOf<AccountingSystem>();

    // A third system in the enum with no module of its own: the registry no longer compiles.
    const withFakeThirdSystem = {
      xledger: xledgerSystem,
      dynamics: dynamicsSystem,
      // @ts-expect-error 'fortnox' is missing from the registry
    } satisfies AccountingSystemRegistry<AccountingSystem | 'fortnox'>;
    // A module filed under another system's key does not compile either.
    const misfiled = {
      xledger: xledgerSystem,
      // @ts-expect-error the dynamics entry must have id 'dynamics'
      dynamics: xledgerSystem,
    } satisfies AccountingSystemRegistry;
    expect(Object.keys(withFakeThirdSystem)).toHaveLength(2);
    expect(Object.keys(misfiled)).toHaveLength(2);
  });
});

describe('the emulator server, mounted from the registry', () => {
  let emulators: RunningEmulators;
  beforeAll(async () => {
    emulators = await startEmulators();
  });
  afterAll(() => emulators.close());

  it('reports every system in its health check and points each connection at its own prefix', async () => {
    const health = (await (await fetch(`${emulators.url}/_control/health`)).json()) as { systems: string[] };
    expect(health.systems).toEqual([...ACCOUNTING_SYSTEMS]);
    for (const system of ACCOUNTING_SYSTEMS) {
      expect(emulators.connections[system].baseUrl).toContain(
        `${emulators.url}${EMULATED_SYSTEMS[system].pathPrefix}`,
      );
      const ledger = await fetch(`${emulators.url}/_control/${system}/ledger`);
      expect(await ledger.json()).toEqual({ system, count: 0, entries: [] });
    }
  });

  it('answers 404 for a system it does not emulate', async () => {
    const response = await fetch(`${emulators.url}/_control/fortnox/ledger`);
    expect(response.status).toBe(404);
  });
});
