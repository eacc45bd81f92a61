import type { ExportRecord } from '@meander/domain';
import { chunk } from '../../adapter-options.js';
import { isObject } from '../../http/json-body.js';
import { RetryBudget } from '../../http/retry-budget.js';
import { withRetries } from '../../http/with-retries.js';
import { invalidRecordRejection } from '../../invalid-record.js';
import {
  AccountingError,
  type PlannedDocument,
  PREFLIGHT_CODES,
  type PreflightContext,
  type PreflightResult,
  type RejectedRecord,
} from '../../port.js';
import { SyncScopedReads } from '../../sync-scoped-reads.js';
import { type DynamicsApi, getJson, quote, valuesOf } from './dynamics-api.js';
import { localAmount } from './dynamics-money.js';
import { documentNumberFor } from './external-document-number.js';

/** Keys per `accounts` `$filter`, so the URL stays far below common limits. */
const ACCOUNT_KEYS_PER_QUERY = 20;

/** An account as the chart of accounts shows it. */
export interface ChartAccount {
  displayName: string;
  blocked: boolean;
}

/** An accounting period, with whether it is closed or date-locked. */
interface AccountingPeriod {
  start: string;
  locked: boolean;
  name: string;
}

/** What a pre-flight has read for one sync: each account number asked about (null: not in the chart), the periods. */
interface SetupReads {
  accounts: Map<string, ChartAccount | null>;
  periods: AccountingPeriod[] | undefined;
}

/** The read-only side of the adapter: what a push would post and what the ledger would refuse. */
export class DynamicsPreflight {
  private readonly setupReads = new SyncScopedReads<SetupReads>(() => ({
    accounts: new Map(),
    periods: undefined,
  }));

  constructor(private readonly api: DynamicsApi) {}

  /**
   * What a push would post, read-only: one balanced document per record (expense line plus
   * balancing line), and the records the ledger would refuse — another currency without a rate,
   * an account missing from (or blocked in) the chart of accounts, a posting date outside the
   * allowed range or in a closed or date-locked accounting period.
   */
  async preflight(
    records: readonly ExportRecord[],
    context: PreflightContext,
    balancing: string,
  ): Promise<PreflightResult> {
    const signal = context.signal;
    const rejected: RejectedRecord[] = [];
    const valid: ExportRecord[] = [];
    for (const record of records) {
      const invalid = invalidRecordRejection(record);
      if (invalid) rejected.push(invalid);
      else valid.push(record);
    }
    // Reads only, each retried alone (throttling, 5xx) within one budget like a push's steps.
    const budget = new RetryBudget(this.api.runtime.policy, this.api.runtime.random);
    const currency = await this.safely(budget, signal, () => this.localCurrency(signal));
    const foreign = new Set(this.currencyRejections(valid, currency).map((r) => r.recordId));
    rejected.push(...this.currencyRejections(valid, currency));
    const reads = this.setupReads.for(context.syncLogId);
    const unasked = [...new Set(valid.map((r) => r.account.toUpperCase()))].filter(
      (n) => !reads.accounts.has(n),
    );
    if (unasked.length > 0) {
      const found = await this.safely(budget, signal, () => this.accounts(unasked, signal));
      for (const n of unasked) reads.accounts.set(n, found.get(n) ?? null);
    }
    reads.periods ??= await this.safely(budget, signal, () => this.closedPeriods(signal));
    const { periods } = reads;
    const documents: PlannedDocument[] = [];
    for (const record of valid) {
      if (foreign.has(record.id)) continue;
      const account = reads.accounts.get(record.account.toUpperCase());
      if (!account || account.blocked) {
        rejected.push({
          recordId: record.id,
          code: PREFLIGHT_CODES.unknownAccount,
          category: 'validation',
          retryable: false,
          reason: `Account ${record.account} is ${account ? 'blocked' : 'not in the chart of accounts'} of company ${this.api.connection.companyId}`,
        });
        continue;
      }
      const locked = this.lockedReason(record.bookingDate, periods);
      if (locked !== undefined) {
        rejected.push({
          recordId: record.id,
          code: PREFLIGHT_CODES.periodLocked,
          category: 'validation',
          retryable: false,
          reason: locked,
        });
        continue;
      }
      const amount = localAmount(record, currency, this.api.connection.currencyRates);
      documents.push({
        documentNumber: documentNumberFor(record.id),
        postingDate: record.bookingDate,
        recordIds: [record.id],
        lines: [
          { account: record.account.toUpperCase(), amount, currency, recordId: record.id },
          { account: balancing, amount: negate(amount), currency },
        ],
      });
    }
    return { documents, rejected };
  }

