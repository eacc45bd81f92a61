import { ACCOUNTING_SYSTEMS } from '@meander/domain';
import { EMULATED_SYSTEMS } from '../systems/emulator-registry.js';
import { readEmulatorEnv } from './env.js';
import { startEmulators } from './server.js';

// `pnpm emulators` (or `node dist/emulators.js` from the build): every system's emulator on EMULATOR_PORT
// (default 4010); EMULATOR_FAULTS may hold start-up faults as JSON, e.g. {"dynamics":{"throttle":3}}.
// A bad setting stops the emulators with one line naming the variable (no stack trace).
const refuse = (error: unknown, variable?: string): never => {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  process.stderr.write(
    `meander-emulators: ${variable && !message.includes(variable) ? `${variable}: ` : ''}${message}\n`,
  );
  process.exit(1);
};
const { port, host, faults } = (() => {
  try {
    return readEmulatorEnv();
  } catch (error) {
    return refuse(error);
  }
})();

const emulators = await startEmulators({ port, host, ...(faults ? { faults } : {}) }).catch(
  (error: unknown) => refuse(error, 'EMULATOR_PORT'),
);
const { url } = emulators;
const banners = ACCOUNTING_SYSTEMS.map((system) => EMULATED_SYSTEMS[system].banner(url));
const systems = ACCOUNTING_SYSTEMS.join('|');
const indent = ' '.repeat(23);
console.log(
  [
    `Accounting emulators listening on ${url}`,
    ...banners.flatMap((b) => b.api).map((line) => `  ${line}`),
    `  Control              GET  ${url}/_control/health · POST ${url}/_control/reset`,
    `${indent}GET  ${url}/_control/{${systems}}/ledger | stats | faults`,
    `${indent}PUT  ${url}/_control/{${systems}}/faults  (JSON)`,
    ...banners.flatMap((b) => b.control).map((line) => `${indent}${line}`),
  ].join('\n'),
);

const stop = () => {
  emulators.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
