import type { ExportRecord } from '@meander/domain';
import { type AdapterOptions, resolveAdapterRuntime } from '../../adapter-options.js';
import { BatchState } from '../../batch-state.js';
import { parseConnection } from '../../connection-settings.js';
import type { RequestCount } from '../../http/http-request.js';
import { RetryBudget } from '../../http/retry-budget.js';
import { withRetries } from '../../http/with-retries.js';
import {
  type AccountingAdapter,
  AccountingError,
  type BatchContext,
  type BatchResult,
  type ConnectionCheck,
  type ConnectionReport,
  type PreflightContext,
  type PreflightResult,
} from '../../port.js';
import { postingSettingsOf } from '../../posting-settings.js';
import { type DynamicsApi, getJson } from './dynamics-api.js';
import { MAX_BATCH_OPERATIONS } from './dynamics-batch.js';
import { DynamicsClient } from './dynamics-client.js';
import {
  type DynamicsConnection,
  type DynamicsConnectionInput,
  dynamicsConnectionSchema,
} from './dynamics-connection.js';
import type { PlanSettings } from './dynamics-document-plan.js';
import { inspectConnection } from './dynamics-inspection.js';
import { DynamicsPreflight } from './dynamics-preflight.js';
import { pushPending } from './dynamics-push.js';
import type { PushProgress } from './dynamics-read-back.js';
import { DynamicsTokenProvider } from './dynamics-token-provider.js';

/**
 * Business Central (API v2.0). The posting model (see packages/accounting/README.md):
 *
 * - Meander posts from a journal batch of its own (`journalName`), created through the API when
 *   missing. `Microsoft.NAV.post` posts every line of a batch, so each attempt first deletes the
 *   lines it finds there (DELETE with If-Match) — leftovers of an earlier attempt.
 * - Each record is one journal line with its own balancing account, so every line balances. Its
 *   deterministic key (`postingKeyOf`, from the record id and its posting round alone) is the
 *   line's document number and the start of its description.
 * - Posting deletes the journal's lines; what was posted is read back from `generalLedgerEntries`
 *   by the key at the start of the description (which a Posting No. Series does not renumber) or
 *   as document number — before any line is created (a record found there is never sent again)
 *   and after posting, waiting (bounded) for job-queue posting. A record posted but not found is
 *   rejected `unverified` and never posted again.
 * - A record's `externalId` is the id of its expense-side G/L entry; the batch's
 *   `externalReferenceId` is the id of the earliest G/L entry of the batch's records.
 * - Every write is preceded by `BatchContext.beforeWrite` (fencing).
 */
export class DynamicsAdapter implements AccountingAdapter {
  readonly system = 'dynamics' as const;
  /** Exposed so callers can see how often a token was fetched. */
  readonly tokens: DynamicsTokenProvider;
  private readonly api: DynamicsApi;
  private readonly planner: DynamicsPreflight;

  /** Settings are parsed here too (defaults applied); missing keys throw a `configuration` error naming them. */
  constructor(connection: DynamicsConnectionInput, options: AdapterOptions = {}) {
    const parsed: DynamicsConnection = parseConnection('dynamics', dynamicsConnectionSchema, connection);
    // Business Central limits each user (here: the app registration in its tenant).
    const runtime = resolveAdapterRuntime(options, MAX_BATCH_OPERATIONS, {
      system: 'dynamics',
      identity: `${parsed.tenantId}/${parsed.clientId}`,
    });
    this.tokens = new DynamicsTokenProvider(parsed, runtime);
    const client = new DynamicsClient(parsed, runtime, this.tokens);
    this.api = { connection: parsed, runtime, client, cache: {} };
    this.planner = new DynamicsPreflight(this.api);
  }

  get requests(): Readonly<RequestCount> {
    return this.api.runtime.transport.count ?? { reads: 0, writes: 0 };
  }

