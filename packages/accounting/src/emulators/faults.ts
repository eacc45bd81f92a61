import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import type { EmulatorStats } from './emulator-stats.js';
import { dropConnection, sendTruncatedJson } from './http-io.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

/**
 * Faults one emulator injects. Counts (`throttle`, `serverErrors`, `malformed`, `dropAfterWrite`)
 * are consumed one per API request (token and control requests excluded); the rest hold until
 * replaced. Rules refuse single items with the system's own validation error.
 */
export const emulatorFaultsSchema = z.strictObject({
  /** Accounts the ledger treats as closed: items booked to them are refused. */
  closedAccounts: z.array(z.string().min(1)).max(10_000).optional(),
  /** Refuse items whose amount is zero. */
  rejectZeroAmounts: z.boolean().optional(),
  /** Refuse these Meander record ids (Dynamics compares them as external document numbers). */
  rejectRecordIds: z.array(z.string().min(1)).max(100_000).optional(),
  /** Throttle the next N API requests (Dynamics: 429 + Retry-After; Xledger: a GraphQL rate-limit error). */
  throttle: z.number().int().min(0).optional(),
  /** Retry-After seconds sent with Dynamics' 429 and in Xledger's error extensions (default 1). */
  retryAfterSeconds: z.number().min(0).max(3_600).optional(),
  /** Xledger's rate-limit code (default BURST). */
  throttleCode: z
    .enum(['BAD_REQUEST.BURST_RATE_LIMIT_REACHED', 'BAD_REQUEST.CONCURRENCY_LIMIT_REACHED'])
    .optional(),
  /** Fail the next N API requests with `serverErrorStatus` (default 503), before anything is applied. */
  serverErrors: z.number().int().min(0).optional(),
  serverErrorStatus: z.number().int().min(500).max(599).optional(),
  /**
   * Delay every API request by this many milliseconds (the mean, when `latencyJitterMs` is set):
   * real ledgers are far slower to answer than the in-process emulators, which is what makes a
   * worker I/O-bound.
   */
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  /**
   * Spread each request's delay uniformly over `latencyMs ± latencyJitterMs` (clamped at 0), so
   * requests of concurrent syncs finish out of order as they do against a real ledger.
   */
  latencyJitterMs: z.number().int().min(0).max(600_000).optional(),
  /** Seed of the jitter (same seed, same sequence of delays: a test can predict them). Default: random. */
  latencySeed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional(),
  /** Answer the next N API requests with a truncated JSON body (writes are applied first). */
  malformed: z.number().int().min(0).optional(),
  /** Apply the next N writes, then drop the connection without answering. */
  dropAfterWrite: z.number().int().min(0).optional(),
  /** Refuse every credential (Xledger: "bad format for api token"; Dynamics: token endpoint and API answer 401). */
  authFailure: z.boolean().optional(),
  /** Xledger only: every request answers BAD_REQUEST.INSUFFICIENT_CREDITS. */
  insufficientCredits: z.boolean().optional(),
  /**
   * Xledger only (assumption I): GL import items stay `staged` this many milliseconds after the
   * import answered, then are processed under the faults in force at that moment.
   */
  processingDelayMs: z.number().int().min(0).max(3_600_000).optional(),
  /**
   * Xledger only (assumption I): once processed, items are no longer listed by `glImportItems`
   * (only their journal entries are). Default false: processed items stay listed.
   */
  processedItemsUnlisted: z.boolean().optional(),
  /** Dynamics only: General Ledger Setup's "Allow Posting From" (YYYY-MM-DD); earlier dates are refused at posting. */
  allowPostingFrom: isoDate.optional(),
  /** Dynamics only: "Allow Posting To"; later dates are refused at posting. */
  allowPostingTo: isoDate.optional(),
  /** Dynamics only: accounting periods starting before this date show `closed: true`. */
  closedPeriodsBefore: isoDate.optional(),
  /**
   * Dynamics only (assumption I): accept journal lines whose G/L account number is not in the
   * chart of accounts. Default false: they are refused at line creation, the harsher choice.
   */
  acceptUnknownAccounts: z.boolean().optional(),
  /**
   * Dynamics only: the batch has a Posting No. Series, so posting replaces each document number
   * with the series' next one (V: BaseApp `GenJnlPostBatch.CheckDocumentNo`).
   */
  postingNoSeries: z.boolean().optional(),
  /**
   * Dynamics only: the batch has a No. Series without "Manual Nos.", so posting refuses a document
   * number that is not the series' next one (V: `GenJnlPostBatch.ProcessBalanceOfLines` →
   * `TestManual`, "You may not enter numbers manually…").
   */
  noSeriesWithoutManual: z.boolean().optional(),
  /**
   * Dynamics only: "Post with Job Queue" is on. The post answers at once and the G/L entries
   * appear this many milliseconds later (V: codeunit 231 / General Ledger Setup "Post with Job Queue").
   */
  jobQueuePostingMs: z.number().int().min(0).max(3_600_000).optional(),
  /** Dynamics only: 429s carry no Retry-After (MS Learn "Working with API limits" does not promise it). */
  throttleWithoutRetryAfter: z.boolean().optional(),
  /** Dynamics only: at most `requests` API requests per `windowSeconds` per client (user); beyond → 429. */
  requestQuota: z
    .strictObject({
      requests: z.number().int().min(1).max(1_000_000),
      windowSeconds: z.number().min(0.001).max(86_400),
    })
    .optional(),
  /** Dynamics only: at most this many API requests in flight per client (user); beyond → 429. */
  maxConcurrentRequests: z.number().int().min(1).max(10_000).optional(),
  /**
   * Dynamics only (assumption I): refuse enum values in their plain form (`G/L Account`) and accept
   * only the OData wire form (`G_x002F_L_x0020_Account`). Default false: both are accepted.
   */
  refusePlainEnumValues: z.boolean().optional(),
});
/** Faults one emulator injects. */
export type EmulatorFaults = z.infer<typeof emulatorFaultsSchema>;

