import type { ExportRecord } from '@meander/domain';
import { all, type Driver, one } from './driver.js';
import { postingRoundField } from './expense-record-row.js';
import type { IntakeStatements } from './expense-record-statements.js';
import {
  type ExpenseRecordView,
  intakeLineRow,
  linesByRecord,
  postedRecordRow,
  viewFromRows,
} from './expense-record-view.js';
import { countRow } from './rows.js';
import {
  compileReversalStatements,
  NIL_UUID,
  postedByPage,
  postedBySelection,
  type ReversalStatements,
} from './sync-reversal.js';
import { isUuid } from './uuid.js';

/**
 * A stored record as its reversal posts it: the whole record (every line with its VAT and
 * dimensions, the employee, the receipt), gross total and first account as an export carries them,
 * marked `reversal: true` so the adapter negates every amount under the reversal key of the
 * posting round it reverses (the record's open round: it moves on only once the reversal completes).
 */
function reversalRecordOf(view: ExpenseRecordView, postingRound = 1): ExportRecord {
  const [first] = view.lines;
  let gross = 0;
  for (const line of view.lines) gross += line.amountMinor + line.vatAmountMinor;
  return {
    id: view.id,
    kind: view.kind,
    amountMinor: gross,
    currency: view.currency,
    bookingDate: view.bookingDate,
    account: first?.account ?? '',
    ...(view.description ? { description: view.description } : {}),
    employeeNumber: view.employeeNumber,
    ...(view.receiptUrl ? { receiptUrl: view.receiptUrl } : {}),
    // The rate the posting was booked at: the reversal cancels exactly what was booked.
    ...(view.exchangeRate ? { exchangeRate: view.exchangeRate } : {}),
    lines: view.lines.map((line) => ({ ...line })),
    ...postingRoundField(postingRound),
    reversal: true,
  };
}

/** The records a sync left posted, read for its reversal: counted, and streamed a page at a time. */
export class PostedRecords {
  private readonly r: ReversalStatements;

  constructor(
    private readonly driver: Driver,
    private readonly intake: IntakeStatements,
  ) {
    this.r = compileReversalStatements(driver.dialect);
  }

  async count(syncLogId: string, recordIds?: readonly string[]): Promise<number> {
    if (!isUuid(syncLogId)) return 0;
    const row = await this.driver.run(
      one(this.r.countPostedBy, postedBySelection(syncLogId.toLowerCase(), recordIds), countRow),
    );
    return Number(row?.n ?? 0);
  }

  async *stream(
    syncLogId: string,
    recordIds: readonly string[] | undefined,
    batchSize: number,
  ): AsyncIterable<ExportRecord[]> {
    if (!isUuid(syncLogId)) return;
    const selection = postedBySelection(syncLogId.toLowerCase(), recordIds);
    const intake = this.intake;
    const r = this.r;
    let afterId = NIL_UUID;
    for (;;) {
      const after = afterId;
      const page = await this.driver.run(
        (function* () {
          const rows = yield* postedByPage(r, selection, after, batchSize, postedRecordRow);
          if (rows.length === 0) return [];
          const lines = linesByRecord(
            yield* all(intake.linesOf, { ids: rows.map((x) => x.id) }, intakeLineRow),
          );
          return rows.map((row) =>
            reversalRecordOf(viewFromRows(row, lines.get(row.id) ?? []), Number(row.posting_round ?? 1)),
          );
        })(),
      );
      const last = page[page.length - 1];
      if (!last) return;
      yield page;
      if (page.length < batchSize) return;
      afterId = last.id;
    }
  }
}
