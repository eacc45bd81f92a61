import type { ExportRecord } from '@meander/domain';
import { chunk } from '../../adapter-options.js';
import type { BatchState } from '../../batch-state.js';
import { isObject } from '../../http/json-body.js';
import type { RejectedRecord } from '../../port.js';
import { type DynamicsApi, getAllPages, quote } from './dynamics-api.js';
import { DOCUMENT_NUMBER_MAX, postingKeyOf } from './external-document-number.js';

/** Keys per read-back `$filter`, so the URL stays far below common limits (~1 KB encoded). */
const READ_BACK_KEYS_PER_QUERY = 20;
/** First wait for entries a post has not booked yet; it doubles up to {@link POSTED_WAIT_STEP_MAX_MS}. */
const POSTED_WAIT_FIRST_MS = 250;
const POSTED_WAIT_STEP_MAX_MS = 5_000;

/** What one push has learnt that outlives a retried attempt. */
export interface PushProgress {
  /** Records whose lines were in the journal when a post went out: never sent again. */
  postedHere: Set<string>;
  /** Entry number and id of the earliest G/L entry of each accepted record. */
  firstEntry: Map<string, { entryNumber: number; id: string }>;
  /** Unanswered posts whose lines were withdrawn and created again (bounded by `retry.maxAttempts`). */
  redos: number;
}

/** A posted G/L entry as read back. */
interface ReadEntry {
  id: string;
  entryNumber: number;
  documentNumber: string;
  description: string;
  accountNumber: string;
}

/**
 * The read-back filter of one key: the G/L entry's description starts with it. Posting copies the
 * line's description onto its entries (BaseApp table 17 `CopyFromGenJnlLine`) and no number series
 * rewrites it, unlike the document number (`GenJnlPostBatch.CheckDocumentNo`). MS Learn "Using
 * filter expressions in OData URIs" lists `startswith` and `or`; API v2.0 `generalLedgerEntries`
 * exposes `description` (MS Learn resource type `dynamics_generalledgerentry`). Postings made before
 * the key moved into the description carry it only as document number: see the README.
 */
function keyFilter(key: string): string {
  return `startswith(description,'${quote(key)}')`;
}

/**
 * Settle `records` the ledger already holds: G/L entries carrying their key. Returns how many
 * were found. A record found that this push did not post is accepted as already posted.
 */
export async function readBack(
  api: DynamicsApi,
  state: BatchState,
  progress: PushProgress,
  records: readonly ExportRecord[],
  signal: AbortSignal | undefined,
): Promise<number> {
  const byKey = new Map(records.map((r) => [postingKeyOf(r), r]));
  const found = new Map<string, ReadEntry[]>();
  for (const slice of chunk([...byKey.keys()], READ_BACK_KEYS_PER_QUERY)) {
    const filter = slice.map(keyFilter).join(' or ');
    const url = `${api.client.apiRoot}/${api.client.companyPath}/generalLedgerEntries?$filter=${encodeURIComponent(filter)}`;
    for (const item of await getAllPages(api, url, 'generalLedgerEntries', signal)) {
      const entry = readEntry(item);
      if (entry === undefined) continue;
      const key = keyOf(entry, byKey);
      if (key === undefined) continue;
      const list = found.get(key);
      if (list) list.push(entry);
      else found.set(key, [entry]);
    }
  }
  let settled = 0;
  for (const [key, entries] of found) {
    const record = byKey.get(key);
    if (record === undefined || !state.isPending(record.id)) continue;
    entries.sort((a, b) => a.entryNumber - b.entryNumber);
    const expense =
      entries.find((e) => e.accountNumber.toUpperCase() === record.account.toUpperCase()) ?? entries[0];
    if (expense === undefined) continue;
    const first = entries[0] ?? expense;
    progress.firstEntry.set(record.id, { entryNumber: first.entryNumber, id: first.id });
    state.accept(record.id, expense.id, !progress.postedHere.has(record.id));
    settled += 1;
  }
  return settled;
}

/**
 * After a post Business Central accepted: read back until every record's entries are there, or
 * the wait (`postingWaitSeconds`) is spent. "Post with Job Queue" books them later (codeunit 231),
 * so a first miss is no failure. Waits back off exponentially through the injectable sleep; their
 * sum is the bound, so a test's instant sleep runs the same schedule. Reads only: never a second post.
 */
export async function awaitPosted(
  api: DynamicsApi,
  state: BatchState,
  progress: PushProgress,
  records: readonly ExportRecord[],
  read: (step: () => Promise<number>) => Promise<number>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const boundMs = api.connection.postingWaitSeconds * 1000;
  let waited = 0;
  let step = POSTED_WAIT_FIRST_MS;
  for (;;) {
    const missing = records.filter((r) => state.isPending(r.id));
    if (missing.length === 0) return;
    await read(() => readBack(api, state, progress, missing, signal));
    if (!records.some((r) => state.isPending(r.id)) || waited >= boundMs) return;
    const pause = Math.min(step, boundMs - waited);
    await api.runtime.sleep(pause, signal);
    waited += pause;
    step = Math.min(step * 2, POSTED_WAIT_STEP_MAX_MS);
  }
}

/**
 * A record a post went out for that no read-back found: it may be in the ledger, so it is never
 * sent again (issue 22). The reason names the key to look for, the likely causes and the fix.
 */
export function unverifiedRejection(record: ExportRecord, waitSeconds: number): RejectedRecord {
  const key = postingKeyOf(record);
  return {
    recordId: record.id,
    code: 'POSTED_NOT_FOUND',
    category: 'configuration',
    retryable: false,
    unverified: true,
    reason:
      `Business Central accepted the posting, but no G/L entry whose description starts with ${key} appeared within ${waitSeconds} s. ` +
      'Likely causes: "Post with Job Queue" is on in General Ledger Setup and the job has not run (or failed), or an extension rewrote the description. ' +
      `Look up the G/L entries whose description starts with ${key}: if they are there, re-sync and Meander marks the record synced without posting it; ` +
      'if they are not, re-sync with "confirm not posted" to post it once.',
  };
}

/** The key (document number form) an entry carries, among those asked for. */
function keyOf(entry: ReadEntry, keys: ReadonlyMap<string, unknown>): string | undefined {
  const described = entry.description.slice(0, DOCUMENT_NUMBER_MAX).toUpperCase();
  if (keys.has(described)) return described;
  const numbered = entry.documentNumber.toUpperCase();
  return keys.has(numbered) ? numbered : undefined;
}

function readEntry(entry: unknown): ReadEntry | undefined {
  if (!isObject(entry)) return undefined;
  const { id, entryNumber, documentNumber, description, accountNumber } = entry;
  if (typeof id !== 'string' || typeof documentNumber !== 'string') return undefined;
  return {
    id,
    entryNumber: typeof entryNumber === 'number' ? entryNumber : Number(entryNumber),
    documentNumber,
    description: typeof description === 'string' ? description : '',
    accountNumber: typeof accountNumber === 'string' ? accountNumber : '',
  };
}
