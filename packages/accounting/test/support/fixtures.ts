import type { ExportRecord } from '@meander/domain';
import { AccountingError, type AdapterOptions, type BatchContext, type Sleep } from '../../src/index.js';

/** `n` valid records with distinct ids and amounts (id `prefix-0001`, amount 100.01, 100.02, …). */
export function makeRecords(
  n: number,
  prefix = 'rec',
  overrides: Partial<ExportRecord> = {},
): ExportRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${String(i + 1).padStart(4, '0')}`,
    kind: 'expense_claim',
    amountMinor: 10_000 + i + 1,
    currency: 'NOK',
    bookingDate: '2024-05-15',
    account: '6800',
    description: `Expense ${i + 1}`,
    ...overrides,
  }));
}

/** A batch context for sync `syncLogId`. */
export function batchContext(overrides: Partial<BatchContext> = {}): BatchContext {
  return {
    syncLogId: '5b1f6a2e-0c3d-4e8f-9a7b-1c2d3e4f5a6b',
    organizationId: '11111111-1111-4111-8111-111111111111',
    batchNumber: 1,
    ...overrides,
  };
}

/** A sleep that returns at once and remembers every wait it was asked for. */
function recordingSleep(): { sleep: Sleep; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms) => {
      waits.push(ms);
    },
  };
}

/** Adapter options for tests: millisecond delays, a recording sleep, short timeouts. */
export function fastOptions(extra: AdapterOptions = {}): AdapterOptions & { waits: number[] } {
  const { sleep, waits } = recordingSleep();
  return {
    sleep,
    waits,
    ...extra,
    retry: {
      baseDelayMs: 1,
      maxDelayMs: 5,
      rateLimitDelayMs: 5,
      requestTimeoutMs: 2_000,
      maxAttempts: 4,
      maxTotalWaitMs: 60_000,
      ...extra.retry,
    },
  };
}

/** Minor units to the decimal text the ledgers hold (2-decimal currencies). */
export function decimal(amountMinor: number): string {
  const digits = String(Math.abs(amountMinor)).padStart(3, '0');
  return `${amountMinor < 0 ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** The AccountingError `promise` rejects with; anything else (or success) fails the test. */
export async function failure(promise: Promise<unknown>): Promise<AccountingError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AccountingError))
    throw new Error(`expected an AccountingError, got ${String(error)}`);
  return error;
}

/** The `extIdentifier`s of the expense lines an Xledger emulator ledger holds (contra lines left out). */
export function expenseLines(items: readonly { extIdentifier: string | null }[]): string[] {
  return items.flatMap((i) =>
    i.extIdentifier && !i.extIdentifier.endsWith(':contra') ? [i.extIdentifier] : [],
  );
}
