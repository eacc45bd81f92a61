import type { ExportRecord } from '@meander/domain';
import { createAdapter } from '../src/create-adapter.js';
import { AccountingError } from '../src/port.js';
import { toScaled } from '../src/systems/dynamics/emulator/dynamics-ledger.js';
import { documentNumberFor } from '../src/systems/dynamics/external-document-number.js';
import type { ConformanceScenario, ConformanceTarget, ScenarioOutcome } from './scenario.js';

// Business Central behaviours the product relies on, as one suite for the emulator (CI) and a
// real sandbox (`pnpm conformance --system dynamics --env <file>`). What a scenario posts, its
// clean-up reverses with a mirror-image record posted the same way.

type Connection = Record<string, string | number | boolean>;

/** Records each scenario posted on a target, for its clean-up. */
const postedOn = new WeakMap<ConformanceTarget, Map<string, ExportRecord[]>>();

function remember(target: ConformanceTarget, scenario: string, records: readonly ExportRecord[]): void {
  const byScenario = postedOn.get(target) ?? new Map<string, ExportRecord[]>();
  byScenario.set(scenario, [...(byScenario.get(scenario) ?? []), ...records]);
  postedOn.set(target, byScenario);
}

function adapterFor(target: ConformanceTarget, extra: Connection = {}) {
  return createAdapter('dynamics', { ...target.connection, ...extra } as never, target.adapterOptions);
}

function currencyOf(target: ConformanceTarget): string {
  const currency = target.connection.localCurrency;
  if (typeof currency !== 'string' || currency === '')
    throw new Error('set localCurrency (the company currency) in the env file');
  return currency;
}

function makeRecord(target: ConformanceTarget, amountMinor: number, overrides: Partial<ExportRecord> = {}) {
  return {
    id: target.newRecordId(),
    kind: 'expense_claim',
    amountMinor,
    currency: currencyOf(target),
    bookingDate: target.bookingDate,
    account: target.expenseAccount,
    description: 'Meander conformance',
    ...overrides,
  } satisfies ExportRecord;
}

function makeRecords(target: ConformanceTarget, n: number): ExportRecord[] {
  return Array.from({ length: n }, (_, i) => makeRecord(target, 100 + i));
}

/** Reverse what `scenario` posted: each record's reversal (`reversal: true`, its own key), posted the same way. */
function reverse(scenario: string) {
  return async (target: ConformanceTarget): Promise<void> => {
    const records = postedOn.get(target)?.get(scenario) ?? [];
    postedOn.get(target)?.delete(scenario);
    if (records.length === 0) return;
    const reversals = records.map((r) => ({ ...r, reversal: true as const }));
    const result = await adapterFor(target).pushBatch(reversals, context(99));
    if (result.accepted.length !== reversals.length)
      throw new Error(`reversed ${result.accepted.length} of ${reversals.length} records`);
  };
}

function context(
  batchNumber: number,
  extra: { readBackFirst?: boolean; neverSend?: ReadonlySet<string> } = {},
) {
  return {
    syncLogId: '00000000-0000-4000-8000-00000000c0f0',
    organizationId: '00000000-0000-4000-8000-00000000c0f1',
    batchNumber,
    ...extra,
  };
}

/** Expense-side entries per record in the emulator's G/L (the judge), by the key in the description. */
async function postedCounts(target: ConformanceTarget, records: readonly ExportRecord[]): Promise<number[]> {
  const ledger = await target.control?.ledger();
  const entries = (ledger?.entries ?? []) as { description?: string; accountNumber?: string }[];
  return records.map(
    (r) =>
      entries.filter(
        (e) =>
          e.description?.startsWith(documentNumberFor(r.id)) && e.accountNumber === r.account.toUpperCase(),
      ).length,
  );
}

const eachOnce = (counts: readonly number[]) => counts.every((n) => n === 1);
const passed = (detail: string): ScenarioOutcome => ({ result: 'passed', detail });
const failed = (detail: string): ScenarioOutcome => ({ result: 'failed', detail });

/** Push, then push again as a re-sync would: the second push must find every record and write nothing. */
async function postAndFindAgain(
  target: ConformanceTarget,
  scenario: string,
  n: number,
): Promise<ScenarioOutcome> {
  const records = makeRecords(target, n);
  const first = await adapterFor(target).pushBatch(records, context(1));
  remember(
    target,
    scenario,
    records.filter((r) => first.accepted.some((a) => a.recordId === r.id)),
  );
  if (first.accepted.length !== n) return failed(`first push accepted ${first.accepted.length} of ${n}`);
  const again = adapterFor(target);
  const second = await again.pushBatch(records, context(1, { readBackFirst: true }));
  if (!second.accepted.every((a) => a.alreadyPosted === true) || second.accepted.length !== n)
    return failed('the re-push did not find every record as already posted');
  if (again.requests.writes !== 0) return failed(`the re-push wrote ${again.requests.writes} times`);
  if (target.control && !eachOnce(await postedCounts(target, records)))
    return failed('the emulator ledger does not hold each record exactly once');
  return passed(
    `${n} records found again by the key in the description, ${again.requests.reads} reads, no write`,
  );
}

