import { parseArgs } from 'node:util';
import { readEnvFile } from './env-file.js';
import {
  ConformanceUsageError,
  emulatorTarget,
  formatReport,
  isAccountingSystem,
  loadScenarios,
  realTarget,
  runScenarios,
} from './runner.js';

const USAGE = 'usage: pnpm conformance --system dynamics|xledger [--env <file>]';

/**
 * `pnpm conformance --system dynamics|xledger [--env <file>]`: run a system's conformance
 * scenarios against freshly started in-process emulators, or — with `--env` — against the real
 * sandbox whose connection settings the file holds. Prints a table; exits 1 when a scenario
 * failed, 2 on a usage error.
 */
async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { system: { type: 'string' }, env: { type: 'string' } },
    strict: true,
  });
  const system = values.system ?? '';
  if (!isAccountingSystem(system)) throw new ConformanceUsageError(`unknown --system '${system}'. ${USAGE}`);
  const scenarios = await loadScenarios(system);
  if (values.env !== undefined) {
    const target = realTarget(system, await readEnvFile(values.env));
    const reports = await runScenarios(target, scenarios);
    console.log(formatReport(target, reports));
    return reports.some((r) => r.outcome.result === 'failed') ? 1 : 0;
  }
  const { target, emulators } = await emulatorTarget(system);
  try {
    const reports = await runScenarios(target, scenarios);
    console.log(formatReport(target, reports));
    return reports.some((r) => r.outcome.result === 'failed') ? 1 : 0;
  } finally {
    await emulators.close();
  }
}

main(process.argv.slice(2).filter((a) => a !== '--')).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    if (!(error instanceof ConformanceUsageError) && error instanceof Error) console.error(error.stack);
    process.exitCode = 2;
  },
);
