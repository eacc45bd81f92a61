import { createHash } from 'node:crypto';
import type { ExportRecord } from '@meander/domain';
import { type AdapterOptions, type AdapterRuntime, resolveAdapterRuntime } from '../../adapter-options.js';
import { BatchState } from '../../batch-state.js';
import type { RequestCount } from '../../http/http-request.js';
import { RetryBudget } from '../../http/retry-budget.js';
import { withRetries } from '../../http/with-retries.js';
import { invalidRecordRejection } from '../../invalid-record.js';
import {
  type AccountingAdapter,
  AccountingError,
  type BatchContext,
  type BatchResult,
  type ConnectionCheck,
  type ConnectionCheckItem,
  type ConnectionReport,
  PREFLIGHT_CODES,
  type PreflightContext,
  type PreflightResult,
  type RejectedRecord,
} from '../../port.js';
import { SyncScopedReads } from '../../sync-scoped-reads.js';
import { XledgerClient } from './xledger-client.js';
import type { XledgerConnection } from './xledger-connection.js';
import { CONNECTION_CHECK, plannedDocumentFor, registrationNumberFor } from './xledger-documents.js';
import {
  type MasterDataAnswers,
  postingModelChecks,
  postingModelConfigured,
  unknownMasterData,
} from './xledger-inspection.js';
import { resolveProcessingWait, type XledgerProcessingWait, XledgerPush } from './xledger-push.js';
import { lowestDbId, XledgerReads } from './xledger-reads.js';
import { voucherOf, XLEDGER_MASTER_DATA_UNKNOWN, type XledgerLine } from './xledger-voucher.js';

export {
  GL_IMPORT_ITEM_ERROR,
  type XledgerProcessingWait,
} from './xledger-push.js';

/** Help centre article 8715787519634: at most 500 nodes per mass mutation; a record is two nodes. */
const MAX_RECORDS_PER_MUTATION = 250;

/**
 * Xledger over GraphQL. Each record becomes one balanced voucher of two GL import items: the
 * expense line (`extIdentifier` = the record id in its first posting round, `<id>#<n>` from the second: `voucherKeyOf`) and a contra line on the configured
 * `contraAccount` (`extIdentifier` = record id + `:contra`), both with the configured
 * `transactionSource`, the sync's `trRegNumber` and amounts as decimal strings. Results are
 * matched to lines by the `clientId` each edge echoes.
 *
 * A record is synced once both lines are journal entries: Xledger may process import items
 * inside the import request or later (not documented), and may or may not keep processed items
 * listed in `glImportItems`, so the adapter asks `journalEntries` and `glImportItemErrors` and
 * waits, bounded, for processing (see {@link XledgerPush}). `extIdentifier` is not unique in
 * Xledger, so nothing relies on a refusal of a repeat: every push reads back first and imports
 * only what the ledger shows nowhere; an import whose answer came back is never sent again.
 */
export class XledgerAdapter implements AccountingAdapter {
  readonly system = 'xledger' as const;

  get requests(): Readonly<RequestCount> {
    return this.runtime.transport.count ?? { reads: 0, writes: 0 };
  }
  private readonly runtime: AdapterRuntime;
  private readonly client: XledgerClient;
  private readonly reads: XledgerReads;
  private readonly processingWait: XledgerProcessingWait;
  /** Per sync: whether each account code asked about so far is in the chart of accounts. */
  private readonly chartOfAccounts = new SyncScopedReads(() => new Map<string, boolean>());
  /** Per sync: whether each employee, project and GL object value asked about so far exists. */
  private readonly masterData = new SyncScopedReads((): MasterDataAnswers => new Map());

  constructor(
    private readonly connection: XledgerConnection,
    options: AdapterOptions = {},
  ) {
    // Xledger limits each API token; the gate's key is a digest, never the token itself.
    this.runtime = resolveAdapterRuntime(options, MAX_RECORDS_PER_MUTATION, {
      system: 'xledger',
      identity: `${connection.baseUrl}#${createHash('sha256').update(connection.apiToken).digest('hex').slice(0, 32)}`,
    });
    this.client = new XledgerClient(connection, this.runtime);
    this.reads = new XledgerReads(this.client, this.runtime);
    this.processingWait = resolveProcessingWait(options.xledgerProcessingWait);
  }

  async pushBatch(records: readonly ExportRecord[], context: BatchContext): Promise<BatchResult> {
    // Always read back first: `extIdentifier` is not unique in Xledger, so a second export of an
    // exported period (or any repeat) would otherwise post again, and nothing would refuse it.
    const state = new BatchState(records, true);
    for (const record of state.pendingRecords()) {
      const refusal = this.currencyRefusal(record) ?? this.postingRefusal(record);
      if (refusal) state.reject(refusal);
    }
    const push = new XledgerPush(
      state,
      {
        client: this.client,
        reads: this.reads,
        runtime: this.runtime,
        connection: this.connection,
        wait: this.processingWait,
      },
      context,
      registrationNumberFor(context.syncLogId),
    );
    // One budget for the whole attempt: a write that went through never buys more retries.
    const budget = new RetryBudget(this.runtime.policy, this.runtime.random);
    await withRetries(() => push.run(), budget, this.runtime.sleep, context.signal);
    return state.result(lowestDbId(state.acceptedRecords().map((r) => r.externalId)));
  }

  async checkConnection(signal?: AbortSignal): Promise<ConnectionCheck> {
    try {
      await this.read(CONNECTION_CHECK, {}, signal);
      return { ok: true };
    } catch (error) {
      if (error instanceof AccountingError) return { ok: false, error };
      throw error;
    }
  }

