import type { ExportRecord } from '@meander/domain';
import type { BatchState } from '../../batch-state.js';
import type { RetryBudget } from '../../http/retry-budget.js';
import { withRetries } from '../../http/with-retries.js';
import { AccountingError, type BatchContext, type RejectedRecord } from '../../port.js';
import type { DynamicsApi, Fence } from './dynamics-api.js';
import { type DocumentPlan, isRefusal, type PlanSettings, planDocument } from './dynamics-document-plan.js';
import {
  deleteLines,
  ensureJournal,
  type ListedLine,
  listLines,
  removeStaleLines,
  withdrawLines,
} from './dynamics-journal.js';
import { decorateLines } from './dynamics-line-parts.js';
import { awaitPosted, type PushProgress, readBack, unverifiedRejection } from './dynamics-read-back.js';
import { createLines, postJournal, writeSettled } from './dynamics-write.js';
import { postingKeyOf } from './external-document-number.js';

/** One push attempt's inputs that do not change between its retries. */
export interface PushStep {
  api: DynamicsApi;
  state: BatchState;
  progress: PushProgress;
  plan: PlanSettings;
  budget: RetryBudget;
  context: BatchContext;
}

/**
 * One attempt: settle the records never to send, clear the batch, settle what the ledger already
 * holds, create the rest, post, and wait for the entries. A record a post went out for is never
 * sent again — not in a retry of this attempt, not in a later one (it comes back `unverified`).
 */
export async function pushPending(step: PushStep): Promise<void> {
  const { api, state, progress, budget, context } = step;
  const signal = context.signal;
  const fence: Fence = async () => {
    await context.beforeWrite?.();
  };
  // Reads, and deletes of stale lines, are safe to repeat: they are retried on their own.
  const safely = <T>(run: () => Promise<T>) => withRetries(run, budget, api.runtime.sleep, signal);
  await settleNeverSend(step, safely);
  const journalId = await safely(() => ensureJournal(api, fence, signal));
  for (;;) {
    // A line of ours still in the journal was not posted (posting a batch deletes all its lines,
    // GenJnlPostBatch): its record may be sent again. Only records whose lines are gone and that
    // no read-back finds are posted-but-unverified.
    const unposted = new Set<string>();
    await safely(() =>
      removeStaleLines(api, journalId, fence, signal, (line) =>
        unposted.add(line.documentNumber.toUpperCase()),
      ),
    );
    for (const record of state.pendingRecords())
      if (unposted.has(postingKeyOf(record))) progress.postedHere.delete(record.id);
    await safely(() => readBack(api, state, progress, state.pendingRecords(), signal));
    // An earlier try of this push posted these and no read-back found them: never post them again.
    for (const record of state.pendingRecords())
      if (progress.postedHere.has(record.id)) state.reject(unverified(api, record));
    const plans = planAll(step);
    const { created, lineIds } = await createAll(step, journalId, fence, plans);
    if (created.size === 0) return;
    await decorateLines(step, journalId, created, lineIds, plans, fence);
    if (created.size === 0) return;
    const { refused, redo } = await postOnce(step, journalId, created, fence);
    // The post's answer was lost and our lines were withdrawn unposted: create and post them again.
    if (redo) continue;
    if (refused !== undefined) {
      // The posting named one of our lines and posted nothing: refuse that record, go again without it.
      for (const record of created.values()) progress.postedHere.delete(record.id);
      state.reject(refused);
      continue;
    }
    const posted = [...new Set(created.values())];
    await awaitPosted(api, state, progress, posted, safely, signal);
    for (const record of posted) if (state.isPending(record.id)) state.reject(unverified(api, record));
    return;
  }
}

/**
 * The document of every pending record; a record the organization's mapping cannot book is
 * refused here, before anything of it is sent.
 */
function planAll(step: PushStep): Map<string, DocumentPlan> {
  const plans = new Map<string, DocumentPlan>();
  for (const record of step.state.pendingRecords()) {
    const plan = planDocument(record, step.plan);
    if (isRefusal(plan)) step.state.reject(plan);
    else plans.set(record.id, plan);
  }
  return plans;
}

