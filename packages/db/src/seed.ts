import { createHash } from 'node:crypto';
import {
  type AccountingModuleConfig,
  type AccountingSystem,
  type ExpenseRecordInput,
  localDate,
  MAX_UPSERT_RECORDS,
} from '@meander/domain';
import type { Database } from './store/port.js';

/** The demo organizations of the contract ("Demo data"). */
export const DEMO_ORGANIZATIONS = [
  { id: '11111111-1111-4111-8111-111111111111', name: 'Nordlys AS', system: 'xledger', enabled: true },
  {
    id: '22222222-2222-4222-8222-222222222222',
    name: 'Fjordvik Consulting',
    system: 'dynamics',
    enabled: true,
  },
  { id: '33333333-3333-4333-8333-333333333333', name: 'Stille Drift AS', system: 'xledger', enabled: false },
] as const;

/** The demo organizations keep their books in Oslo: periods, schedules and the CLI's days. */
const DEMO_TIME_ZONE = 'Europe/Oslo';
const NIGHTLY = { cron: '0 2 * * *', timezone: DEMO_TIME_ZONE };
const ACCOUNTS = ['6800', '7100', '7140', '7150', '7160', '7320', '7350'];
const RECORDS_PER_ORGANIZATION = 300;
/** Month-to-date records, so a manual export of the current month has something to send. */
const CURRENT_MONTH_RECORDS = 40;

/** A deterministic v4-shaped uuid, so re-seeding finds the same records. */
function stableUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Each system's demo connection, pointed at the emulators. Keyed by every accounting system, so a
 * new one does not compile until it has demo settings.
 */
const DEMO_CONNECTIONS = {
  xledger: (emulatorUrl) => ({
    baseUrl: `${emulatorUrl}/xledger/graphql`,
    apiToken: 'demo-xledger-token',
    // Every item carries a transaction source; each voucher balances on the employee
    // settlement account; the entity books in NOK (the emulator's demo chart holds them all).
    transactionSource: 'GL',
    contraAccount: '2910',
    localCurrency: 'NOK',
  }),
  dynamics: (emulatorUrl) => ({
    baseUrl: `${emulatorUrl}/dynamics`,
    tokenUrl: `${emulatorUrl}/dynamics/oauth2/v2.0/token`,
    tenantId: 'demo-tenant',
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
    companyId: 'c0a1e5d2-7b6f-4e1a-9c3d-2f8b9a0e4d51',
    // Meander's own journal batch, the contra account of every expense line, and the company's currency.
    journalName: 'MEANDER',
    balancingAccountNumber: '2990',
    localCurrency: 'NOK',
  }),
} satisfies Record<AccountingSystem, (emulatorUrl: string) => AccountingModuleConfig['connection']>;

/**
 * The previous calendar month of `now` in the demo's zone: its first day (as a UTC-midnight date
 * whose YYYY-MM-DD is the local date) and its length in days.
 */
function previousMonth(now: Date): { first: Date; days: number } {
  const [year, month] = localDate(now, DEMO_TIME_ZONE).split('-').map(Number) as [number, number];
  const first = new Date(Date.UTC(year, month - 2, 1));
  const days = new Date(Date.UTC(year, month - 1, 0)).getUTCDate();
  return { first, days };
}

/** The demo's VAT categories with their Norwegian rates (per cent of the net amount). */
const VAT_RATES = { HIGH: 25, MEDIUM: 15, LOW: 12, ZERO: 0, EXEMPT: 0 } as const;
const DEPARTMENTS = ['SALES', 'OPS'] as const;
const PROJECTS = ['P100', 'P200'] as const;
/**
 * The demo's records went out as one plain line under version 1 before the posting model; version 2
 * carries the lines below, so re-seeding an older demo database replaces them instead of
 * conflicting with the stored version 1.
 */
const DEMO_RECORD_VERSION = 2;

type DemoLine = ExpenseRecordInput['lines'][number];

/** A line of `net` minor units in `vatCode`, its VAT in whole minor units (rounded half up, integers only). */
function demoLine(
  account: string,
  net: number,
  vatCode: keyof typeof VAT_RATES,
  dimensions?: DemoLine['dimensions'],
): DemoLine {
  const vatAmountMinor = Math.floor((net * VAT_RATES[vatCode] + 50) / 100);
  return { account, amountMinor: net, vatCode, vatAmountMinor, ...(dimensions ? { dimensions } : {}) };
}

/**
 * The demo's lines for record `i`, in four shapes: one plain line without VAT; one line at 25 % with
 * a department; a meal at 15 % and a taxi at 12 % on a project; and a three-line trip (hotel at
 * 25 %, a zero-rated fee, an exempt item) with a department and a project on every line.
 */
function demoLines(i: number, account: string, amountMinor: number): ExpenseRecordInput['lines'] {
  // Every fourth record has one shape; the next record of the same shape has the other department,
  // and the project changes every second one.
  const department = DEPARTMENTS[Math.floor(i / 4) % DEPARTMENTS.length] as string;
  const project = PROJECTS[Math.floor(i / 8) % PROJECTS.length] as string;
  const other = ACCOUNTS[(i + 3) % ACCOUNTS.length] as string;
  switch (i % 4) {
    case 0:
      return [demoLine(account, amountMinor, 'ZERO')];
    case 1:
      return [demoLine(account, amountMinor, 'HIGH', { department })];
    case 2:
      return [
        demoLine(account, amountMinor, 'MEDIUM', { project }),
        demoLine(other, 1_000 + (amountMinor % 9_000), 'LOW', { project }),
      ];
    default:
      return [
        demoLine(account, amountMinor, 'HIGH', { department, project }),
        demoLine(other, 500 + (amountMinor % 4_000), 'ZERO', { department, project }),
        demoLine('6800', 200 + (amountMinor % 1_500), 'EXEMPT', { department, project }),
      ];
  }
}