  /** The company's local currency: from the settings, else from `companyInformation`. */
  async localCurrency(signal: AbortSignal | undefined): Promise<string> {
    if (this.api.connection.localCurrency) return this.api.connection.localCurrency;
    if (this.api.cache.localCurrency) return this.api.cache.localCurrency;
    const body = await getJson(this.api, `${this.api.client.companyPath}/companyInformation`, signal);
    const info = valuesOf(body, 'companyInformation')[0];
    const code =
      isObject(info) && typeof info.currencyCode === 'string' ? info.currencyCode.trim().toUpperCase() : '';
    if (!/^[A-Z]{3}$/.test(code)) {
      throw new AccountingError(
        'The company does not state its local currency: set localCurrency in the connection settings',
        { code: 'INVALID_CONNECTION', category: 'configuration', retryable: false },
      );
    }
    this.api.cache.localCurrency = code;
    return code;
  }

  /** Records in a currency that is neither local nor given a rate: the journal line has no currency field. */
  currencyRejections(records: readonly ExportRecord[], local: string): RejectedRecord[] {
    return records
      .filter((r) => r.currency !== local && this.api.connection.currencyRates?.[r.currency] === undefined)
      .map((r) => ({
        recordId: r.id,
        code: PREFLIGHT_CODES.foreignCurrency,
        category: 'validation' as const,
        retryable: false,
        reason: `The record is in ${r.currency}, but Business Central journal lines are booked in the company's local currency ${local}; add a rate for ${r.currency} to currencyRates in the connection settings to book it`,
      }));
  }

  async accounts(
    numbers: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<Map<string, ChartAccount>> {
    const known = new Map<string, ChartAccount>();
    for (const slice of chunk([...new Set(numbers)], ACCOUNT_KEYS_PER_QUERY)) {
      const filter = slice.map((n) => `number eq '${quote(n)}'`).join(' or ');
      const body = await getJson(
        this.api,
        `${this.api.client.companyPath}/accounts?$filter=${encodeURIComponent(filter)}`,
        signal,
      );
      for (const account of valuesOf(body, 'accounts')) {
        if (!isObject(account) || typeof account.number !== 'string') continue;
        known.set(account.number.toUpperCase(), {
          displayName: typeof account.displayName === 'string' ? account.displayName : '',
          blocked: account.blocked === true,
        });
      }
    }
    return known;
  }

  /** Accounting periods sorted by starting date, with whether each is closed or date-locked. */
  private async closedPeriods(signal: AbortSignal | undefined): Promise<AccountingPeriod[]> {
    const body = await getJson(this.api, `${this.api.client.companyPath}/accountingPeriods`, signal);
    return valuesOf(body, 'accountingPeriods')
      .flatMap((p) =>
        isObject(p) && typeof p.startingDate === 'string'
          ? [
              {
                start: p.startingDate,
                locked: p.closed === true || p.dateLocked === true,
                name: String(p.name ?? ''),
              },
            ]
          : [],
      )
      .sort((a, b) => a.start.localeCompare(b.start));
  }

  private lockedReason(date: string, periods: readonly AccountingPeriod[]): string | undefined {
    const { allowPostingFrom: from, allowPostingTo: to } = this.api.connection;
    if ((from && date < from) || (to && date > to)) {
      return `Posting date ${date} is not within the allowed posting range ${from ?? '…'} – ${to ?? '…'} (allowPostingFrom/allowPostingTo)`;
    }
    let period: AccountingPeriod | undefined;
    for (const p of periods) if (p.start <= date) period = p;
    if (period?.locked)
      return `Posting date ${date} falls in the closed accounting period ${period.name} starting ${period.start}`;
    return undefined;
  }

  /** Run a read that is safe to repeat, retrying it alone within `budget`. */
  private safely<T>(
    budget: RetryBudget,
    signal: AbortSignal | undefined,
    step: () => Promise<T>,
  ): Promise<T> {
    return withRetries(step, budget, this.api.runtime.sleep, signal);
  }
}

function negate(amount: string): string {
  return amount.startsWith('-') ? amount.slice(1) : `-${amount}`;
}