/** Records an earlier attempt posted but could not find: read back only; found → already posted, else unverified. */
async function settleNeverSend(
  step: PushStep,
  safely: <T>(run: () => Promise<T>) => Promise<T>,
): Promise<void> {
  const { api, state, progress, context } = step;
  const neverSend = context.neverSend;
  if (neverSend === undefined || neverSend.size === 0) return;
  const records = state.pendingRecords().filter((r) => neverSend.has(r.id));
  if (records.length === 0) return;
  await safely(() => readBack(api, state, progress, records, context.signal));
  for (const record of records) if (state.isPending(record.id)) state.reject(unverified(api, record));
}

/** Created journal lines: line number → record, and line number → the line's id. */
interface CreatedLines {
  created: Map<number, ExportRecord>;
  lineIds: Map<number, string>;
}

/**
 * Slices of records whose lines fit one `$batch` each (`itemsPerRequest` operations); a record's
 * lines never straddle two. A record of one line counts one, so the old shape slices as before.
 */
function slicesByLines(
  records: readonly ExportRecord[],
  plans: ReadonlyMap<string, DocumentPlan>,
  perRequest: number,
): ExportRecord[][] {
  const slices: ExportRecord[][] = [];
  let current: ExportRecord[] = [];
  let operations = 0;
  for (const record of records) {
    const size = plans.get(record.id)?.lines.length ?? 1;
    if (current.length > 0 && operations + size > perRequest) {
      slices.push(current);
      current = [];
      operations = 0;
    }
    current.push(record);
    operations += size;
  }
  if (current.length > 0) slices.push(current);
  return slices;
}

/** Create the lines of every pending record, slice by slice. */
async function createAll(
  step: PushStep,
  journalId: string,
  fence: Fence,
  plans: ReadonlyMap<string, DocumentPlan>,
): Promise<CreatedLines> {
  const { api, state, budget, context } = step;
  const signal = context.signal;
  const created = new Map<number, ExportRecord>();
  const lineIds = new Map<number, string>();
  const createdIds = new Set<string>();
  for (const slice of slicesByLines(state.pendingRecords(), plans, api.runtime.itemsPerRequest)) {
    const remaining = () => slice.filter((r) => state.isPending(r.id) && !createdIds.has(r.id));
    await writeSettled(
      api,
      budget,
      signal,
      async () => {
        await createLines(api, state, journalId, remaining(), plans, created, lineIds, fence, signal);
        for (const record of created.values()) createdIds.add(record.id);
        return true;
      },
      // The journal is ours and was emptied above: a line with a record's document number is
      // this attempt's. A record whose lines are all there is kept; one with only some of them
      // has those deleted, and it is created again with the missing ones.
      async () => {
        const numbers = new Map(remaining().map((r) => [postingKeyOf(r), r]));
        const found = new Map<string, ListedLine[]>();
        for (const listed of await listLines(api, journalId, signal)) {
          const record = numbers.get(listed.documentNumber.toUpperCase());
          if (record === undefined) continue;
          found.set(record.id, [...(found.get(record.id) ?? []), listed]);
        }
        const partial: string[] = [];
        for (const record of remaining()) {
          const lines = found.get(record.id) ?? [];
          if (lines.length === 0) continue;
          if (lines.length !== plans.get(record.id)?.lines.length) {
            partial.push(...lines.map((l) => l.id));
            continue;
          }
          for (const listed of lines) {
            created.set(listed.lineNumber, record);
            lineIds.set(listed.lineNumber, listed.id);
          }
          createdIds.add(record.id);
        }
        await deleteLines(api, journalId, partial, fence, signal);
        return remaining().length === 0 ? true : undefined;
      },
    );
  }
  return { created, lineIds };
}

