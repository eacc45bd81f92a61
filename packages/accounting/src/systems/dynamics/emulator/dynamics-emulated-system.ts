import { DEMO_POSTING_SETTINGS } from '../../../demo-posting-settings.js';
import type { EmulatedSystem, SystemEmulator } from '../../../emulators/emulated-system.js';
import { FaultState } from '../../../emulators/faults.js';
import { sendJson } from '../../../emulators/http-io.js';
import { externalDocumentNumberFor } from '../external-document-number.js';
import { DynamicsEmulator } from './dynamics-emulator.js';
import type {
  DynamicsBalances,
  DynamicsCompanySeed,
  DynamicsGlEntry,
  DynamicsLedgerLine,
} from './dynamics-ledger.js';

/** The demo app registration the token endpoint accepts by default (the demo seed uses it). */
const DEMO_DYNAMICS_CLIENT = { clientId: 'demo-client', clientSecret: 'demo-secret' } as const;
export const DEMO_DYNAMICS_COMPANY_ID = 'c0a1e5d2-7b6f-4e1a-9c3d-2f8b9a0e4d51';
export const DEMO_DYNAMICS_JOURNAL_ID = '9f3b2c1a-8d7e-4f60-a5b4-3c2d1e0f9a87';
/** The demo company's journal batch owned by Meander (`journalName` in the connection). */
const DEMO_DYNAMICS_JOURNAL_NAME = 'MEANDER';
/** The demo company's balancing account for expense claims (employee payables). */
export const DEMO_DYNAMICS_BALANCING_ACCOUNT = '2990';
/** The demo company's local currency. */
const DEMO_DYNAMICS_CURRENCY = 'NOK';

/**
 * The demo posting model (connection settings `vatCodes`, `dimensions`): Meander's VAT categories
 * onto the demo company's VAT Prod. Posting Groups — S25 25 %, S15 15 %, S12 12 %, S0 0 %, E0 0 %
 * (exempt) — and its dimensions DEPARTMENT (SALES, OPS) and PROJECT (P100, P200).
 */
export const DEMO_DYNAMICS_VAT_CODES = DEMO_POSTING_SETTINGS.dynamics.vatCodes;
export const DEMO_DYNAMICS_DIMENSIONS = DEMO_POSTING_SETTINGS.dynamics.dimensions;
/** The demo company's employees (posting group EXPENSES → payables account 2990). */
export const DEMO_DYNAMICS_EMPLOYEES = Array.from(
  { length: 10 },
  (_, i) => `E${String(i + 1).padStart(3, '0')}`,
);
/** The demo company's Purchase VAT Account. */
export const DEMO_DYNAMICS_PURCHASE_VAT_ACCOUNT = '2710';

/**
 * The demo tenant: one company whose chart of accounts holds every account the demo seed and the
 * tests book to, with the product's journal batch and the standard `DEFAULT` one.
 */
const DEMO_DYNAMICS_COMPANIES: readonly DynamicsCompanySeed[] = [
  {
    id: DEMO_DYNAMICS_COMPANY_ID,
    name: 'CRONUS Fjordvik',
    currencyCode: DEMO_DYNAMICS_CURRENCY,
    accounts: [
      { number: '1920', displayName: 'Bank' },
      { number: '2400', displayName: 'Accounts payable' },
      { number: DEMO_DYNAMICS_PURCHASE_VAT_ACCOUNT, displayName: 'Input VAT' },
      { number: DEMO_DYNAMICS_BALANCING_ACCOUNT, displayName: 'Expense claims payable' },
      { number: '6800', displayName: 'Office supplies' },
      { number: '7100', displayName: 'Travel' },
      { number: '7140', displayName: 'Travel, fares' },
      { number: '7150', displayName: 'Travel, lodging' },
      { number: '7160', displayName: 'Meals' },
      { number: '7320', displayName: 'Advertising' },
      { number: '7350', displayName: 'Entertainment' },
      { number: '9999', displayName: 'Suspense' },
      { number: '9998', displayName: 'Blocked account', blocked: true },
    ],
    journals: [
      { id: DEMO_DYNAMICS_JOURNAL_ID, code: DEMO_DYNAMICS_JOURNAL_NAME, displayName: 'Meander expenses' },
      { id: 'e1d0c0b4-5a6f-4d3e-9b2a-7c8d9e0f1a2b', code: 'DEFAULT', displayName: 'Default journal' },
    ],
    fiscalYears: [2020, 2021, 2022, 2023, 2024, 2025, 2026, 2027, 2028, 2029, 2030],
    postingSetup: {
      vatRates: { S25: '25', S15: '15', S12: '12', S0: '0', E0: '0' },
      purchaseVatAccount: DEMO_DYNAMICS_PURCHASE_VAT_ACCOUNT,
      // The expense accounts (Gen. Posting Type Purchase); balance-sheet accounts carry no VAT.
      purchaseAccounts: ['6800', '7100', '7140', '7150', '7160', '7320', '7350', '9999'],
      employees: Object.fromEntries(DEMO_DYNAMICS_EMPLOYEES.map((e) => [e, DEMO_DYNAMICS_BALANCING_ACCOUNT])),
      dimensions: { DEPARTMENT: ['SALES', 'OPS'], PROJECT: ['P100', 'P200'] },
    },
  },
];

