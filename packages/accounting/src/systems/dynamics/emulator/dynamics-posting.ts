import type { EmulatorStats } from '../../../emulators/emulator-stats.js';
import type { FaultState } from '../../../emulators/faults.js';
import {
  type DynamicsCompany,
  type DynamicsJournal,
  type DynamicsLedger,
  type DynamicsLedgerLine,
  PostingRefused,
} from './dynamics-ledger.js';
import { type Answer, odataError } from './dynamics-odata.js';

/** The No. Series a UI-made batch takes from the GENERAL template (CRONUS: GJNL-GEN, numbers G00001…). */
const BATCH_NO_SERIES = { code: 'GJNL-GEN', prefix: 'G' } as const;
/** The batch's Posting No. Series: what posted entries are numbered with when it is set. */
const BATCH_POSTING_NO_SERIES = { code: 'GJNL-PST', prefix: 'GP' } as const;

const seriesNumber = (prefix: string, n: number) => `${prefix}${String(n).padStart(5, '0')}`;

/** What posting reads from the emulator that owns it. */
export interface PostingOwner {
  readonly ledger: DynamicsLedger;
  readonly faults: FaultState;
  readonly stats: EmulatorStats;
}

/**
 * `Microsoft.NAV.post` as General Ledger Setup and the batch's number series make it behave:
 * - a No. Series without Manual Nos. refuses any document number that is not its next one
 *   (V: BaseApp `GenJnlPostBatch.ProcessBalanceOfLines` → No. Series `TestManual`, label
 *   CannotAssignManuallyErr in codeunit 304 "No. Series - Impl.");
 * - a Posting No. Series replaces each document number on the G/L entries with its next number;
 *   consecutive lines with the same number share one (V: `GenJnlPostBatch.CheckDocumentNo`,
 *   `ShouldSetDocNoToLastPosted`);
 * - "Post with Job Queue" answers at once and books the entries `jobQueuePostingMs` later (V:
 *   codeunit 231 "Gen. Jnl.-Post" / General Ledger Setup "Post with Job Queue"). The lines leave the
 *   journal at once (I: Business Central keeps them, marked "Scheduled for posting", until the job runs).
 */
export class DynamicsPosting {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly owner: PostingOwner) {}

  post(company: DynamicsCompany, journal: DynamicsJournal): Answer {
    const { faults, ledger, stats } = this.owner;
    const setup = faults.postingSetup;
    const batch = faults.dynamicsBatch;
    try {
      const lines = ledger.journalLines(company, journal.id);
      const usedNoSeries = batch.noSeriesWithoutManual ? checkNoSeries(company, lines) : 0;
      const renumbered = batch.postingNoSeries ? postingNumbers(company, lines) : undefined;
      const deferred = batch.jobQueuePostingMs !== undefined;
      const entries = ledger.post(
        company,
        journal,
        { from: setup.from, to: setup.to },
        {
          ...(renumbered
            ? { numberOf: (line: DynamicsLedgerLine) => renumbered.numbers.get(line.id) ?? '' }
            : {}),
          deferred,
        },
      );
      company.series.noSeries += usedNoSeries;
      if (renumbered) company.series.postingNoSeries += renumbered.used;
      if (deferred) {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (ledger.book(company.id, entries)) stats.itemsPosted += entries.length;
        }, batch.jobQueuePostingMs);
        // A queued posting must not keep a finished process (tests, `pnpm conformance`) alive.
        timer.unref();
        this.timers.add(timer);
      } else stats.itemsPosted += entries.length;
      return { status: 204 };
    } catch (error) {
      if (error instanceof PostingRefused)
        return { status: 400, body: odataError(error.code, error.message) };
      throw error;
    }
  }

  /** Drop queued postings (the emulator was reset). */
  reset(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

/** Refuse unless every document number is the No. Series' next one, in order; returns how many it uses. */
function checkNoSeries(company: DynamicsCompany, lines: readonly DynamicsLedgerLine[]): number {
  let used = 0;
  let last: string | undefined;
  for (const line of lines) {
    if (line.documentNumber === last) continue;
    const expected = seriesNumber(BATCH_NO_SERIES.prefix, company.series.noSeries + used + 1);
    if (line.documentNumber !== expected) {
      throw new PostingRefused(
        'Application_DialogException',
        `You may not enter numbers manually. If you want to enter numbers manually, please activate Manual Nos. in No. Series ${BATCH_NO_SERIES.code}.`,
      );
    }
    used += 1;
    last = line.documentNumber;
  }
  return used;
}

/** The Posting No. Series number of each line: a new one whenever the document number changes. */
function postingNumbers(
  company: DynamicsCompany,
  lines: readonly DynamicsLedgerLine[],
): { numbers: Map<string, string>; used: number } {
  const numbers = new Map<string, string>();
  let used = 0;
  let last: string | undefined;
  let current = '';
  for (const line of lines) {
    if (line.documentNumber !== last) {
      used += 1;
      current = seriesNumber(BATCH_POSTING_NO_SERIES.prefix, company.series.postingNoSeries + used);
      last = line.documentNumber;
    }
    numbers.set(line.id, current);
  }
  return { numbers, used };
}
