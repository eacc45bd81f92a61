import { randomBytes } from 'node:crypto';
import { ACCOUNTING_SYSTEMS, type AccountingSystem } from '@meander/domain';
import type { AdapterOptions } from '../src/adapter-options.js';
import { type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { httpEmulatorControl } from './emulator-control.js';
import type { ConformanceScenario, ConformanceTarget, ScenarioOutcome } from './scenario.js';

/** Keys of an env file that configure the run rather than the connection. */
const RUN_KEYS = {
  bookingDate: 'CONFORMANCE_BOOKING_DATE',
  expenseAccount: 'CONFORMANCE_EXPENSE_ACCOUNT',
} as const;

/** Thrown for a bad command line or env file: the message says what to fix. */
export class ConformanceUsageError extends Error {
  override readonly name = 'ConformanceUsageError';
}

/** One scenario's outcome, with how long it took and whether its clean-up ran. */
export interface ScenarioReport {
  name: string;
  source: string;
  assumption?: string;
  outcome: ScenarioOutcome;
  ms: number;
  cleanUp?: 'done' | { failed: string };
}

export function isAccountingSystem(value: string): value is AccountingSystem {
  return (ACCOUNTING_SYSTEMS as readonly string[]).includes(value);
}

/**
 * The scenarios of `system`, loaded by name (`./{system}.scenarios.ts`, export `{system}Scenarios`),
 * so each system's file plugs in without a static import here.
 */
export async function loadScenarios(system: AccountingSystem): Promise<ConformanceScenario[]> {
  let module: Record<string, unknown>;
  try {
    module = await import(`./${system}.scenarios.ts`);
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    if (code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new ConformanceUsageError(
      `no scenarios for ${system}: conformance/${system}.scenarios.ts is missing`,
    );
  }
  const scenarios = module[`${system}Scenarios`];
  if (!Array.isArray(scenarios))
    throw new ConformanceUsageError(`conformance/${system}.scenarios.ts does not export ${system}Scenarios`);
  return scenarios as ConformanceScenario[];
}

/** Adapter options for a run against the in-process emulators: short waits, the same code paths. */
const EMULATOR_ADAPTER_OPTIONS: AdapterOptions = {
  retry: { baseDelayMs: 5, maxDelayMs: 50, rateLimitDelayMs: 20, maxAttempts: 8, requestTimeoutMs: 5_000 },
};

/**
 * Start in-process emulators (small pages, so paging is exercised) and a target on them whose
 * control goes over HTTP like the acceptance checks'. Close the returned emulators when done.
 */
export async function emulatorTarget(
  system: AccountingSystem,
): Promise<{ target: ConformanceTarget; emulators: RunningEmulators }> {
  const emulators = await startEmulators({ maxPageSize: 5 });
  let n = 0;
  const run = randomBytes(3).toString('hex');
  const target: ConformanceTarget = {
    system,
    kind: 'emulator',
    connection: { ...emulators.connections[system] },
    adapterOptions: EMULATOR_ADAPTER_OPTIONS,
    control: httpEmulatorControl(emulators.url, system),
    newRecordId: () => `conf-${run}-${String(++n).padStart(3, '0')}`,
    bookingDate: '2024-05-15',
    expenseAccount: '6800',
  };
  return { target, emulators };
}

/**
 * A target on a real sandbox from an env file: every key is a connection setting (as the
 * organization's accounting module stores it) except `CONFORMANCE_BOOKING_DATE` (default today)
 * and `CONFORMANCE_EXPENSE_ACCOUNT` (required: an expense account that accepts postings).
 */
export function realTarget(system: AccountingSystem, env: ReadonlyMap<string, string>): ConformanceTarget {
  const expenseAccount = env.get(RUN_KEYS.expenseAccount);
  if (!expenseAccount)
    throw new ConformanceUsageError(`${RUN_KEYS.expenseAccount} is missing from the env file`);
  const bookingDate = env.get(RUN_KEYS.bookingDate) ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(bookingDate))
    throw new ConformanceUsageError(`${RUN_KEYS.bookingDate} must be a date YYYY-MM-DD`);
  const connection = Object.fromEntries(
    [...env].filter(([key]) => key !== RUN_KEYS.bookingDate && key !== RUN_KEYS.expenseAccount),
  );
  // Record ids unique to this run, so a real ledger never holds an earlier run's key.
  const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`.toUpperCase();
  let n = 0;
  return {
    system,
    kind: 'real',
    connection,
    adapterOptions: {},
    newRecordId: () => `CONF-${run}-${String(++n).padStart(3, '0')}`,
    bookingDate,
    expenseAccount,
  };
}

/**
 * Run every scenario in order. A scenario that needs the emulator's control is skipped against
 * a real system with its reason; a scenario that throws has failed with the error's message.
 * Every scenario's clean-up runs, whatever its outcome (real runs are self-cleaning).
 */
export async function runScenarios(
  target: ConformanceTarget,
  scenarios: readonly ConformanceScenario[],
): Promise<ScenarioReport[]> {
  const reports: ScenarioReport[] = [];
  for (const scenario of scenarios) {
    const started = Date.now();
    let outcome: ScenarioOutcome;
    if (scenario.needsControl && target.control === undefined) {
      outcome = { result: 'skipped', detail: 'injects faults: runs against the emulator only' };
    } else {
      try {
        outcome = await scenario.run(target);
      } catch (error) {
        outcome = {
          result: 'failed',
          detail: `threw: ${error instanceof Error ? error.message : String(error)}`,
        };
      } finally {
        await target.control?.clearFaults();
      }
    }
    const report: ScenarioReport = {
      name: scenario.name,
      source: scenario.source,
      ...(scenario.assumption ? { assumption: scenario.assumption } : {}),
      outcome,
      ms: Date.now() - started,
    };
    if (scenario.cleanUp && outcome.result !== 'skipped') {
      try {
        await scenario.cleanUp(target);
        report.cleanUp = 'done';
      } catch (error) {
        report.cleanUp = { failed: error instanceof Error ? error.message : String(error) };
      }
    }
    reports.push(report);
  }
  return reports;
}

/** The run as a plain-text table, then the documented assumptions (I) and whether each held. */
export function formatReport(target: ConformanceTarget, reports: readonly ScenarioReport[]): string {
  const rows = reports.map((r) => [
    r.outcome.result.toUpperCase(),
    r.name,
    `${r.ms} ms`,
    [r.outcome.detail ?? '', typeof r.cleanUp === 'object' ? `(clean-up failed: ${r.cleanUp.failed})` : '']
      .filter(Boolean)
      .join(' '),
  ]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]?.length ?? 0), 6));
  const lines = [
    `Conformance: ${target.system} against ${target.kind === 'real' ? 'a real system' : 'the emulator'}`,
  ];
  for (const row of rows)
    lines.push(
      row
        .map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell))
        .join('  ')
        .trimEnd(),
    );
  const count = (result: ScenarioOutcome['result']) =>
    reports.filter((r) => r.outcome.result === result).length;
  lines.push(`${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped`);
  const assumptions = reports.filter((r) => r.assumption);
  if (assumptions.length > 0) {
    lines.push('Documented assumptions (I):');
    for (const r of assumptions) {
      const verdict =
        r.outcome.result === 'passed'
          ? 'held'
          : r.outcome.result === 'failed'
            ? 'DID NOT HOLD'
            : 'not tested';
      lines.push(`  ${verdict.padEnd(12)} ${r.assumption}`);
    }
  }
  return lines.join('\n');
}
