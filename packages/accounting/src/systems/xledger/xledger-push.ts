import type { ExportRecord } from '@meander/domain';
import { type AdapterRuntime, chunk } from '../../adapter-options.js';
import type { BatchState } from '../../batch-state.js';
import { isObject, malformed } from '../../http/json-body.js';
import { AccountingError, type BatchContext } from '../../port.js';
import type { GraphQlResult, XledgerClient } from './xledger-client.js';
import type { XledgerConnection } from './xledger-connection.js';
import { ADD_GL_IMPORT_ITEMS, toGlImportItemInput } from './xledger-documents.js';
import { graphQlErrorCode } from './xledger-errors.js';
import { idText, type XledgerReads } from './xledger-reads.js';
import { linesOf, voucherKeyOf, type XledgerLine } from './xledger-voucher.js';

/** Help centre article 8715787519634 ("GraphQL general tips"): at most 500 nodes per mass mutation. */
const MAX_NODES_PER_MUTATION = 500;

/** The code of a per-record rejection read from `glImportItemErrors` (the message is kept verbatim). */
export const GL_IMPORT_ITEM_ERROR = 'GL_IMPORT_ITEM_ERROR';
/** Items from an earlier attempt still staged with a processing error (catalogue `STAGED_WITH_ERRORS`). */
const XLEDGER_STAGED_WITH_ERRORS = 'XLEDGER_STAGED_WITH_ERRORS';
/** Imported, but no read-back shows it processed (catalogue `POSTED_NOT_FOUND`); never imported again. */
const POSTED_NOT_FOUND = 'POSTED_NOT_FOUND';

/** How long a push waits for Xledger to process what it imported, polling with exponential backoff. */
export interface XledgerProcessingWait {
  /** First wait before asking again (default 1,000 ms); each later wait doubles. */
  firstPollMs: number;
  /** The bound: after this long, records still staged end unverified (default 60,000 ms). */
  maxWaitMs: number;
}

const DEFAULT_PROCESSING_WAIT: Readonly<XledgerProcessingWait> = {
  firstPollMs: 1_000,
  maxWaitMs: 60_000,
};

/** The defaults overridden by what the caller set; a wait that is not a whole number of ms ≥ 0 (first poll ≥ 1) throws. */
export function resolveProcessingWait(overrides: Partial<XledgerProcessingWait> = {}): XledgerProcessingWait {
  const wait = { ...DEFAULT_PROCESSING_WAIT, ...overrides };
  if (!Number.isSafeInteger(wait.firstPollMs) || wait.firstPollMs < 1)
    throw new RangeError('xledgerProcessingWait.firstPollMs must be a whole number of milliseconds ≥ 1');
  if (!Number.isSafeInteger(wait.maxWaitMs) || wait.maxWaitMs < 0)
    throw new RangeError('xledgerProcessingWait.maxWaitMs must be a whole number of milliseconds ≥ 0');
  return wait;
}

/** What a push shares with the adapter. */
export interface PushDependencies {
  client: XledgerClient;
  reads: XledgerReads;
  runtime: AdapterRuntime;
  connection: XledgerConnection;
  wait: XledgerProcessingWait;
}

/**
 * One attempt (one `pushBatch`) at a batch, across its retries. A record is synced only once
 * Xledger shows its lines as journal entries; the ledger is asked by `extIdentifier`:
 * - booked (both lines are journal entries) → accepted;
 * - its items carry processing errors → rejected with Xledger's message (imported now) or as
 *   still staged from an earlier attempt ({@link XLEDGER_STAGED_WITH_ERRORS}); never imported again;
 * - staged, waiting for processing → polled, within {@link XledgerProcessingWait};
 * - nowhere → imported, unless this attempt imported it already or an earlier one did and could
 *   not find it (`neverSend`): then it ends unverified, {@link POSTED_NOT_FOUND}.
 * An import whose answer came back is never sent again, whatever a read-back finds.
 */
export class XledgerPush {
  /** `dbId` of each line's import item (by `extIdentifier`), from the import's answer or a read-back. */
  private readonly itemDbIds = new Map<string, string>();
  /** Records this attempt imported (the answer named an item for each line). */
  private readonly imported = new Set<string>();
  /** Records in an import whose answer was lost: if the ledger shows their items, this attempt staged them. */
  private readonly maybeImported = new Set<string>();
  /** Records in the ledger whose items are not processed yet. */
  private readonly awaiting = new Set<string>();
  private waitStartedAt: number | undefined;
  private polls = 0;

  constructor(
    private readonly state: BatchState,
    private readonly deps: PushDependencies,
    private readonly context: BatchContext,
    private readonly trRegNumber: number,
  ) {}

