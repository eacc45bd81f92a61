import { documentNumberFor } from '@meander/accounting';
import {
  DEMO_DYNAMICS_BALANCING_ACCOUNT,
  type RunningEmulators,
  startEmulators,
} from '@meander/accounting/emulators';
import type { Database, NewExpenseRecord } from '@meander/db';
import { type AccountingSystem, isTerminalStatus, type SyncLog } from '@meander/domain';

/** Millisecond retries so fault scenarios take milliseconds, not minutes. */
export const FAST_RETRIES = {
  retry: {
    maxAttempts: 4,
    baseDelayMs: 5,
    maxDelayMs: 20,
    rateLimitDelayMs: 10,
    maxTotalWaitMs: 2_000,
    requestTimeoutMs: 2_000,
  },
};

export const PERIOD = {
  periodStart: '2026-10-01T00:00:00.000Z',
  periodEnd: '2026-10-31T23:59:59.999Z',
} as const;

export async function emulators(): Promise<RunningEmulators> {
  return startEmulators({ port: 0 });
}

/** An organization wired to the emulator of `system`, with `count` approved records in October 2026. */
export async function givenConnectedOrganization(
  db: Database,
  emu: RunningEmulators,
  system: AccountingSystem,
  count: number,
  options: {
    accounts?: (i: number) => string;
    currencies?: (i: number) => string;
    schedule?: { cron: string; timezone: string };
    /** Connection settings beside the emulator's own (e.g. the posting settings). */
    settings?: Readonly<Record<string, string>>;
  } = {},
): Promise<{ id: string; recordIds: string[] }> {
  const org = await db.organizations.create({
    name: `Worker test ${system} ${Math.random().toString(36).slice(2, 8)}`,
  });
  await db.organizations.configureAccounting({
    organizationId: org.id,
    enabled: true,
    config: {
      accountingSystem: system,
      // A Business Central journal batch belongs to one organization: its stale lines are deleted
      // and all its lines posted by that organization's syncs.
      connection: {
        ...(system === 'dynamics'
          ? { ...emu.connections.dynamics, journalName: `W${org.id.replaceAll('-', '').slice(0, 9)}` }
          : emu.connections[system]),
        ...options.settings,
      },
      ...(options.schedule ? { schedule: options.schedule } : {}),
    },
  });
  const records: NewExpenseRecord[] = Array.from({ length: count }, (_, i) => ({
    id: crypto.randomUUID(),
    organizationId: org.id,
    kind: 'expense_claim',
    amountMinor: 10_000 + i,
    currency: options.currencies?.(i) ?? 'NOK',
    bookingDate: `2026-10-${String((i % 28) + 1).padStart(2, '0')}`,
    account: options.accounts?.(i) ?? '7100',
    approvalState: 'approved',
    description: `Taxi for employee ${i}`,
  }));
  await db.expenseRecords.insertMany(records);
  return { id: org.id, recordIds: records.map((r) => r.id as string) };
}

/** How many times each record id appears in the emulator's ledger of `system`. */
export function ledgerCounts(
  emu: RunningEmulators,
  system: AccountingSystem,
  recordIds: string[],
  /**
   * Records with several lines or VAT: each record's first line's account. Business Central books
   * one entry per line and one per VAT amount under the record's key; a posting has exactly one
   * entry on its first line's account (the accounts of a record's lines differ in these tests).
   */
  firstAccounts?: ReadonlyMap<string, string>,
): Map<string, number> {
  const counts = new Map(recordIds.map((id) => [id, 0]));
  // Dynamics: posted records are G/L entries with the record's document number (the journal
  // empties when posted); the expense side is the entry not on the balancing account.
  const keyOf =
    system === 'xledger'
      ? new Map(recordIds.map((id) => [id, id]))
      : new Map(recordIds.map((id) => [documentNumberFor(id), id]));
  const entries =
    system === 'xledger'
      ? emu.ledger('xledger').flatMap((e) => (e.extIdentifier ? [e.extIdentifier] : []))
      : emu
          .ledger('dynamics')
          .filter((e) => e.accountNumber !== DEMO_DYNAMICS_BALANCING_ACCOUNT)
          .filter((e) => {
            const key = e.description.slice(0, 20);
            const first = firstAccounts?.get(keyOf.get(key) ?? '');
            return first === undefined || e.accountNumber === first;
          })
          // The key leads the description (a Posting No. Series may have renumbered the document).
          .map((e) =>
            keyOf.has(e.description.slice(0, 20)) ? e.description.slice(0, 20) : e.documentNumber,
          );
  for (const key of entries) {
    const id = keyOf.get(key);
    if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** The sync log once it has ended (success, partial or failed), else null: for {@link eventually}. */
export const terminal = (s: SyncLog | null): SyncLog | null => (s && isTerminalStatus(s.status) ? s : null);

/** Wait until `check` holds (polling), or fail after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
