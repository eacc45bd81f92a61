import { DEMO_POSTING_SETTINGS } from '../../../demo-posting-settings.js';
import type { EmulatedSystem, SystemEmulator } from '../../../emulators/emulated-system.js';
import { FaultState } from '../../../emulators/faults.js';
import { sendJson } from '../../../emulators/http-io.js';
import { XledgerEmulator } from './xledger-emulator.js';
import type {
  XledgerBalances,
  XledgerImportError,
  XledgerJournalEntry,
  XledgerLedgerItem,
} from './xledger-ledger.js';

/** The demo credentials the emulators accept by default (the demo seed uses them). */
const DEMO_XLEDGER_TOKEN = 'demo-xledger-token';
/** The demo Xledger entity's posting settings: GL transaction source, employee settlement contra account, NOK. */
const DEMO_XLEDGER_POSTING = {
  transactionSource: 'GL',
  contraAccount: '2910',
  localCurrency: 'NOK',
} as const;

/**
 * The demo organization's posting model on the demo entity: Meander's VAT categories → the
 * entity's tax rules (1 = 25 %, 11 = 15 %, 13 = 12 %, 0 = no VAT), departments in GL object 1 and
 * projects in the project field, the credit to the employee's sub-ledger.
 */
export const DEMO_XLEDGER_POSTING_MODEL = DEMO_POSTING_SETTINGS.xledger;

/** Xledger connection settings pointed at the emulator (a type, not an interface, so it is a connection `Record`). */
type XledgerEmulatorConnection = {
  baseUrl: string;
  apiToken: string;
  transactionSource: string;
  contraAccount: string;
  localCurrency: string;
};

/** The running Xledger emulator; `importErrors` is its `glImportItemErrors`. */
export interface RunningXledgerEmulator extends SystemEmulator<XledgerLedgerItem, XledgerEmulatorConnection> {
  importErrors(): XledgerImportError[];
  /** The booked lines (`journalEntries`). */
  journalEntries(): XledgerJournalEntry[];
  /** Every account's balance and every employee's (sub-ledger) balance, from the journal entries. */
  balances(): XledgerBalances;
}

/** Xledger's own controls: what an accountant does with refused items in the GL import screen. */
const ACCOUNTANT_ACTIONS = {
  reprocess: (emulator: XledgerEmulator) => emulator.processing.reprocessErrored(),
  'delete-errored': (emulator: XledgerEmulator) => emulator.processing.deleteErrored(),
} as const;

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
      ledger: () => {
        emulator.catchUp();
        return emulator.ledger.list();
      },
      importErrors: () => {
        emulator.catchUp();
        return emulator.ledger.listErrors();
      },
      journalEntries: () => {
        emulator.catchUp();
        return emulator.ledger.listEntries();
      },
      balances: () => {
        emulator.catchUp();
        return emulator.ledger.balances();
      },
      reset: () => emulator.reset(),
      async serve({ req, res, path, method, body }) {
        if (path !== '/graphql') return false;
        if (method !== 'POST') sendJson(res, 405, { errors: [{ message: 'GraphQL requests are POSTed' }] });
        else await emulator.handle(req, res, body);
        return true;
      },
      control(what, { res, method }) {
        if (!Object.hasOwn(ACCOUNTANT_ACTIONS, what)) return false;
        if (method !== 'POST') {
          sendJson(res, 405, { error: 'method_not_allowed', message: `POST /_control/xledger/${what}` });
          return true;
        }
        emulator.catchUp();
        sendJson(res, 200, ACCOUNTANT_ACTIONS[what as keyof typeof ACCOUNTANT_ACTIONS](emulator));
        return true;
      },
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
    control: [
      `Xledger reprocess    POST ${url}/_control/xledger/reprocess       (process refused staged items again)`,
      `Xledger delete       POST ${url}/_control/xledger/delete-errored  (delete refused staged items)`,
    ],
  }),
} as const satisfies EmulatedSystem<'xledger', RunningXledgerEmulator>;