  /** Settle what is in doubt, import what is still missing slice by slice, then wait for processing. */
  async run(): Promise<void> {
    const { state } = this;
    const { signal } = this.context;
    if (state.readBackNeeded) await this.readBack(state.pendingIds().filter((id) => !this.awaiting.has(id)));
    for (const slice of this.mutationSlices(this.sendable())) {
      const stillSendable = slice.filter((r) => this.isSendable(r.id));
      if (stillSendable.length === 0) continue;
      await this.importSlice(stillSendable);
      await this.checkProcessing(stillSendable.map((r) => r.id));
    }
    while (this.awaiting.size > 0) {
      const waited = this.deps.runtime.clock.now() - (this.waitStartedAt ?? this.deps.runtime.clock.now());
      const left = this.deps.wait.maxWaitMs - waited;
      if (left <= 0) {
        this.giveUpWaiting();
        break;
      }
      await this.deps.runtime.sleep(Math.min(left, this.deps.wait.firstPollMs * 2 ** this.polls), signal);
      this.polls += 1;
      await this.checkProcessing([...this.awaiting]);
    }
  }

  /**
   * Records per `addGLImportItems`: at most `itemsPerRequest`, and at most 500 nodes (help centre
   * article 8715787519634) — a record is one node per line plus its credit line, so records with
   * many lines make smaller slices; two-line records slice exactly as by `itemsPerRequest`.
   */
  private mutationSlices(records: readonly ExportRecord[]): ExportRecord[][] {
    const slices: ExportRecord[][] = [];
    let current: ExportRecord[] = [];
    let nodes = 0;
    for (const record of records) {
      const size = this.linesOf(record).length;
      if (
        current.length > 0 &&
        (current.length >= this.deps.runtime.itemsPerRequest || nodes + size > MAX_NODES_PER_MUTATION)
      ) {
        slices.push(current);
        current = [];
        nodes = 0;
      }
      current.push(record);
      nodes += size;
    }
    if (current.length > 0) slices.push(current);
    return slices;
  }

  private isSendable(recordId: string): boolean {
    return (
      this.state.isPending(recordId) &&
      !this.imported.has(recordId) &&
      !this.awaiting.has(recordId) &&
      !this.context.neverSend?.has(recordId)
    );
  }

  private sendable(): ExportRecord[] {
    return this.state.pendingRecords().filter((r) => this.isSendable(r.id));
  }

  /** Each record's voucher lines, built once per attempt. */
  private readonly lines = new Map<string, XledgerLine[]>();

  private linesOf(record: ExportRecord): XledgerLine[] {
    let lines = this.lines.get(record.id);
    if (!lines) {
      lines = linesOf(record, this.deps.connection);
      this.lines.set(record.id, lines);
    }
    return lines;
  }

  /** The `extIdentifier`s of a record's voucher: the first expense line's first. */
  private keysOf(record: ExportRecord): string[] {
    return this.linesOf(record).map((line) => line.key);
  }

  /** Ask the ledger where these records stand (booked, staged, refused, nowhere) and settle them. */
  private async readBack(recordIds: readonly string[]): Promise<void> {
    const wanted = new Set(recordIds);
    const records = this.state.pendingRecords().filter((r) => wanted.has(r.id));
    const { booked, listed } = await this.deps.reads.ledgerState(
      records.flatMap((r) => this.keysOf(r)),
      this.context.signal,
    );
    const stagedIds = records.flatMap((r) =>
      this.keysOf(r).flatMap((key) => (booked.has(key) ? [] : (listed.get(key) ?? []))),
    );
    const errors =
      stagedIds.length > 0 ? await this.deps.reads.importErrors(stagedIds, this.context.signal) : null;
    for (const record of records) {
      const keys = this.keysOf(record);
      for (const key of keys) {
        const first = listed.get(key)?.[0];
        if (first !== undefined && !this.itemDbIds.has(key)) this.itemDbIds.set(key, first);
      }
      if (keys.every((key) => booked.has(key))) {
        this.accept(record, booked);
        continue;
      }
      const messages = keys.flatMap((key) =>
        booked.has(key) ? [] : (listed.get(key) ?? []).flatMap((id) => errors?.get(id) ?? []),
      );
      if (messages.length > 0) this.refuse(record, messages);
      else if (keys.some((key) => booked.has(key) || listed.has(key))) this.startAwaiting(record.id);
      else if (this.imported.has(record.id) || this.context.neverSend?.has(record.id))
        this.notFound(record.id, 'no GL import item or journal entry carries its extIdentifier');
    }
    this.state.readBackNeeded = false;
  }

