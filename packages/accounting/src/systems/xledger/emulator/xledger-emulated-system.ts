import type { EmulatedSystem, SystemEmulator } from '../../../emulators/emulated-system.js';
import { FaultState } from '../../../emulators/faults.js';
import { sendJson } from '../../../emulators/http-io.js';
import { XledgerEmulator } from './xledger-emulator.js';
import type { XledgerImportError, XledgerLedgerItem } from './xledger-ledger.js';

/** The demo credentials the emulators accept by default (the demo seed uses them). */
export const DEMO_XLEDGER_TOKEN = 'demo-xledger-token';
/** The demo Xledger entity's posting settings: GL transaction source, employee settlement contra account, NOK. */
export const DEMO_XLEDGER_POSTING = {
  transactionSource: 'GL',
  contraAccount: '2910',
  localCurrency: 'NOK',
} as const;

/** Xledger connection settings pointed at the emulator (a type, not an interface, so it is a connection `Record`). */
export type XledgerEmulatorConnection = {
  baseUrl: string;
  apiToken: string;
  transactionSource: string;
  contraAccount: string;
  localCurrency: string;
};

/** The running Xledger emulator; `importErrors` is its `glImportItemErrors`. */
export interface RunningXledgerEmulator extends SystemEmulator<XledgerLedgerItem, XledgerEmulatorConnection> {
  importErrors(): XledgerImportError[];
}

/** Xledger's GraphQL API at `POST /xledger/graphql`. */
export const xledgerEmulatedSystem = {
  id: 'xledger',
  pathPrefix: '/xledger',
  start(options, { maxPageSize }): RunningXledgerEmulator {
    const tokens = options.xledgerTokens ?? [DEMO_XLEDGER_TOKEN];
    const emulator = new XledgerEmulator({ tokens, maxPageSize }, new FaultState(options.faults?.xledger));
    return {
      faults: emulator.faults,
      stats: () => emulator.stats,
      ledger: () => emulator.ledger.list(),
      importErrors: () => emulator.ledger.listErrors(),
      reset: () => emulator.reset(),
      async serve({ req, res, path, method, body }) {
        if (path !== '/graphql') return false;
        if (method !== 'POST') sendJson(res, 405, { errors: [{ message: 'GraphQL requests are POSTed' }] });
        else await emulator.handle(req, res, body);
        return true;
      },
      control: () => false,
      connection: (url) => ({
        baseUrl: `${url}/xledger/graphql`,
        apiToken: tokens[0] ?? DEMO_XLEDGER_TOKEN,
        ...DEMO_XLEDGER_POSTING,
      }),
    };
  },
  banner: (url) => ({
    api: [
      `Xledger GraphQL      POST ${url}/xledger/graphql            (Authorization: token demo-xledger-token)`,
    ],
    control: [],
  }),
} as const satisfies EmulatedSystem<'xledger', RunningXledgerEmulator>;
