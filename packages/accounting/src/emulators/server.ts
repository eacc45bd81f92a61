import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccountingSystem } from '@meander/domain';
import { externalDocumentNumberFor } from '../dynamics/external-document-number.js';
import { DynamicsEmulator } from './dynamics-emulator.js';
import type { DynamicsCompanySeed, DynamicsGlEntry, DynamicsLedgerLine } from './dynamics-ledger.js';
import type { EmulatorStats } from './emulator-stats.js';
import { type EmulatorFaults, emulatorFaultsSchema, FaultState } from './faults.js';
import { BodyTooLargeError, readBody, sendJson, tryParseJson } from './http-io.js';
import { XledgerEmulator } from './xledger-emulator.js';
import type { XledgerImportError, XledgerLedgerItem } from './xledger-ledger.js';

/** The port `pnpm emulators` and `pnpm start` use unless `EMULATOR_PORT` says otherwise. */
export const DEFAULT_EMULATOR_PORT = 4010;
/** The demo credentials the emulators accept by default (the demo seed uses them). */
export const DEMO_XLEDGER_TOKEN = 'demo-xledger-token';
/** The demo Xledger entity's posting settings: GL transaction source, employee settlement contra account, NOK. */
export const DEMO_XLEDGER_POSTING = {
  transactionSource: 'GL',
  contraAccount: '2910',
  localCurrency: 'NOK',
} as const;
export const DEMO_DYNAMICS_CLIENT = { clientId: 'demo-client', clientSecret: 'demo-secret' } as const;
export const DEMO_DYNAMICS_COMPANY_ID = 'c0a1e5d2-7b6f-4e1a-9c3d-2f8b9a0e4d51';
export const DEMO_DYNAMICS_JOURNAL_ID = '9f3b2c1a-8d7e-4f60-a5b4-3c2d1e0f9a87';
/** The demo company's journal batch owned by Meander (`journalName` in the connection). */
export const DEMO_DYNAMICS_JOURNAL_NAME = 'MEANDER';
/** The demo company's balancing account for expense claims (employee payables). */
export const DEMO_DYNAMICS_BALANCING_ACCOUNT = '2990';
/** The demo company's local currency. */
export const DEMO_DYNAMICS_CURRENCY = 'NOK';

/**
 * The demo tenant: one company whose chart of accounts holds every account the demo seed and the
 * tests book to, with the product's journal batch and the standard `DEFAULT` one.
 */