  /** One `addGLImportItems` mutation with both lines of every record of the slice. */
  private async importSlice(slice: readonly ExportRecord[]): Promise<void> {
    const { state } = this;
    const lines = slice.flatMap((record) => this.linesOf(record).map((line) => ({ line, record })));
    // Fencing: the caller proves it still owns the sync; if not, it throws and nothing is sent.
    await this.context.beforeWrite?.();
    let result: GraphQlResult;
    try {
      result = await this.deps.client.execute(
        ADD_GL_IMPORT_ITEMS,
        {
          inputs: lines.map(({ line, record }) =>
            toGlImportItemInput(line, record, this.deps.connection, this.trRegNumber),
          ),
        },
        { write: true, signal: this.context.signal },
      );
    } catch (error) {
      if (error instanceof AccountingError && error.details.outcomeUnknown) {
        state.readBackNeeded = true;
        for (const record of slice) this.maybeImported.add(record.id);
      }
      throw error;
    }
    const sent = new Set(lines.map(({ line }) => line.key));
    const connection = result.data?.addGLImportItems;
    if (!isObject(connection) || !Array.isArray(connection.edges)) {
      // The field failed as a whole (e.g. too many nodes): Xledger says why in `errors`.
      state.readBackNeeded = true;
      for (const record of slice) this.maybeImported.add(record.id);
      const first = result.errors[0];
      if (first) {
        throw new AccountingError(first.message || 'Xledger refused addGLImportItems', {
          code: graphQlErrorCode(first) || 'MUTATION_REFUSED',
          category: 'configuration',
          retryable: false,
          outcomeUnknown: true,
        });
      }
      throw malformed('addGLImportItems answered without edges');
    }
    for (const edge of connection.edges) {
      if (!isObject(edge) || typeof edge.clientId !== 'string' || !sent.has(edge.clientId)) continue;
      const dbId = isObject(edge.node) ? idText(edge.node.dbId) : undefined;
      if (dbId !== undefined) this.itemDbIds.set(edge.clientId, dbId);
    }
    for (const record of slice) {
      if (this.keysOf(record).every((key) => this.itemDbIds.has(key))) {
        this.imported.add(record.id);
        this.startAwaiting(record.id);
      }
    }
    const unexplained = [...sent].filter((key) => !this.itemDbIds.has(key));
    if (unexplained.length > 0) {
      state.readBackNeeded = true;
      for (const record of slice) if (!this.imported.has(record.id)) this.maybeImported.add(record.id);
      throw new AccountingError(`Xledger's answer did not mention ${unexplained.length} of the items sent`, {
        code: 'INCOMPLETE_RESPONSE',
        category: 'unknown',
        retryable: true,
        outcomeUnknown: true,
      });
    }
  }

  /** Ask whether the items of these awaited records were processed: booked, refused, or still staged. */
  private async checkProcessing(recordIds: readonly string[]): Promise<void> {
    const records = this.state
      .pendingRecords()
      .filter((r) => recordIds.includes(r.id) && this.awaiting.has(r.id));
    for (const slice of chunk(records, 250)) {
      const keys = slice.flatMap((r) => this.keysOf(r));
      const { booked, errors } = await this.deps.reads.processingState(
        keys,
        keys.flatMap((key) => this.itemDbIds.get(key) ?? []),
        this.context.signal,
      );
      for (const record of slice) {
        const recordKeys = this.keysOf(record);
        if (recordKeys.every((key) => booked.has(key))) {
          this.accept(record, booked);
          continue;
        }
        const messages = recordKeys.flatMap((key) => {
          const dbId = this.itemDbIds.get(key);
          return dbId === undefined ? [] : (errors.get(dbId) ?? []);
        });
        if (messages.length > 0) this.refuse(record, messages);
      }
    }
  }

  private startAwaiting(recordId: string): void {
    this.awaiting.add(recordId);
    this.waitStartedAt ??= this.deps.runtime.clock.now();
  }

  /** Every line is a journal entry: synced. The reference is its first expense import item (or entry). */
  private accept(record: ExportRecord, booked: ReadonlyMap<string, string>): void {
    const expense = this.keysOf(record)[0] ?? voucherKeyOf(record);
    const externalId = this.itemDbIds.get(expense) ?? booked.get(expense) ?? '';
    this.awaiting.delete(record.id);
    this.state.accept(record.id, externalId, !this.imported.has(record.id));
  }

  /** Processing refused the record's items: Xledger's message, verbatim; never imported again. */
  private refuse(record: ExportRecord, messages: readonly string[]): void {
    const unique = [...new Set(messages)].join(' / ');
    this.awaiting.delete(record.id);
    const ours = this.imported.has(record.id) || this.maybeImported.has(record.id);
    this.state.reject(
      ours
        ? {
            recordId: record.id,
            code: GL_IMPORT_ITEM_ERROR,
            category: 'validation',
            retryable: false,
            reason: unique,
          }
        : {
            recordId: record.id,
            code: XLEDGER_STAGED_WITH_ERRORS,
            category: 'configuration',
            retryable: false,
            foundInLedger: true,
            reason: `Its GL import items are still staged in Xledger from an earlier attempt, with a processing error (Xledger now says: ${unique}). Meander does not import it again while they exist: correct and reprocess them in Xledger's GL import screen, or delete them, then re-sync.`,
          },
    );
  }

  private notFound(recordId: string, why: string): void {
    this.awaiting.delete(recordId);
    this.state.reject({
      recordId,
      code: POSTED_NOT_FOUND,
      category: 'configuration',
      retryable: false,
      unverified: true,
      reason: `Xledger accepted the import, but ${why}. Meander will not import it again on its own: look for it in Xledger's GL import screen, then re-sync.`,
    });
  }

  /** The bound is reached: whatever is still staged ends unverified, never imported again. */
  private giveUpWaiting(): void {
    for (const recordId of [...this.awaiting]) {
      this.notFound(
        recordId,
        `its items were not processed within ${Math.round(this.deps.wait.maxWaitMs / 1000)} s (still staged, or removed)`,
      );
    }
  }
}
