import type { ExportRecord } from '@meander/domain';
import { chunk } from '../../adapter-options.js';
import { isObject } from '../../http/json-body.js';
import { AccountingError } from '../../port.js';
import { type Fence, sendBatch } from './dynamics-api.js';
import { type BatchOperation, type BatchOperationResponse, MAX_BATCH_OPERATIONS } from './dynamics-batch.js';
import { JSON_CONTENT_TYPE } from './dynamics-client.js';
import type { DocumentPlan } from './dynamics-document-plan.js';
import { classifyOperationFailure, readODataError } from './dynamics-errors.js';
import { deleteLines, linesPath } from './dynamics-journal.js';
import type { PushStep } from './dynamics-push.js';

/** One part operation and the record it belongs to. */
interface PartOperation {
  record: ExportRecord;
  operation: Omit<BatchOperation, 'id'>;
  /** For an attachment: what its content upload sends once its id is known. */
  content?: string;
  linePath?: string;
}

/**
 * Give each created line its parts before the post:
 * - dimensions — one `POST journalLines({id})/dimensionSetLines` (`code`, `valueCode`) per value
 *   (V: BCApps `APIV2JournalLines.Page.al` part `dimensionSetLines`; `APIV2DimensionSetLines.Page.al`);
 * - the receipt — on the record's first line, `POST journalLines({id})/attachments` (`fileName`; V:
 *   part `attachments`, `APIV2Attachments.Page.al`), then its content with `PATCH
 *   attachments({id})/attachmentContent` (MS Learn "attachment" resource, `attachmentContent` is a
 *   stream), sent in a JSON `$batch` as base64url — OData JSON batch carries a binary body so
 *   (OData v4.01 JSON Format, batch requests; I: Business Central takes a stream this way).
 * Requests: nothing for records without dimensions or receipt (the old shape sends what it always
 * did); else one `$batch` per 100 part operations, and one more per 100 receipts for the contents.
 * A repeated dimension is refused as existing and counts as done. A part Business Central refuses
 * (unknown dimension or value) refuses its record: the record's lines are deleted again before the
 * post, so nothing of it is booked. Other failures throw, and the attempt starts over (its lines
 * are stale then, and deleted first).
 */
export async function decorateLines(
  step: PushStep,
  journalId: string,
  created: Map<number, ExportRecord>,
  lineIds: Map<number, string>,
  plans: ReadonlyMap<string, DocumentPlan>,
  fence: Fence,
): Promise<void> {
  const { api } = step;
  const parts: PartOperation[] = [];
  const seen = new Map<string, number>();
  for (const [lineNumber, record] of [...created].sort((a, b) => a[0] - b[0])) {
    const index = seen.get(record.id) ?? 0;
    seen.set(record.id, index + 1);
    const plan = plans.get(record.id);
    const line = plan?.lines[index];
    const lineId = lineIds.get(lineNumber);
    if (plan === undefined || line === undefined || lineId === undefined) continue;
    const linePath = `${linesPath(api, journalId)}(${lineId})`;
    for (const [code, valueCode] of Object.entries(line.dimensions)) {
      parts.push({
        record,
        operation: {
          method: 'POST',
          url: `${linePath}/dimensionSetLines`,
          headers: { 'Content-Type': JSON_CONTENT_TYPE },
          body: { code, valueCode },
        },
      });
    }
    if (index === 0 && plan.receipt) {
      parts.push({
        record,
        operation: {
          method: 'POST',
          url: `${linePath}/attachments`,
          headers: { 'Content-Type': JSON_CONTENT_TYPE },
          body: { parentId: lineId, parentType: 'Journal', fileName: plan.receipt.fileName },
        },
        content: plan.receipt.content,
        linePath,
      });
    }
  }
  const refused = new Set<string>();
  const uploads: PartOperation[] = [];
  await runParts(step, parts, refused, fence, (part, answer) => {
    const id = isObject(answer.body) ? answer.body.id : undefined;
    if (part.content === undefined || typeof id !== 'string') return;
    uploads.push({
      record: part.record,
      operation: {
        method: 'PATCH',
        url: `${part.linePath}/attachments(${id})/attachmentContent`,
        headers: { 'Content-Type': 'application/octet-stream', 'If-Match': '*' },
        body: Buffer.from(part.content, 'utf8').toString('base64url'),
      },
    });
  });
  await runParts(step, uploads, refused, fence, () => undefined);
  if (refused.size === 0) return;
  const orphans = [...created].filter(([, record]) => refused.has(record.id));
  for (const [lineNumber] of orphans) created.delete(lineNumber);
  await deleteLines(
    api,
    journalId,
    orphans.flatMap(([lineNumber]) => lineIds.get(lineNumber) ?? []),
    fence,
    step.context.signal,
  );
}

/** Send `parts` in `$batch`es; a refusal rejects its record (added to `refused`), `done` sees each success. */
async function runParts(
  step: PushStep,
  parts: readonly PartOperation[],
  refused: Set<string>,
  fence: Fence,
  done: (part: PartOperation, answer: BatchOperationResponse) => void,
): Promise<void> {
  const { api, state, context } = step;
  for (const slice of chunk(parts, MAX_BATCH_OPERATIONS)) {
    const pending = slice.filter((p) => !refused.has(p.record.id));
    if (pending.length === 0) continue;
    const batch = pending.map((p, index) => ({ ...p.operation, id: String(index + 1) }));
    const answers = new Map((await sendBatch(api, batch, fence, context.signal)).map((a) => [a.id, a]));
    pending.forEach((part, index) => {
      const answer = answers.get(String(index + 1));
      if (answer === undefined) {
        throw new AccountingError('$batch did not answer every journal line part', {
          code: 'INCOMPLETE_RESPONSE',
          category: 'unknown',
          retryable: true,
        });
      }
      if (refused.has(part.record.id)) return;
      if (answer.status >= 200 && answer.status < 300) {
        done(part, answer);
        return;
      }
      const failure = classifyOperationFailure(answer.status, readODataError(answer.body), { write: true });
      // A repeat of an operation that went through: the line has that dimension already.
      if (failure.kind === 'existing') return;
      if (failure.kind === 'rejected' && /dimension set line already exists/i.test(failure.reason)) return;
      if (failure.kind === 'request') throw failure.error;
      refused.add(part.record.id);
      state.reject({
        recordId: part.record.id,
        code: failure.code,
        category: failure.category,
        retryable: false,
        reason: failure.reason,
      });
    });
  }
}