/** Business Central connection settings pointed at the emulator (a type, not an interface, so it is a connection `Record`). */
type DynamicsEmulatorConnection = {
  baseUrl: string;
  tokenUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  companyId: string;
  journalName: string;
  balancingAccountNumber: string;
  localCurrency: string;
};

/** The running Business Central emulator; its ledger is the posted G/L entries. */
export interface RunningDynamicsEmulator extends SystemEmulator<DynamicsGlEntry, DynamicsEmulatorConnection> {
  /** The journal lines not yet posted, in every journal. */
  openJournalLines(): DynamicsLedgerLine[];
  /** Invalidate every access token issued so far. */
  revokeTokens(): void;
  /** The demo company's (or company `companyId`'s) balances: G/L accounts, VAT groups, employees. */
  balances(companyId?: string): DynamicsBalances;
}

const API_PREFIX = '/api/v2.0/';

/**
 * Business Central under `/dynamics`: the Entra ID token endpoint (`/oauth2/v2.0/token`), API
 * v2.0 (`/api/v2.0/…`), and two controls of its own (`journal-lines`, `revoke-tokens`).
 */
export const dynamicsEmulatedSystem = {
  id: 'dynamics',
  pathPrefix: '/dynamics',
  start(options, { maxPageSize }): RunningDynamicsEmulator {
    const emulator = new DynamicsEmulator(
      {
        clients: options.dynamicsClients ?? {
          [DEMO_DYNAMICS_CLIENT.clientId]: DEMO_DYNAMICS_CLIENT.clientSecret,
        },
        tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
        maxPageSize,
        now: options.now ?? Date.now,
        companies: options.dynamicsCompanies ?? DEMO_DYNAMICS_COMPANIES,
      },
      // Faults name records by id; the emulator sees them as external document numbers.
      new FaultState(options.faults?.dynamics, externalDocumentNumberFor),
    );
    return {
      faults: emulator.faults,
      stats: () => emulator.stats,
      ledger: () => emulator.ledger.list(),
      openJournalLines: () => emulator.ledger.openLines(),
      revokeTokens: () => emulator.revokeTokens(),
      balances: (companyId = DEMO_DYNAMICS_COMPANY_ID) => emulator.ledger.balances(companyId),
      reset: () => emulator.reset(),
      async serve({ req, res, path, url, body }) {
        if (path === '/oauth2/v2.0/token') {
          emulator.handleToken(req, res, body);
          return true;
        }
        if (!path.startsWith(API_PREFIX)) return false;
        const rest = decodeURIComponent(path.slice(API_PREFIX.length));
        await emulator.handleApi(req, res, rest, url.searchParams, body);
        return true;
      },
      control(what, { res, method, url }) {
        // Every G/L account's, VAT group's and employee's balance (`?company=<id>`, default the demo company).
        if (what === 'balances' && method === 'GET') {
          const company = url.searchParams.get('company') ?? DEMO_DYNAMICS_COMPANY_ID;
          if (!emulator.ledger.company(company)) {
            sendJson(res, 404, { error: `no company ${company}` });
            return true;
          }
          sendJson(res, 200, emulator.ledger.balances(company));
          return true;
        }
        if (what === 'journal-lines' && method === 'GET') {
          const lines = emulator.ledger.openLines();
          sendJson(res, 200, { count: lines.length, lines });
          return true;
        }
        if (what === 'revoke-tokens' && method === 'POST') {
          emulator.revokeTokens();
          sendJson(res, 200, { ok: true });
          return true;
        }
        return false;
      },
      connection: (url) => ({
        baseUrl: `${url}/dynamics`,
        tokenUrl: `${url}/dynamics/oauth2/v2.0/token`,
        tenantId: 'demo-tenant',
        clientId: DEMO_DYNAMICS_CLIENT.clientId,
        clientSecret: DEMO_DYNAMICS_CLIENT.clientSecret,
        companyId: DEMO_DYNAMICS_COMPANY_ID,
        journalName: DEMO_DYNAMICS_JOURNAL_NAME,
        balancingAccountNumber: DEMO_DYNAMICS_BALANCING_ACCOUNT,
        localCurrency: DEMO_DYNAMICS_CURRENCY,
      }),
    };
  },
  banner: (url) => ({
    api: [
      `Dynamics token       POST ${url}/dynamics/oauth2/v2.0/token (demo-client / demo-secret)`,
      `Dynamics API         ${url}/dynamics/api/v2.0/…`,
    ],
    control: [
      `POST ${url}/_control/dynamics/revoke-tokens`,
      `GET  ${url}/_control/dynamics/balances (G/L accounts, VAT groups, employees)`,
    ],
  }),
} as const satisfies EmulatedSystem<'dynamics', RunningDynamicsEmulator>;
