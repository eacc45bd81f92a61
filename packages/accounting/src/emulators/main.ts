import { readEmulatorEnv } from './env.js';
import { startEmulators } from './server.js';

// `pnpm emulators` (or `node dist/emulators.js` from the build): both emulators on EMULATOR_PORT
// (default 4010); EMULATOR_FAULTS may hold start-up faults as JSON, e.g. {"dynamics":{"throttle":3}}.
const { port, host, faults } = readEmulatorEnv();

const emulators = await startEmulators({ port, host, ...(faults ? { faults } : {}) });
const { url } = emulators;
console.log(`Accounting emulators listening on ${url}
  Xledger GraphQL      POST ${url}/xledger/graphql            (Authorization: token demo-xledger-token)
  Dynamics token       POST ${url}/dynamics/oauth2/v2.0/token (demo-client / demo-secret)
  Dynamics API         ${url}/dynamics/api/v2.0/…
  Control              GET  ${url}/_control/health · POST ${url}/_control/reset
                       GET  ${url}/_control/{xledger|dynamics}/ledger | stats | faults
                       PUT  ${url}/_control/{xledger|dynamics}/faults  (JSON)
                       POST ${url}/_control/dynamics/revoke-tokens`);

const stop = () => {
  emulators.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