type CountedFault = 'throttle' | 'serverErrors' | 'malformed' | 'dropAfterWrite';

/**
 * The faults that strike after the ledger acted: a write's answer lost with its connection
 * (`dropAfterWrite`), or any answer cut short (`malformed`). True when one took the answer; the
 * caller sends it otherwise.
 */
export function spoilAnswer(
  faults: FaultState,
  res: ServerResponse,
  stats: EmulatorStats,
  answer: { isWrite: boolean; body: unknown },
): boolean {
  if (answer.isWrite && faults.take('dropAfterWrite')) {
    stats.dropped += 1;
    dropConnection(res);
    return true;
  }
  if (faults.take('malformed')) {
    stats.malformed += 1;
    sendTruncatedJson(res, answer.body);
    return true;
  }
  return false;
}

/** The live fault settings of one emulator, with counts that run down as requests consume them. */
export class FaultState {
  private current: EmulatorFaults = {};
  private closedAccounts = new Set<string>();
  private rejectedIds = new Set<string>();
  private jitter: () => number = Math.random;

  constructor(
    initial: EmulatorFaults = {},
    private readonly normalizeId: (id: string) => string = (id) => id,
  ) {
    this.set(initial);
  }

  /** Replace every fault (validated: a bad setting throws). */
  set(faults: EmulatorFaults): void {
    this.current = emulatorFaultsSchema.parse(faults);
    this.closedAccounts = new Set((this.current.closedAccounts ?? []).map((a) => a.toUpperCase()));
    this.rejectedIds = new Set((this.current.rejectRecordIds ?? []).map(this.normalizeId));
    const seed = this.current.latencySeed;
    this.jitter = seed === undefined ? Math.random : seededRandom(seed);
  }

  /** The faults as they stand (counts show what is left). */
  get(): EmulatorFaults {
    return { ...this.current };
  }

  /** Consume one unit of a counted fault; true when it fires for this request. */
  take(fault: CountedFault): boolean {
    const left = this.current[fault] ?? 0;
    if (left <= 0) return false;
    this.current = { ...this.current, [fault]: left - 1 };
    return true;
  }

