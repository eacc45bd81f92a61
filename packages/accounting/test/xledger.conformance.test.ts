import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamicsScenarios } from '../conformance/dynamics.scenarios.js';
import { httpEmulatorControl } from '../conformance/emulator-control.js';
import type { ConformanceTarget, EmulatorControl } from '../conformance/scenario.js';
import { xledgerScenarios } from '../conformance/xledger.scenarios.js';
import { type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { realSleep } from '../src/http/clock.js';

// The Xledger conformance scenarios against the emulator, with a small loop of our own (the
// conformance runner points the same scenarios at a real entity). Every scenario must pass, and
// after its clean-up what it booked must be reversed: the booked lines of the run sum to zero.

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());

function controlOf(url: string): EmulatorControl {
  return httpEmulatorControl(url, 'xledger');
}

let issued = 0;
function target(withControl: boolean): ConformanceTarget {
  const run = withControl ? 'ctl' : 'real';
  return {
    system: 'xledger',
    kind: withControl ? 'emulator' : 'real',
    connection: emulators.connections.xledger,
    adapterOptions: {
      sleep: realSleep,
      retry: { baseDelayMs: 1, maxDelayMs: 5, rateLimitDelayMs: 5, requestTimeoutMs: 5_000 },
      // A "real" run keeps the default processing wait; polls start at 1 s, which the emulator never needs.
    },
    ...(withControl ? { control: controlOf(emulators.url) } : {}),
    newRecordId: () => `conf-${run}-${String(++issued).padStart(3, '0')}`,
    bookingDate: '2024-05-15',
    expenseAccount: '6800',
  };
}

/** Sum of the booked (processed) lines per account, in hundredths. */
function bookedTotals(): Map<string, number> {
  const totals = new Map<string, number>();
  for (const entry of emulators.xledgerJournalEntries()) {
    // Two-decimal text ("-1.01") to integer hundredths, never through a float.
    const cents = Number.parseInt(entry.amount.replace('.', ''), 10);
    totals.set(entry.accountCode, (totals.get(entry.accountCode) ?? 0) + cents);
  }
  return totals;
}

describe.each([
  { withControl: true, label: 'the emulator with its control API' },
  { withControl: false, label: 'the emulator as if it were a real entity (no control API)' },
])('Xledger conformance scenarios against $label', ({ withControl }) => {
  const scenarios = xledgerScenarios.filter((s) => withControl || !s.needsControl);

  beforeAll(() => emulators.reset());

  it('every scenario names its source, and fault-injecting ones need the control API', () => {
    expect(xledgerScenarios.length).toBeGreaterThanOrEqual(10);
    for (const s of xledgerScenarios) {
      expect(s.source.length).toBeGreaterThan(10);
      if (s.assumption) expect(s.assumption).toMatch(/^I: /);
    }
    expect(xledgerScenarios.filter((s) => !s.needsControl).map((s) => s.name)).toHaveLength(4);
  });

  it('only scenarios that run without injected faults report an assumption (I) as held', () => {
    // A fault-injecting scenario switches the emulator away from the assumption; its pass says how
    // the adapter copes, not that a real entity behaves so (the report would print "held").
    for (const s of [...xledgerScenarios, ...dynamicsScenarios]) {
      if (s.needsControl) expect({ name: s.name, assumption: s.assumption }).toEqual({ name: s.name });
    }
  });

  it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const t = target(withControl);
    const outcome = await scenario.run(t);
    await scenario.cleanUp?.(t);
    expect(outcome).toMatchObject({ result: 'passed' });
    // Self-cleaning: everything booked was reversed.
    for (const [account, cents] of bookedTotals()) expect({ account, cents }).toEqual({ account, cents: 0 });
  });
});