/** How one post ended: posted (maybe still being booked), refused for one record, or withdrawn unposted. */
type PostOutcome = { refused?: RejectedRecord; redo?: true };

/**
 * Post the journal once. A lost answer is settled by reading: any of our records in the G/L, or
 * our lines gone from the journal (posting deletes them, all or nothing — BaseApp GenJnlPostBatch),
 * means it was posted. Lines still there are never posted a second time: they may be waiting for a
 * job queue ("Post with Job Queue" keeps them until the job runs). They are withdrawn instead
 * (DELETE with If-Match): all deleted → nothing was posted and the attempt goes again (`redo`); one
 * already gone → the posting got them, and the read-back decides.
 */
async function postOnce(
  step: PushStep,
  journalId: string,
  created: ReadonlyMap<number, ExportRecord>,
  fence: Fence,
): Promise<PostOutcome> {
  const { api, state, progress, budget, context } = step;
  const signal = context.signal;
  const records = [...new Set(created.values())];
  const keys = new Set(records.map((r) => postingKeyOf(r)));
  for (const record of records) progress.postedHere.add(record.id);
  let sent = false;
  let lastError: AccountingError | undefined;
  try {
    const outcome = await writeSettled<PostOutcome | { withdraw: ListedLine[] }>(
      api,
      budget,
      signal,
      async () => {
        try {
          const refused = await postJournal(
            api,
            journalId,
            created,
            fence,
            () => {
              sent = true;
            },
            signal,
          );
          return refused ? { refused } : {};
        } catch (error) {
          if (error instanceof AccountingError) lastError = error;
          throw error;
        }
      },
      async (): Promise<PostOutcome | { withdraw: ListedLine[] }> => {
        if ((await readBack(api, state, progress, records, signal)) > 0) return {};
        const ours = (await listLines(api, journalId, signal)).filter((l) =>
          keys.has(l.documentNumber.toUpperCase()),
        );
        return ours.length === 0 ? {} : { withdraw: ours };
      },
    );
    if (!('withdraw' in outcome)) return outcome;
    // Posts that never get an answer: give up with the lines left in place (the next push removes
    // them), rather than withdraw, create and post again without end.
    // Our lines are still in the journal, so no posting took them: a later try deletes them first.
    if (progress.redos + 1 >= api.runtime.policy.maxAttempts && lastError !== undefined) {
      for (const record of records) progress.postedHere.delete(record.id);
      throw lastError;
    }
    progress.redos += 1;
    // Our lines were still there and no entry was found: nothing of them was posted. Forget the
    // mark before deleting them, so a delete whose answer is lost (the lines gone, by our own hand)
    // does not make the next try take them for posted-but-not-found.
    for (const record of records) progress.postedHere.delete(record.id);
    if (!(await withdrawLines(api, journalId, outcome.withdraw, fence, signal))) {
      // A line was already gone: a posting may have taken it after all.
      for (const record of records) progress.postedHere.add(record.id);
      return {};
    }
    return { redo: true };
  } catch (error) {
    // A refusal retrying cannot fix: take our lines out again so nobody posts them by hand later.
    if (error instanceof AccountingError && !error.details.retryable) {
      for (const record of records) progress.postedHere.delete(record.id);
      await removeStaleLines(api, journalId, fence, signal).catch((cleanup: unknown) => {
        if (!(cleanup instanceof AccountingError)) throw cleanup;
      });
    }
    // The budget ran out while a post that went out could not be settled (the reads failed too):
    // it may have been applied, and the caller must treat these records as posted-but-unverified.
    if (
      error instanceof AccountingError &&
      error.details.retryable &&
      sent &&
      !error.details.outcomeUnknown
    ) {
      const unknown = new AccountingError(error.message, { ...error.details, outcomeUnknown: true });
      unknown.cause = error;
      throw unknown;
    }
    throw error;
  }
}

function unverified(api: DynamicsApi, record: ExportRecord): RejectedRecord {
  return unverifiedRejection(record, api.connection.postingWaitSeconds);
}