  get latencyMs(): number {
    return this.current.latencyMs ?? 0;
  }

  /** Hold the current API request for its latency (`nextLatencyMs`). */
  async latency(): Promise<void> {
    const ms = this.nextLatencyMs();
    if (ms > 0) await delay(ms);
  }

  /** The delay of the next API request: `latencyMs`, spread by `latencyJitterMs` when set. */
  nextLatencyMs(): number {
    const mean = this.current.latencyMs ?? 0;
    const jitter = this.current.latencyJitterMs ?? 0;
    if (jitter === 0) return mean;
    return Math.max(0, Math.round(mean + (this.jitter() * 2 - 1) * jitter));
  }

  get authFailure(): boolean {
    return this.current.authFailure === true;
  }

  get insufficientCredits(): boolean {
    return this.current.insufficientCredits === true;
  }

  /** Xledger: how long imported items wait before processing, and whether processed ones stay listed. */
  get xledgerProcessing(): { delayMs: number; processedListed: boolean } {
    return {
      delayMs: this.current.processingDelayMs ?? 0,
      processedListed: this.current.processedItemsUnlisted !== true,
    };
  }

  get retryAfterSeconds(): number {
    return this.current.retryAfterSeconds ?? 1;
  }

  get throttleCode(): string {
    return this.current.throttleCode ?? 'BAD_REQUEST.BURST_RATE_LIMIT_REACHED';
  }

  /** The allowed posting range and period closing (Dynamics). */
  get postingSetup(): { from?: string; to?: string; closedBefore?: string; acceptUnknownAccounts: boolean } {
    const { allowPostingFrom, allowPostingTo, closedPeriodsBefore, acceptUnknownAccounts } = this.current;
    return {
      ...(allowPostingFrom ? { from: allowPostingFrom } : {}),
      ...(allowPostingTo ? { to: allowPostingTo } : {}),
      ...(closedPeriodsBefore ? { closedBefore: closedPeriodsBefore } : {}),
      acceptUnknownAccounts: acceptUnknownAccounts === true,
    };
  }

  /** The Business Central batch and General Ledger Setup switches (No. Series, job queue). */
  get dynamicsBatch(): {
    postingNoSeries: boolean;
    noSeriesWithoutManual: boolean;
    jobQueuePostingMs: number | undefined;
    refusePlainEnumValues: boolean;
  } {
    const { postingNoSeries, noSeriesWithoutManual, jobQueuePostingMs, refusePlainEnumValues } = this.current;
    return {
      postingNoSeries: postingNoSeries === true,
      noSeriesWithoutManual: noSeriesWithoutManual === true,
      jobQueuePostingMs,
      refusePlainEnumValues: refusePlainEnumValues === true,
    };
  }

  /** Business Central's request limits as set (undefined: unlimited). */
  get dynamicsLimits(): {
    throttleWithoutRetryAfter: boolean;
    requestQuota: { requests: number; windowSeconds: number } | undefined;
    maxConcurrentRequests: number | undefined;
  } {
    return {
      throttleWithoutRetryAfter: this.current.throttleWithoutRetryAfter === true,
      requestQuota: this.current.requestQuota,
      maxConcurrentRequests: this.current.maxConcurrentRequests,
    };
  }

  get serverErrorStatus(): number {
    return this.current.serverErrorStatus ?? 503;
  }

  /** Why a rule refuses this item, or undefined when none does. */
  ruleRejection(item: { id: string; account: string; amount: string }): string | undefined {
    if (this.rejectedIds.has(this.normalizeId(item.id)))
      return `Record ${item.id} is refused by the ledger's rules`;
    if (this.closedAccounts.has(item.account.toUpperCase()))
      return `Account ${item.account} is closed for posting`;
    if (this.current.rejectZeroAmounts && isZero(item.amount)) return 'Amount must not be zero';
    return undefined;
  }
}

/** mulberry32: a small, fast PRNG whose sequence a 32-bit seed fixes (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function isZero(amount: string): boolean {
  return /^-?0*(\.0*)?$/.test(amount);
}
