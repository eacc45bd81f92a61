import type { ExportRecord } from '@meander/domain';
import { chunk } from '../../adapter-options.js';
import { AccountingError } from '../../port.js';
import { type Fence, sendBatch } from './dynamics-api.js';
import { type BatchOperation, MAX_BATCH_OPERATIONS } from './dynamics-batch.js';
import { JSON_CONTENT_TYPE } from './dynamics-client.js';
import type { DocumentPlan } from './dynamics-document-plan.js';
import { classifyOperationFailure, readODataError } from './dynamics-errors.js';
import { deleteLines, linesPath } from './dynamics-journal.js';
import type { PushStep } from './dynamics-push.js';

/**
 * Give each created line its dimensions: one `POST journalLines({id})/dimensionSetLines`
 * (`code`, `valueCode`) per dimension value (V: BCApps `APIV2JournalLines.Page.al`, part
 * `dimensionSetLines`; `APIV2DimensionSetLines.Page.al`), all in `$batch`es of at most 100
 * operations — no request at all when no line has a dimension, so the old single-line shape sends
 * exactly what it did. Repeating an operation is harmless: a dimension the line already has is
 * refused as a duplicate key and counts as done. A value Business Central refuses (unknown
 * dimension, value or blocked) refuses the record: its lines are deleted again before the post, so
 * nothing of it is booked. Other failures throw, and the attempt starts over (its lines are stale then).
 */
export async function decorateLines(
  step: PushStep,
  journalId: string,
  created: Map<number, ExportRecord>,
  lineIds: Map<number, string>,
  plans: ReadonlyMap<string, DocumentPlan>,
  fence: Fence,
): Promise<void> {
  const { api, state, context } = step;
  const signal = context.signal;
  const operations: { operation: BatchOperation; record: ExportRecord }[] = [];
  const seen = new Map<string, number>();
  for (const [lineNumber, record] of [...created].sort((a, b) => a[0] - b[0])) {
    const index = seen.get(record.id) ?? 0;
    seen.set(record.id, index + 1);
    const line = plans.get(record.id)?.lines[index];
    const lineId = lineIds.get(lineNumber);
    if (line === undefined || lineId === undefined) continue;
    for (const [code, valueCode] of Object.entries(line.dimensions)) {
      operations.push({
        record,
        operation: {
          id: '',
          method: 'POST',
          url: `${linesPath(api, journalId)}(${lineId})/dimensionSetLines`,
          headers: { 'Content-Type': JSON_CONTENT_TYPE },
          body: { code, valueCode },
        },
      });
    }
  }
  const refused = new Set<string>();
  for (const slice of chunk(operations, MAX_BATCH_OPERATIONS)) {
    const pending = slice.filter((o) => !refused.has(o.record.id));
    const batch = pending.map((o, index) => ({ ...o.operation, id: String(index + 1) }));
    if (batch.length === 0) continue;
    const answers = new Map((await sendBatch(api, batch, fence, signal)).map((a) => [a.id, a]));
    pending.forEach(({ record }, index) => {
      const answer = answers.get(String(index + 1));
      if (answer === undefined) {
        throw new AccountingError('$batch did not answer every dimension set line', {
          code: 'INCOMPLETE_RESPONSE',
          category: 'unknown',
          retryable: true,
        });
      }
      if (answer.status === 200 || answer.status === 201 || refused.has(record.id)) return;
      const failure = classifyOperationFailure(answer.status, readODataError(answer.body), { write: true });
      // A repeat of an operation that went through: the line has that dimension already.
      if (failure.kind === 'existing' || /dimension set line already exists/i.test(failure.kind === 'rejected' ? failure.reason : ''))
        return;
      if (failure.kind === 'request') throw failure.error;
      refused.add(record.id);
      state.reject({
        recordId: record.id,
        code: failure.code,
        category: failure.category,
        retryable: false,
        reason: failure.reason,
      });
    });
  }
  if (refused.size === 0) return;
  const orphans = [...created].filter(([, record]) => refused.has(record.id));
  for (const [lineNumber] of orphans) created.delete(lineNumber);
  await deleteLines(
    api,
    journalId,
    orphans.flatMap(([lineNumber]) => lineIds.get(lineNumber) ?? []),
    fence,
    signal,
  );
}