/**
 * A demo record as Meander's expense system would send it: its lines (see {@link demoLines}),
 * employee E001–E010, and a receipt on every third record.
 */
function demoRecord(
  id: string,
  i: number,
  fields: {
    kind: ExpenseRecordInput['kind'];
    amountMinor: number;
    bookingDate: string;
    account: string;
    description: string;
  },
): ExpenseRecordInput {
  return {
    id,
    version: DEMO_RECORD_VERSION,
    kind: fields.kind,
    employeeNumber: `E${String((i % 10) + 1).padStart(3, '0')}`,
    bookingDate: fields.bookingDate,
    currency: 'NOK',
    description: fields.description,
    ...(i % 3 === 0 ? { receiptUrl: `https://receipts.meander.example/demo/${id}.pdf` } : {}),
    lines: demoLines(i, fields.account, fields.amountMinor),
  };
}

/**
 * The posting settings the demo connections carry per ledger (connection keys `vatCodes`,
 * `dimensions`, `employeeCredit`); the accounting package defines them (`DEMO_POSTING_SETTINGS`), next to the
 * emulators whose demo ledgers they describe.
 */
export type DemoPostingSettings = Readonly<
  Record<AccountingSystem, Readonly<Record<'vatCodes' | 'dimensions' | 'employeeCredit', string>>>
>;

/**
 * Seed the demo: the contract's three organizations, their accounting modules (re-pointed at the
 * emulators every run, with the demo's posting settings), 300 approved expense records per enabled
 * organization in the previous
 * month (what the nightly schedule exports) plus a few withdrawn ones that must never be exported,
 * and 40 approved records month-to-date (for a manual export). The records go in through the
 * intake's own upsert (in batches of at most 1,000), as Meander's expense system sends them, with
 * VAT, several lines, dimensions, employees and receipts. Idempotent: a second run finds every
 * record `unchanged`; a record an older demo already posted stays as it was posted.
 */
export async function seedDemo(
  db: Database,
  options: { emulatorUrl: string; postingSettings: DemoPostingSettings; now?: Date },
): Promise<{ records: number }> {
  const now = options.now ?? new Date();
  const { first, days } = previousMonth(now);
  let records = 0;
  for (const org of DEMO_ORGANIZATIONS) {
    if (!(await db.organizations.get(org.id))) {
      await db.organizations.create({ id: org.id, name: org.name, timeZone: DEMO_TIME_ZONE });
    }
    await db.organizations.configureAccounting({
      organizationId: org.id,
      timeZone: DEMO_TIME_ZONE,
      enabled: org.enabled,
      config: {
        accountingSystem: org.system,
        schedule: NIGHTLY,
        connection: {
          ...DEMO_CONNECTIONS[org.system](options.emulatorUrl),
          ...options.postingSettings[org.system],
        },
      },
    });
    if (!org.enabled) continue;
    const batch: ExpenseRecordInput[] = [];
    const withdrawn: string[] = [];
    for (let i = 0; i < RECORDS_PER_ORGANIZATION + 12; i += 1) {
      const day = new Date(first.getTime() + (i % days) * 86_400_000).toISOString().slice(0, 10);
      const id = stableUuid(`${org.id}:${first.toISOString().slice(0, 7)}:${i}`);
      if (i >= RECORDS_PER_ORGANIZATION) withdrawn.push(id);
      batch.push(
        demoRecord(id, i, {
          kind: i % 5 === 0 ? 'reimbursement' : 'expense_claim',
          amountMinor: 1_500 + ((i * 7_919) % 250_000),
          bookingDate: day,
          account: ACCOUNTS[i % ACCOUNTS.length] as string,
          description: `Demo expense ${i + 1}`,
        }),
      );
    }
    const today = localDate(now, DEMO_TIME_ZONE);
    const monthStart = Date.parse(`${today.slice(0, 8)}01T00:00:00.000Z`);
    const daysSoFar = Number(today.slice(8, 10));
    for (let i = 0; i < CURRENT_MONTH_RECORDS; i += 1) {
      batch.push(
        demoRecord(
          stableUuid(`${org.id}:${new Date(monthStart).toISOString().slice(0, 7)}:current:${i}`),
          i,
          {
            kind: i % 4 === 0 ? 'reimbursement' : 'expense_claim',
            amountMinor: 2_500 + ((i * 6_113) % 90_000),
            bookingDate: new Date(monthStart + (i % daysSoFar) * 86_400_000).toISOString().slice(0, 10),
            account: ACCOUNTS[(i * 3) % ACCOUNTS.length] as string,
            description: `Demo expense ${i + 1} this month`,
          },
        ),
      );
    }
    for (let i = 0; i < batch.length; i += MAX_UPSERT_RECORDS) {
      const result = await db.expenseRecords.upsert(org.id, batch.slice(i, i + MAX_UPSERT_RECORDS));
      const refused = result.rejected.filter(
        (r) => !r.issues.every((issue) => issue.rule === 'RECORD_ALREADY_POSTED'),
      );
      if (refused.length > 0) throw new Error(`Demo records refused: ${JSON.stringify(refused.slice(0, 3))}`);
      records += result.upserted;
    }
    await db.expenseRecords.withdraw(org.id, withdrawn);
  }
  return { records };
}
