import { createHash } from 'node:crypto';
import { type AccountingModuleConfig, type AccountingSystem, localDate } from '@meander/domain';
import type { Database, NewExpenseRecord } from './store/port.js';

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
export const DEMO_TIME_ZONE = 'Europe/Oslo';
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
export function previousMonth(now: Date): { first: Date; days: number } {
  const [year, month] = localDate(now, DEMO_TIME_ZONE).split('-').map(Number) as [number, number];
  const first = new Date(Date.UTC(year, month - 2, 1));
  const days = new Date(Date.UTC(year, month - 1, 0)).getUTCDate();
  return { first, days };
}

/**
 * Seed the demo: the contract's three organizations, their accounting modules (re-pointed at the
 * emulators every run), 300 approved expense records per enabled organization in the previous
 * month (what the nightly schedule exports) plus a few drafts and rejections that must never be
 * exported, and 40 approved records month-to-date (for a manual export). Idempotent.
 */
export async function seedDemo(
  db: Database,
  options: { emulatorUrl: string; now?: Date },
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
        connection: DEMO_CONNECTIONS[org.system](options.emulatorUrl),
      },
    });
    if (!org.enabled) continue;
    const batch: NewExpenseRecord[] = [];
    for (let i = 0; i < RECORDS_PER_ORGANIZATION + 12; i += 1) {
      const day = new Date(first.getTime() + (i % days) * 86_400_000).toISOString().slice(0, 10);
      const approvalState = i < RECORDS_PER_ORGANIZATION ? 'approved' : i % 2 === 0 ? 'draft' : 'rejected';
      batch.push({
        id: stableUuid(`${org.id}:${first.toISOString().slice(0, 7)}:${i}`),
        organizationId: org.id,
        kind: i % 5 === 0 ? 'reimbursement' : 'expense_claim',
        amountMinor: 1_500 + ((i * 7_919) % 250_000),
        currency: 'NOK',
        bookingDate: day,
        account: ACCOUNTS[i % ACCOUNTS.length] as string,
        approvalState,
        description: `Demo expense ${i + 1}`,
      });
    }
    const today = localDate(now, DEMO_TIME_ZONE);
    const monthStart = Date.parse(`${today.slice(0, 8)}01T00:00:00.000Z`);
    const daysSoFar = Number(today.slice(8, 10));
    for (let i = 0; i < CURRENT_MONTH_RECORDS; i += 1) {
      batch.push({
        id: stableUuid(`${org.id}:${new Date(monthStart).toISOString().slice(0, 7)}:current:${i}`),
        organizationId: org.id,
        kind: i % 4 === 0 ? 'reimbursement' : 'expense_claim',
        amountMinor: 2_500 + ((i * 6_113) % 90_000),
        currency: 'NOK',
        bookingDate: new Date(monthStart + (i % daysSoFar) * 86_400_000).toISOString().slice(0, 10),
        account: ACCOUNTS[(i * 3) % ACCOUNTS.length] as string,
        approvalState: 'approved',
        description: `Demo expense ${i + 1} this month`,
      });
    }
    records += await db.expenseRecords.insertMany(batch);
  }
  return { records };
}