/** Post records, then their reversals twice: the second finds them all, writes nothing; the ledger nets to zero. */
async function postAndReverse(target: ConformanceTarget): Promise<ScenarioOutcome> {
  const records = makeRecords(target, 2);
  const first = await adapterFor(target).pushBatch(records, context(1));
  remember(
    target,
    'reversal',
    records.filter((r) => first.accepted.some((a) => a.recordId === r.id)),
  );
  if (first.accepted.length !== records.length) return failed(`posted ${first.accepted.length} of 2`);
  postedOn.get(target)?.delete('reversal');
  const reversals = records.map((r) => ({ ...r, reversal: true as const }));
  const reversed = await adapterFor(target).pushBatch(reversals, context(2, { readBackFirst: true }));
  if (reversed.accepted.length !== 2 || reversed.accepted.some((a) => a.alreadyPosted))
    return failed('the reversals were not posted under their own key (taken for the originals?)');
  const again = adapterFor(target);
  const repeat = await again.pushBatch(reversals, context(2, { readBackFirst: true }));
  if (!repeat.accepted.every((a) => a.alreadyPosted === true) || again.requests.writes !== 0)
    return failed(`the repeated reversal push wrote ${again.requests.writes} times`);
  if (target.control) {
    const ledger = await target.control.ledger();
    const entries = (ledger?.entries ?? []) as {
      accountNumber: string;
      debitAmount: string;
      creditAmount: string;
    }[];
    const net = new Map<string, bigint>();
    for (const e of entries)
      net.set(
        e.accountNumber,
        (net.get(e.accountNumber) ?? 0n) + toScaled(e.debitAmount) - toScaled(e.creditAmount),
      );
    if ([...net.values()].some((n) => n !== 0n)) return failed('the emulator ledger does not net to zero');
  }
  return passed('2 postings reversed under their own keys; the repeat found both and wrote nothing');
}