  async pushBatch(records: readonly ExportRecord[], context: BatchContext): Promise<BatchResult> {
    const balancing = this.balancingAccount();
    const { runtime } = this.api;
    const state = new BatchState(records, true);
    // The attempt's retry allowance: reads that succeed may reset it, writes never do.
    const budget = new RetryBudget(runtime.policy, runtime.random);
    const progress: PushProgress = { postedHere: new Set(), firstEntry: new Map(), redos: 0 };
    // Whole attempts are retried at most `maxAttempts` times: the reads inside one may reset the
    // budget's count of consecutive failures, so the count of attempts is kept here.
    const waitBeforeRetry = async (error: AccountingError) =>
      runtime.sleep(budget.delayAfter(error), context.signal);
    for (let tries = 1; ; tries += 1) {
      try {
        const currency = await withRetries(
          () => this.planner.localCurrency(context.signal),
          budget,
          runtime.sleep,
          context.signal,
        );
        for (const rejection of this.planner.currencyRejections(state.pendingRecords(), currency))
          state.reject(rejection);
        await pushPending({
          api: this.api,
          state,
          progress,
          plan: this.planSettings(balancing, currency),
          budget,
          context,
        });
        break;
      } catch (error) {
        if (!(error instanceof AccountingError) || tries >= runtime.policy.maxAttempts)
          throw withUnverified(error, progress, state);
        // The budget may refuse another wait (it throws): that gives up too.
        await waitBeforeRetry(error).catch((giveUp: unknown) => {
          throw withUnverified(giveUp, progress, state);
        });
      }
    }
    const first = [...progress.firstEntry.values()].sort((a, b) => a.entryNumber - b.entryNumber)[0];
    return state.result(first?.id ?? null);
  }

  async checkConnection(signal?: AbortSignal): Promise<ConnectionCheck> {
    const budget = new RetryBudget(this.api.runtime.policy, this.api.runtime.random);
    try {
      await withRetries(
        () => getJson(this.api, this.api.client.companyPath, signal),
        budget,
        this.api.runtime.sleep,
        signal,
      );
      return { ok: true };
    } catch (error) {
      if (error instanceof AccountingError) return { ok: false, error };
      throw error;
    }
  }

  /**
   * Read-only checks: credentials, company, journal batch, balancing account, local currency, and
   * the batch settings API v2.0 does not expose with how the product copes with each.
   */
  inspectConnection(signal?: AbortSignal): Promise<ConnectionReport> {
    return inspectConnection(this.api, this.tokens, this.planner, signal);
  }

  /**
   * What a push would post, read-only: one balanced document per record (expense line plus
   * balancing line), and the records the ledger would refuse — another currency without a rate,
   * an account missing from (or blocked in) the chart of accounts, a posting date outside the
   * allowed range or in a closed or date-locked accounting period.
   */
  async preflight(records: readonly ExportRecord[], context: PreflightContext): Promise<PreflightResult> {
    const balancing = this.balancingAccount();
    return this.planner.preflight(records, context, (currency) => this.planSettings(balancing, currency));
  }

  private planSettings(balancing: string, currency: string): PlanSettings {
    const { connection } = this.api;
    return {
      posting: postingSettingsOf(connection),
      balancing: { type: connection.balancingAccountType, number: balancing },
      currency,
      rates: connection.currencyRates,
    };
  }

  private balancingAccount(): string {
    const account = this.api.connection.balancingAccountNumber;
    if (account === undefined) {
      throw new AccountingError(
        'The dynamics connection settings are incomplete: balancingAccountNumber is missing (every expense line needs a balancing account)',
        { code: 'INVALID_CONNECTION', category: 'configuration', retryable: false },
      );
    }
    return account;
  }
}

/**
 * A batch that gives up after a post went out (answered or not) and before a read-back settled
 * it: the records may be in the ledger — "Post with Job Queue" books them later — so the error
 * says so and names them, for the caller to keep them unverified rather than post them again.
 */
function withUnverified(error: unknown, progress: PushProgress, state: BatchState): unknown {
  if (!(error instanceof AccountingError)) return error;
  const unverified = [...progress.postedHere].filter((id) => state.isPending(id));
  if (unverified.length === 0) return error;
  const named = new AccountingError(error.message, {
    ...error.details,
    outcomeUnknown: true,
    unverifiedRecordIds: unverified,
  });
  named.cause = error;
  return named;
}