  async inspectConnection(signal?: AbortSignal): Promise<ConnectionReport> {
    const checks: ConnectionCheckItem[] = [];
    try {
      await this.read(CONNECTION_CHECK, {}, signal);
      checks.push({
        name: 'credentials',
        ok: true,
        message: `The API token is accepted by ${new URL(this.connection.baseUrl).host} (its entity answers)`,
      });
    } catch (error) {
      if (!(error instanceof AccountingError)) throw error;
      checks.push({ name: 'credentials', ok: false, message: error.message });
      return { ok: false, checks };
    }
    const { contraAccount } = this.connection;
    const known = await this.knownAccounts([contraAccount], signal);
    checks.push(
      known.has(contraAccount)
        ? {
            name: 'contra_account',
            ok: true,
            message: `Contra account ${contraAccount} is in the chart of accounts`,
          }
        : {
            name: 'contra_account',
            ok: false,
            message: `Contra account ${contraAccount} (connection setting contraAccount) is not in the chart of accounts`,
          },
    );
    // Organizations that set up the posting model get its checks; others keep the earlier three.
    if (postingModelConfigured(this.connection))
      checks.push(...(await postingModelChecks(this.connection, this.reads, signal)));
    checks.push({
      name: 'posting_settings',
      ok: true,
      message: `Items are imported with transaction source ${this.connection.transactionSource} in ${this.connection.localCurrency}${
        this.connection.acceptedCurrencies.length
          ? ` (also accepted: ${this.connection.acceptedCurrencies.join(', ')})`
          : ''
      }`,
    });
    return { ok: checks.every((c) => c.ok), checks };
  }

  /**
   * What a push would do, with reads only: the voucher each record becomes, and the records the
   * entity would refuse (a currency that is neither local nor accepted; an account, or the contra
   * account, missing from the chart). Xledger's period locks are not readable through any public
   * query, so no period check is made here.
   */
  async preflight(records: readonly ExportRecord[], context: PreflightContext): Promise<PreflightResult> {
    const rejected: RejectedRecord[] = [];
    const candidates: { record: ExportRecord; lines: XledgerLine[] }[] = [];
    for (const record of records) {
      const refusal = invalidRecordRejection(record) ?? this.currencyRefusal(record);
      const voucher = refusal ? undefined : voucherOf(record, this.connection);
      if (refusal) rejected.push(refusal);
      else if (voucher && 'refusal' in voucher) rejected.push(voucher.refusal);
      else if (voucher) candidates.push({ record, lines: voucher.lines });
    }
    const { contraAccount } = this.connection;
    const known = await this.knownAccountsOfSync(
      [...new Set([contraAccount, ...candidates.flatMap(({ lines }) => lines.map((l) => l.account))])],
      this.chartOfAccounts.for(context.syncLogId),
      context.signal,
    );
    const unknownData = await unknownMasterData(
      candidates,
      this.reads,
      this.masterData.for(context.syncLogId),
      context.signal,
    );
    const documents = [];
    for (const { record, lines } of candidates) {
      const unknown = lines.find((l) => !l.contra && !known.has(l.account));
      const data = unknownData.get(lines);
      if (data && unknown === undefined) {
        rejected.push({
          recordId: record.id,
          code: XLEDGER_MASTER_DATA_UNKNOWN,
          category: 'validation',
          retryable: false,
          reason: data,
        });
        continue;
      }
      const missing = unknown
        ? `Account ${unknown.account} is not in the chart of accounts`
        : !known.has(contraAccount)
          ? `Contra account ${contraAccount} (connection setting contraAccount) is not in the chart of accounts`
          : undefined;
      if (missing) {
        rejected.push({
          recordId: record.id,
          code: PREFLIGHT_CODES.unknownAccount,
          category: 'validation',
          retryable: false,
          reason: missing,
        });
      } else documents.push(plannedDocumentFor(record, lines));
    }
    return { documents, rejected };
  }

  /** A record the posting settings cannot book (an unmapped VAT category or dimension key). */
  private postingRefusal(record: ExportRecord): RejectedRecord | undefined {
    const voucher = voucherOf(record, this.connection);
    return 'refusal' in voucher ? voucher.refusal : undefined;
  }

  private currencyRefusal(record: ExportRecord): RejectedRecord | undefined {
    const { localCurrency, acceptedCurrencies } = this.connection;
    if (record.currency === localCurrency || acceptedCurrencies.includes(record.currency)) return undefined;
    return {
      recordId: record.id,
      code: PREFLIGHT_CODES.foreignCurrency,
      category: 'validation',
      retryable: false,
      reason: `The record is in ${record.currency}; the entity books in ${localCurrency} and the connection setting acceptedCurrencies does not list ${record.currency}`,
    };
  }

  /** Like {@link knownAccounts}, asking the ledger only about codes this sync has not asked about. */
  private async knownAccountsOfSync(
    codes: readonly string[],
    answered: Map<string, boolean>,
    signal: AbortSignal | undefined,
  ): Promise<Set<string>> {
    const unasked = codes.filter((code) => !answered.has(code));
    if (unasked.length > 0) {
      const found = await this.knownAccounts(unasked, signal);
      for (const code of unasked) answered.set(code, found.has(code));
    }
    return new Set(codes.filter((code) => answered.get(code) === true));
  }

  private knownAccounts(codes: readonly string[], signal: AbortSignal | undefined): Promise<Set<string>> {
    return this.reads.knownAccounts(codes, signal);
  }

  private read(query: string, variables: Record<string, unknown>, signal: AbortSignal | undefined) {
    return this.reads.read(query, variables, signal);
  }
}