export const dynamicsScenarios: ConformanceScenario[] = [
  {
    name: 'reversal: posted under its own key, found again, never twice',
    source:
      'V: BaseApp table 17 "G/L Entry" CopyFromGenJnlLine (the key in the description); the reversal key documentNumberFor(id + ":reversal")',
    run: (target) => postAndReverse(target),
  },
  {
    name: 'read-back by the key in the description',
    source:
      'V: BaseApp table 17 "G/L Entry" CopyFromGenJnlLine (Description := GenJnlLine.Description); MS Learn "Using filter expressions in OData URIs" (startswith); API v2.0 generalLedgerEntries.description',
    run: (target) => postAndFindAgain(target, 'read-back', 2),
    cleanUp: reverse('read-back'),
  },
  {
    name: 'paging: the read-back follows @odata.nextLink',
    source: 'V: OData v4 server-driven paging (@odata.nextLink), MS Learn "Server-driven paging"',
    run: (target) => postAndFindAgain(target, 'paging', 12),
    cleanUp: reverse('paging'),
  },
  {
    name: 'refusal: an account not in the chart is refused per record, nothing posted',
    source:
      'BCApps APIV2JournalLines.Page.al UpdateAccountIdForGLAccount ("The "accountNumber" does not match to an Account.")',
    assumption: 'I: an account number not in the chart of accounts is refused at line creation',
    run: async (target) => {
      const record = makeRecord(target, 123, { account: 'ZZNOSUCHACCOUNT' });
      const result = await adapterFor(target).pushBatch([record], context(1));
      if (result.accepted.length > 0) {
        remember(target, 'refusal', [record]);
        return failed('Business Central accepted and posted a line on an unknown account');
      }
      const rejection = result.rejected[0];
      if (rejection?.code !== 'Application_FieldValidationException')
        return failed(`refused, but not at line creation: ${rejection?.code} ${rejection?.reason}`);
      return passed(rejection.reason);
    },
    cleanUp: reverse('refusal'),
  },
  {
    name: 'renumbering: a batch with a Posting No. Series posts each record once and succeeds',
    source: 'V: BaseApp GenJnlPostBatch.CheckDocumentNo (Posting No. Series replaces Document No.)',
    needsControl: true,
    run: async (target) => {
      await target.control?.setFaults({ postingNoSeries: true });
      const records = makeRecords(target, 3);
      const result = await adapterFor(target).pushBatch(records, context(1));
      if (result.accepted.length !== 3) return failed(`accepted ${result.accepted.length} of 3`);
      const counts = await postedCounts(target, records);
      return eachOnce(counts)
        ? passed('3 records, each once, renumbered')
        : failed(`posted ${counts.join(',')}`);
    },
  },
  {
    name: 'No. Series without Manual Nos.: fails before posting anything, reason named',
    source:
      'V: BaseApp GenJnlPostBatch.ProcessBalanceOfLines → No. Series TestManual ("You may not enter numbers manually")',
    needsControl: true,
    run: async (target) => {
      await target.control?.setFaults({ noSeriesWithoutManual: true });
      const before = (await target.control?.ledger())?.count ?? 0;
      const error = await adapterFor(target)
        .pushBatch(makeRecords(target, 2), context(1))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      if (!(error instanceof AccountingError) || error.details.code !== 'NO_SERIES_MANUAL_NOT_ALLOWED')
        return failed(`expected NO_SERIES_MANUAL_NOT_ALLOWED, got ${String(error)}`);
      const after = (await target.control?.ledger())?.count ?? 0;
      const lines = (await target.control?.get('journal-lines')) as { count: number } | undefined;
      if (after !== before) return failed(`${after - before} entries posted`);
      if (lines?.count !== 0) return failed(`${lines?.count} journal lines left behind`);
      return passed(error.details.code);
    },
  },
  {
    name: 'throttling: 429s without Retry-After are cooled off and nothing is posted twice',
    source: 'V: MS Learn "Working with API limits" (429; retry after a cool-off; Retry-After not promised)',
    needsControl: true,
    run: async (target) => {
      await target.control?.setFaults({ throttle: 5, throttleWithoutRetryAfter: true });
      const records = makeRecords(target, 4);
      const result = await adapterFor(target).pushBatch(records, context(1));
      const counts = await postedCounts(target, records);
      if (result.accepted.length !== 4 || !eachOnce(counts))
        return failed(`accepted ${result.accepted.length}, posted ${counts.join(',')}`);
      return passed('5 throttled requests absorbed, each record once');
    },
  },
  {
    name: 'request quota: 6,000 requests per 300 s per user is far above a 100-record batch',
    source: 'V: MS Learn "Working with API limits" (6,000 OData requests per 5 minutes per user)',
    needsControl: true,
    run: async (target) => {
      await target.control?.setFaults({ requestQuota: { requests: 6_000, windowSeconds: 300 } });
      const records = makeRecords(target, 100);
      const adapter = adapterFor(target);
      const result = await adapter.pushBatch(records, context(1));
      const used = adapter.requests.reads + adapter.requests.writes;
      if (result.accepted.length !== 100) return failed(`accepted ${result.accepted.length} of 100`);
      return passed(`${used} requests for 100 records`);
    },
  },
  {
    name: 'job-queue delay: entries that appear later are waited for; beyond the wait, unverified and never re-posted',
    source: 'V: codeunit 231 "Gen. Jnl.-Post" / General Ledger Setup "Post with Job Queue"',
    needsControl: true,
    run: async (target) => {
      await target.control?.setFaults({ jobQueuePostingMs: 300 });
      const waited = makeRecords(target, 2);
      const first = await adapterFor(target, { postingWaitSeconds: 10 }).pushBatch(waited, context(1));
      if (first.accepted.length !== 2)
        return failed(`within the wait: accepted ${first.accepted.length} of 2`);
      await target.control?.setFaults({ jobQueuePostingMs: 2_000 });
      const late = makeRecords(target, 2);
      const second = await adapterFor(target, { postingWaitSeconds: 0 }).pushBatch(late, context(2));
      if (
        !second.rejected.every((r) => r.unverified === true && r.code === 'POSTED_NOT_FOUND') ||
        second.rejected.length !== 2
      )
        return failed('beyond the wait: expected 2 unverified POSTED_NOT_FOUND');
      const deadline = Date.now() + 10_000;
      while (!eachOnce(await postedCounts(target, late))) {
        if (Date.now() > deadline) return failed('the queued posting never appeared');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const resync = await adapterFor(target).pushBatch(
        late,
        context(2, { neverSend: new Set(late.map((r) => r.id)) }),
      );
      if (!resync.accepted.every((a) => a.alreadyPosted === true) || resync.accepted.length !== 2)
        return failed('the re-sync did not accept the late entries as already posted');
      const counts = await postedCounts(target, [...waited, ...late]);
      return eachOnce(counts)
        ? passed('waited, then unverified, then found: each once')
        : failed(`posted ${counts.join(',')}`);
    },
  },
];