export const DEMO_DYNAMICS_COMPANIES: readonly DynamicsCompanySeed[] = [
  {
    id: DEMO_DYNAMICS_COMPANY_ID,
    name: 'CRONUS Fjordvik',
    currencyCode: DEMO_DYNAMICS_CURRENCY,
    accounts: [
      { number: '1920', displayName: 'Bank' },
      { number: '2400', displayName: 'Accounts payable' },
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
  },
];

/** How to start the emulators. */
export interface EmulatorOptions {
  /** 0 (the default) picks a free port — what tests and benchmarks want. */
  port?: number;
  host?: string;
  /** Faults in force from the start, per system. */
  faults?: Partial<Record<AccountingSystem, EmulatorFaults>>;
  /** Xledger API tokens accepted (default `['demo-xledger-token']`). */
  xledgerTokens?: readonly string[];
  /** Dynamics client id → secret (default `{ 'demo-client': 'demo-secret' }`). */
  dynamicsClients?: Readonly<Record<string, string>>;
  /** Lifetime of a Dynamics access token (default 3600). */
  tokenTtlSeconds?: number;
  /** Larger request bodies are refused with 413 (default 4 MiB). */
  maxBodyBytes?: number;
  /** Largest read-back page (default 1000). */
  maxPageSize?: number;
  /** The emulators' clock, for token expiry (default `Date.now`). */
  now?: () => number;
  /** Business Central companies (default {@link DEMO_DYNAMICS_COMPANIES}). */
  dynamicsCompanies?: readonly DynamicsCompanySeed[];
}

/** A running pair of emulators and their in-process control API. */
export interface RunningEmulators {
  /** `http://host:port` */
  url: string;
  port: number;
  /** Connection settings for an organization's `admin-accounting` config, pointed at these emulators. */
  connections: {
    xledger: {
      baseUrl: string;
      apiToken: string;
      transactionSource: string;
      contraAccount: string;
      localCurrency: string;
    };
    dynamics: {
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
  };
  setFaults(system: AccountingSystem, faults: EmulatorFaults): void;
  faults(system: AccountingSystem): EmulatorFaults;
  ledger(system: 'xledger'): XledgerLedgerItem[];
  /** Business Central: the posted G/L entries (what the ledger holds; journals empty when posted). */
  ledger(system: 'dynamics'): DynamicsGlEntry[];
  /** Business Central: the journal lines not yet posted, in every journal. */
  openJournalLines(): DynamicsLedgerLine[];
  /** Xledger's `glImportItemErrors`: the items processing refused, and why. */
  xledgerImportErrors(): XledgerImportError[];
  stats(system: AccountingSystem): EmulatorStats;
  /** Invalidate every Dynamics access token issued so far. */
  revokeTokens(): void;
  /** Empty both ledgers, zero the stats, drop the tokens and clear every fault. */
  reset(): void;
  close(): Promise<void>;
}

const SYSTEM_PATH = /^\/_control\/(xledger|dynamics)\/(ledger|faults|stats)$/;

/**
 * Start one HTTP server with both emulators (one port for the demo):
 * `/xledger/graphql`, `/dynamics/oauth2/v2.0/token`, `/dynamics/api/v2.0/…`, and the control API
 * under `/_control` (health, reset, per-system ledger, faults, stats, token revocation).
 */
export async function startEmulators(options: EmulatorOptions = {}): Promise<RunningEmulators> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const maxPageSize = options.maxPageSize ?? 1000;
  const xledger = new XledgerEmulator(
    { tokens: options.xledgerTokens ?? [DEMO_XLEDGER_TOKEN], maxPageSize },
    new FaultState(options.faults?.xledger),
  );
  const dynamics = new DynamicsEmulator(
    {
      clients: options.dynamicsClients ?? {
        [DEMO_DYNAMICS_CLIENT.clientId]: DEMO_DYNAMICS_CLIENT.clientSecret,
      },
      tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
      maxPageSize,
      now: options.now ?? Date.now,
      companies: options.dynamicsCompanies ?? DEMO_DYNAMICS_COMPANIES,
    },
    new FaultState(options.faults?.dynamics, externalDocumentNumberFor),
  );
  const emulators = { xledger, dynamics };

  const control = {
    setFaults(system: AccountingSystem, faults: EmulatorFaults) {
      emulators[system].faults.set(faults);
    },
    faults: (system: AccountingSystem) => emulators[system].faults.get(),
    ledgerOf: (system: AccountingSystem): unknown[] =>
      system === 'xledger' ? xledger.ledger.list() : dynamics.ledger.list(),
    stats: (system: AccountingSystem) => ({ ...emulators[system].stats }),
    revokeTokens: () => dynamics.revokeTokens(),
    reset() {
      xledger.reset();
      dynamics.reset();
      xledger.faults.set({});
      dynamics.faults.set({});
    },
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const body = method === 'GET' || method === 'HEAD' ? '' : await readBody(req, maxBodyBytes);

    if (path === '/xledger/graphql') {
      if (method !== 'POST')
        return sendJson(res, 405, { errors: [{ message: 'GraphQL requests are POSTed' }] });
      return xledger.handle(req, res, body);
    }
    if (path === '/dynamics/oauth2/v2.0/token') return dynamics.handleToken(req, res, body);
    if (path.startsWith('/dynamics/api/v2.0/')) {
      const rest = decodeURIComponent(path.slice('/dynamics/api/v2.0/'.length));
      return dynamics.handleApi(req, res, rest, url.searchParams, body);
    }
    if (path === '/_control/health')
      return sendJson(res, 200, { ok: true, systems: ['xledger', 'dynamics'] });
    if (path === '/_control/reset' && method === 'POST') {
      control.reset();
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/_control/dynamics/journal-lines' && method === 'GET') {
      const lines = dynamics.ledger.openLines();
      return sendJson(res, 200, { count: lines.length, lines });
    }
    if (path === '/_control/dynamics/revoke-tokens' && method === 'POST') {
      control.revokeTokens();
      return sendJson(res, 200, { ok: true });
    }
    const match = SYSTEM_PATH.exec(path);
    if (match) {
      const system = match[1] as AccountingSystem;
      const what = match[2];
      if (what === 'ledger' && method === 'GET') {
        const entries = control.ledgerOf(system);
        return sendJson(res, 200, { system, count: entries.length, entries });
      }
      if (what === 'stats' && method === 'GET') return sendJson(res, 200, control.stats(system));
      if (what === 'faults' && method === 'GET') return sendJson(res, 200, control.faults(system));
      if (what === 'faults' && method === 'PUT') {
        const parsed = emulatorFaultsSchema.safeParse(tryParseJson(body));
        if (!parsed.success) {
          return sendJson(res, 400, {
            error: 'invalid_faults',
            issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
          });
        }
        control.setFaults(system, parsed.data);
        return sendJson(res, 200, control.faults(system));
      }
    }
    sendJson(res, 404, { error: 'not_found', message: `${method} ${path} is not served by the emulators` });
  };

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return;
      if (error instanceof BodyTooLargeError) {
        sendJson(res, 413, { error: 'payload_too_large', message: error.message }, { connection: 'close' });
        return;
      }
      if (error instanceof URIError) {
        sendJson(res, 400, {
          error: 'bad_request',
          message: 'The request URL is not validly percent-encoded',
        });
        return;
      }
      sendJson(res, 500, {
        error: 'emulator_error',
        message: error instanceof Error ? error.message : String(error),
      });
    });
  });
  server.keepAliveTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url,
    port,
    connections: {
      xledger: {
        baseUrl: `${url}/xledger/graphql`,
        apiToken: options.xledgerTokens?.[0] ?? DEMO_XLEDGER_TOKEN,
        ...DEMO_XLEDGER_POSTING,
      },
      dynamics: {
        baseUrl: `${url}/dynamics`,
        tokenUrl: `${url}/dynamics/oauth2/v2.0/token`,
        tenantId: 'demo-tenant',
        clientId: DEMO_DYNAMICS_CLIENT.clientId,
        clientSecret: DEMO_DYNAMICS_CLIENT.clientSecret,
        companyId: DEMO_DYNAMICS_COMPANY_ID,
        journalName: DEMO_DYNAMICS_JOURNAL_NAME,
        balancingAccountNumber: DEMO_DYNAMICS_BALANCING_ACCOUNT,
        localCurrency: DEMO_DYNAMICS_CURRENCY,
      },
    },
    setFaults: control.setFaults,
    faults: control.faults,
    ledger: control.ledgerOf as RunningEmulators['ledger'],
    openJournalLines: () => dynamics.ledger.openLines(),
    xledgerImportErrors: () => xledger.ledger.listErrors(),
    stats: control.stats,
    revokeTokens: control.revokeTokens,
    reset: control.reset,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
