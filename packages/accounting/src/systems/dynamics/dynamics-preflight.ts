import { type ExportRecord, exportLinesOf } from '@meander/domain';
import { chunk } from '../../adapter-options.js';
import { convertsSafely } from '../../decimal-amount.js';
import { isObject } from '../../http/json-body.js';
import { RetryBudget } from '../../http/retry-budget.js';
import { withRetries } from '../../http/with-retries.js';
import { invalidRecordRejection } from '../../invalid-record.js';
import {
  AccountingError,
  type PlannedDocument,
  type PlannedLine,
  PREFLIGHT_CODES,
  type PreflightContext,
  type PreflightResult,
  type RejectedRecord,
} from '../../port.js';
import { SyncScopedReads } from '../../sync-scoped-reads.js';
import { type DynamicsApi, getJson, quote, valuesOf } from './dynamics-api.js';
import { type DocumentPlan, isRefusal, type PlanSettings, planDocument } from './dynamics-document-plan.js';
import { DynamicsMasterData } from './dynamics-master-data.js';
import { sumDecimals } from './dynamics-money.js';
import { postingKeyOf } from './external-document-number.js';

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

  readonly masterData: DynamicsMasterData;

  constructor(private readonly api: DynamicsApi) {
    this.masterData = new DynamicsMasterData(api);
  }

  /**
   * What a push would post, read-only: one balanced document per record (expense line plus
   * balancing line), and the records the ledger would refuse — another currency without a rate,
   * an account missing from (or blocked in) the chart of accounts, a posting date outside the
   * allowed range or in a closed or date-locked accounting period.
   */
  async preflight(
    records: readonly ExportRecord[],
    context: PreflightContext,
    settings: (currency: string) => PlanSettings,
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
    const unasked = [
      ...new Set(valid.flatMap((r) => exportLinesOf(r).map((l) => l.account.toUpperCase()))),
    ].filter((n) => !reads.accounts.has(n));
    if (unasked.length > 0) {
      const found = await this.safely(budget, signal, () => this.accounts(unasked, signal));
      for (const n of unasked) reads.accounts.set(n, found.get(n) ?? null);
    }
    reads.periods ??= await this.safely(budget, signal, () => this.closedPeriods(signal));
    const { periods } = reads;
    const documents: PlannedDocument[] = [];
    const plans: { record: ExportRecord; plan: DocumentPlan }[] = [];
    for (const record of valid) {
      if (foreign.has(record.id)) continue;
      const missing = exportLinesOf(record)
        .map((l) => l.account.toUpperCase())
        .find((n) => {
          const account = reads.accounts.get(n);
          return !account || account.blocked;
        });
      if (missing !== undefined) {
        rejected.push({
          recordId: record.id,
          code: PREFLIGHT_CODES.unknownAccount,
          category: 'validation',
          retryable: false,
          reason: `Account ${missing} is ${reads.accounts.get(missing) ? 'blocked' : 'not in the chart of accounts'} of company ${this.api.connection.companyId}`,
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
      const plan = planDocument(record, settings(currency));
      if (isRefusal(plan)) {
        rejected.push(plan);
        continue;
      }
      plans.push({ record, plan });
    }
    const known = await this.safely(budget, signal, () =>
      this.masterData.known(
        plans.map((p) => p.plan),
        context.syncLogId,
        signal,
      ),
    );
    for (const { record, plan } of plans) {
      const unknown = known.refusal(plan);
      if (unknown !== undefined) {
        rejected.push({ recordId: record.id, category: 'validation', retryable: false, ...unknown });
        continue;
      }
      documents.push(plannedDocument(record, plan, currency));
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

  /**
   * Records in a currency that is neither local nor given a rate (their own `exchangeRate`, else the
   * connection's): the journal line has no currency field. Also those whose total, at their rate,
   * is beyond what an amount in minor units can hold (a rate may be up to 999,999,999).
   */
  currencyRejections(records: readonly ExportRecord[], local: string): RejectedRecord[] {
    const rejected: RejectedRecord[] = [];
    for (const r of records) {
      if (r.currency === local) continue;
      const rates = this.api.connection.currencyRates;
      const rate = r.exchangeRate ?? rates?.[r.currency];
      const reason =
        rate === undefined
          ? `The record is in ${r.currency}, but Business Central journal lines are booked in the company's local currency ${local}; send the record's own exchangeRate or add a rate for ${r.currency} to currencyRates in the connection settings to book it`
          : convertsSafely(r.amountMinor, r.currency, local, rate)
            ? undefined
            : `The record's ${r.currency} total at the rate ${rate} exceeds the largest amount that can be booked in ${local}`;
      if (reason !== undefined)
        rejected.push({
          recordId: r.id,
          code: PREFLIGHT_CODES.foreignCurrency,
          category: 'validation',
          retryable: false,
          reason,
        });
    }
    return rejected;
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
  if (amount.startsWith('-')) return amount.slice(1);
  return /^0(\.0+)?$/.test(amount) ? amount : `-${amount}`;
}

/**
 * The document a push of `record` posts: each journal line (gross, its VAT code and the VAT it
 * carries, its dimensions), then the credit — one per journal line in Business Central, shown
 * here as one line of their sum on the employee (or the balancing account).
 */
function plannedDocument(record: ExportRecord, plan: DocumentPlan, currency: string): PlannedDocument {
  const lines: PlannedLine[] = plan.lines.map((line) => ({
    account: line.account,
    amount: line.amount,
    currency,
    recordId: record.id,
    // A line without a VAT code carries no VAT (ZERO/EXEMPT unmapped): it shows as it always did.
    ...(line.vatCode !== undefined
      ? { vatCategory: line.vatCategory, vatCode: line.vatCode, vatAmount: line.vatAmount }
      : {}),
    ...(Object.keys(line.dimensions).length > 0 ? { dimensions: line.dimensions } : {}),
  }));
  const total = sumDecimals(plan.lines.map((l) => l.amount));
  lines.push({
    account: plan.credit.number,
    amount: negate(total),
    currency,
    // The configured balancing account is a G/L (or bank) account: the default, left out.
    ...(plan.credit.type === 'Employee' ? { accountType: 'employee' as const } : {}),
  });
  return {
    documentNumber: postingKeyOf(record),
    postingDate: record.bookingDate,
    recordIds: [record.id],
    lines,
    ...(record.reversal ? { reversal: true } : {}),
    ...(record.receiptUrl !== undefined ? { receiptUrl: record.receiptUrl } : {}),
  };
}
