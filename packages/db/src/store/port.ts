import type {
  AccountingModuleConfig,
  AccountingModuleState,
  AccountingSystem,
  CompleteSyncLogCommand,
  CreateSyncLogInput,
  DeleteSyncLogCommand,
  ExpenseRecordState,
  ExportRecord,
  ExportRecordKind,
  FailSyncLogCommand,
  IsoDateTime,
  ListSyncLogsInput,
  Planned,
  ReportProgressCommand,
  SyncLog,
  SyncStatus,
} from '@meander/domain';
import type BetterSqlite3 from 'better-sqlite3';
import type postgres from 'postgres';
import type { CheckpointStore } from '../checkpoints/port.js';
import type { DeletionFacts, DeletionSeal } from '../checkpoints/signing.js';
import type { UpsertResult, WithdrawResult } from './expense-record-intake.js';
import type { ExpenseRecordView } from './expense-record-view.js';
import type { ScheduledSyncInput } from './scheduled-syncs.js';
import type { SyncLease } from './sync-lease.js';
import type { ReverseSyncCommand } from './sync-reversal.js';
import type { UnverifiedPostingStore } from './unverified-posting-store.js';

/** The two databases the product runs on. */
export type Dialect = 'sqlite' | 'postgres';

/** An organization (tenant). */
export interface Organization {
  id: string;
  name: string;
  createdAt: IsoDateTime;
  /** IANA time zone its periods are computed and shown in (`UTC` unless chosen). */
  timeZone: string;
}

/** The `admin-accounting` module row of one organization. */
export interface AccountingModuleView extends AccountingModuleState {
  organizationId: string;
  module: 'admin-accounting';
  /** The organization's IANA time zone (on the scheduled list: the zone its periods are computed in). */
  timeZone?: string;
}

/** An expense claim or reimbursement to insert (seed, tests, benchmarks). */
export interface NewExpenseRecord {
  id?: string;
  organizationId: string;
  kind: ExportRecordKind;
  amountMinor: number;
  currency: string;
  bookingDate: string; // YYYY-MM-DD
  account: string;
  approvalState: 'draft' | 'submitted' | 'approved' | 'rejected';
  description?: string | null;
  /** Default `E001`. */
  employeeNumber?: string;
}

/** A page of an organization's expense records (admins' `expenseRecords.list`). */
export interface ListExpenseRecordsQuery {
  organizationId: string;
  state?: ExpenseRecordState;
  /** Inclusive calendar dates `YYYY-MM-DD`. */
  bookingDateFrom?: string;
  bookingDateTo?: string;
  cursor?: string;
  /** Default 50. */
  limit?: number;
}

/** Which approved records a sync sends: the organization's period, optionally narrowed to ids (re-sync). */
export interface RecordSelection {
  organizationId: string;
  periodStart: IsoDateTime;
  periodEnd: IsoDateTime;
  recordIds?: readonly string[];
}

/**
 * Who drives a sync through its lifecycle. `worker`: this product's worker claims and runs it (the
 * scheduler, `syncs.startExport`, `syncs.push`, re-syncs). `external`: a runner outside this product
 * recorded it through `syncLogs.create` and reports start, progress and completion itself, so the
 * worker must never claim it.
 */
export type SyncRunner = 'worker' | 'external';

/** Options of `SyncLogStore.create`. */
interface CreateOptions {
  now?: IsoDateTime;
  /** Default `worker`. */
  runner?: SyncRunner;
}

/** The result of a create: `replayed` when an idempotency key matched an earlier identical create. */
export interface CreateResult extends Planned {
  replayed: boolean;
}

/** Who deleted a sync log, and why (the policy was checked by the caller). */
export interface DeletionActor {
  userId: string;
  via: string;
  /**
   * Signs the deletion inside its transaction (the product's audit signing key, see
   * `withCheckpoints`). A deletion without a signature — written by anyone without the key — is a
   * finding of `audit.verify`.
   */
  sign?: (facts: DeletionFacts) => DeletionSeal;
}

/** The tombstone left by a deletion. */
export interface SyncLogDeletion {
  syncLogId: string;
  organizationId: string;
  deletedBy: string;
  deletedVia: string;
  deletedAt: IsoDateTime;
  reason: string;
  legalBasis: 'compliance' | 'data_subject_request';
  chainSeq: number | null;
  chainHash: string | null;
  /** Ed25519 signature over the deletion's facts, and its key id; null when nobody signed it. */
  signature: string | null;
  keyId: string | null;
}

/** A period whose latest attempt failed or was partial, with what to send again. */
export interface ResyncPlanEntry {
  organizationId: string;
  accountingSystem: AccountingSystem;
  periodStart: IsoDateTime;
  periodEnd: IsoDateTime;
  latestSyncLogId: string;
  latestStatus: 'failed' | 'partial';
  latestStartedAt: IsoDateTime;
  recordsFailed: number;
  /** Ids of the records the ledger rejected (from `errorDetails.recordFailures`). */
  failedRecordIds: string[];
  /** True when the failure list was truncated or the whole sync failed: re-send the whole period. */
  wholePeriod: boolean;
}

/** Operational health of one organization's integration with one system. */
export interface MonitoringEntry {
  organizationId: string;
  accountingSystem: AccountingSystem;
  lastSync: {
    id: string;
    status: SyncStatus;
    startedAt: IsoDateTime;
    completedAt: IsoDateTime | null;
  } | null;
  lastSuccessAt: IsoDateTime | null;
  consecutiveFailures: number;
  /** Share of terminal syncs that succeeded, 0–1; null when there were none in the window. */
  successRate7d: number | null;
  successRate30d: number | null;
  recordsFailed7d: number;
  recordsFailed30d: number;
  activeSync: { id: string; status: SyncStatus; ageSeconds: number; heartbeatAt: IsoDateTime | null } | null;
  /** True when the active sync's heartbeat is older than the stale threshold. */
  stuck: boolean;
}

/** One place where the hash chain does not verify. */
export interface ChainBreak {
  chainSeq: number;
  syncLogId: string | null;
  kind: 'altered' | 'missing' | 'reordered';
  expectedHash?: string;
  actualHash?: string;
}

/** The result of walking an organization's hash chain. */
export interface ChainVerification {
  ok: boolean;
  checked: number;
  breaks: ChainBreak[];
  head: { chainSeq: number; chainHash: string } | null;
}

/** A sealed row as an evidence export writes it: the spec fields plus its chain position. */
export interface SealedSyncLog extends SyncLog {
  chainSeq: number;
  prevHash: string;
  chainHash: string;
  /** The chain recipe the row was sealed with (`CHAIN_RECIPES` in `@meander/domain`). */
  chainRecipe: number;
}

/**
 * The sync log store: one port, one implementation per dialect. Every write validates through
 * `@meander/domain` inside one transaction and maps constraint violations that slip past (races)
 * to the matching `DomainError`; a driver error never escapes.
 */
export interface SyncLogStore {
  create(input: CreateSyncLogInput, options?: CreateOptions): Promise<CreateResult>;
  /**
   * Queue the scheduled syncs of many organizations (at most 1,000) in one transaction of two
   * statements, whatever their number: each `pending`, counting the organization's approved records
   * of the period. An entry is skipped, not refused, when its slot's sync exists (idempotent per
   * `idempotencyKey`, across nodes too), its organization has an active sync or a success covering
   * the period, or its accounting module is not enabled for that system. Returns the syncs created.
   * Bad input (a field, or one organization twice) is refused before anything is written.
   */
  createScheduled(
    entries: readonly ScheduledSyncInput[],
    options?: { now?: IsoDateTime },
  ): Promise<SyncLog[]>;
  get(id: string): Promise<SyncLog | null>;
  /** Keyset-paginated history, newest `startedAt` first (tenancy: the API forces `organizationId`). */
  list(query: ListSyncLogsInput): Promise<{ items: SyncLog[]; nextCursor: string | null }>;
  getActive(organizationId: string): Promise<SyncLog | null>;
  /**
   * `pending → in_progress` as a conditional update: exactly one caller wins, the others get
   * `INVALID_STATUS_TRANSITION`. The claim takes the organization's next lease epoch and a lease
   * of `leaseSeconds` (default `DEFAULT_LEASE_SECONDS`, 120); read it with {@link SyncLogStore.leaseOf}.
   */
  start(
    id: string,
    options?: { workerId?: string; now?: IsoDateTime; leaseSeconds?: number },
  ): Promise<SyncLog>;
  /** Claim the oldest pending sync the worker runs (`runner = 'worker'`), if any (conditional; safe across processes). */
  claimNextPending(
    workerId: string,
    options?: { now?: IsoDateTime; leaseSeconds?: number },
  ): Promise<SyncLog | null>;
  /** The lease of an `in_progress` sync (its fencing epoch and expiry); null for any other row. */
  leaseOf(id: string): Promise<SyncLease | null>;
  /**
   * Fencing: resolves only while `epoch` still holds the sync's lease at `now` (the row is
   * `in_progress`, carries that epoch, and the lease has not expired); throws `LEASE_LOST` otherwise.
   * The runner awaits it before every ledger write.
   */
  assertLease(id: string, epoch: number, now?: IsoDateTime): Promise<void>;
  /**
   * The holder's heartbeat: moves the lease to `now + leaseSeconds` (and `heartbeat_at` to `now`),
   * only for the same epoch and only before the lease expired; throws `LEASE_LOST` otherwise.
   */
  renewLease(
    id: string,
    epoch: number,
    options?: { now?: IsoDateTime; leaseSeconds?: number },
  ): Promise<SyncLease>;
  /**
   * The latest lease expiry among attempts other than `exceptId` at a period overlapping
   * `[periodStart, periodEnd]` that the reaper failed (`WORKER_LOST`) and whose lease ran past
   * `since`: their holder may still have a write in flight until that expiry plus its request timeout.
   */
  latestFencedLeaseExpiry(
    organizationId: string,
    periodStart: IsoDateTime,
    periodEnd: IsoDateTime,
    exceptId: string,
    since: IsoDateTime,
  ): Promise<IsoDateTime | null>;
  /** Pending syncs the worker runs (`runner = 'worker'`), oldest first: what the distributed queue turns into jobs. */
  listClaimable(limit: number): Promise<SyncLog[]>;
  heartbeat(id: string, options?: { now?: IsoDateTime }): Promise<void>;
  reportProgress(command: ReportProgressCommand): Promise<SyncLog>;
  complete(command: CompleteSyncLogCommand, options?: { now?: IsoDateTime }): Promise<Planned>;
  fail(command: FailSyncLogCommand, options?: { now?: IsoDateTime }): Promise<SyncLog>;
  /** Tombstone + delete in one transaction. */
  delete(command: DeleteSyncLogCommand, actor: DeletionActor): Promise<SyncLogDeletion>;
  /**
   * `in_progress` syncs whose heartbeat (or start, if none yet) is older than `olderThan` AND whose
   * lease expired by `now` (default: the current time): a stale heartbeat alone never makes a sync lost.
   */
  findStale(olderThan: IsoDateTime, options?: { now?: IsoDateTime }): Promise<SyncLog[]>;
  /** The latest `success` sync whose period covers `[periodStart, periodEnd]`, if any. */
  findSuccessCovering(
    organizationId: string,
    periodStart: IsoDateTime,
    periodEnd: IsoDateTime,
  ): Promise<SyncLog | null>;
  /**
   * Whether an attempt other than `exceptId` at a period overlapping `[periodStart, periodEnd]`
   * ended `failed` or `partial` (reaped ones included): it may have posted records already.
   */
  hasUnfinishedAttempt(
    organizationId: string,
    periodStart: IsoDateTime,
    periodEnd: IsoDateTime,
    exceptId: string,
  ): Promise<boolean>;
  resyncPlan(organizationId: string): Promise<ResyncPlanEntry[]>;
  /**
   * Create the reversal of a success or partial sync: a pending manual sync of the same
   * organization, system and period, its payload summary naming the original and the reason.
   * `NOT_FOUND`, `SYNC_NOT_REVERSIBLE`, `SYNC_ALREADY_REVERSED` (also when a racing reversal won),
   * `SYNC_ALREADY_ACTIVE`, `ACCOUNTING_MODULE_DISABLED`.
   */
  createReversal(command: ReverseSyncCommand, options?: { now?: string }): Promise<SyncLog>;
  /** The (first) reversal of a sync, or null when it was never reversed. */
  findReversalOf(syncLogId: string): Promise<SyncLog | null>;
  monitoringOverview(options: {
    organizationId?: string;
    now?: IsoDateTime;
    staleAfterSeconds: number;
  }): Promise<MonitoringEntry[]>;
  listDeletions(organizationId: string): Promise<SyncLogDeletion[]>;
  /** Row counts by status and system (metrics). */
  countByStatus(): Promise<{ status: SyncStatus; accountingSystem: AccountingSystem; count: number }[]>;
  /** Durations (completed − started, seconds) of the most recent finished syncs (metrics). */
  recentDurations(
    limit: number,
  ): Promise<{ accountingSystem: AccountingSystem; status: SyncStatus; seconds: number }[]>;
  /** Walk the organization's chain in pages (bounded memory), recomputing every hash. */
  verifyChain(organizationId: string): Promise<ChainVerification>;
  /** Sealed rows of an organization whose `startedAt` falls in the window, in chain order, streamed in pages. */
  streamSealed(
    organizationId: string,
    from: IsoDateTime,
    to: IsoDateTime,
    options?: { afterSeq?: number },
  ): AsyncIterable<SealedSyncLog[]>;
  /** The sync an idempotency key was used for in an organization, if any. */
  findByIdempotencyKey(organizationId: string, idempotencyKey: string): Promise<SyncLog | null>;
}

/** Organizations and their module configurations. */
export interface OrganizationStore {
  create(input: { id?: string; name: string; timeZone?: string }): Promise<Organization>;
  get(id: string): Promise<Organization | null>;
  list(): Promise<Organization[]>;
  configureAccounting(input: {
    organizationId: string;
    enabled: boolean;
    config: AccountingModuleConfig;
    /** When given, the organization's IANA time zone changes too. */
    timeZone?: string;
  }): Promise<AccountingModuleView>;
  /** Change an organization's IANA time zone (refused with rule `time_zone_known` when unknown). */
  setTimeZone(organizationId: string, timeZone: string): Promise<Organization>;
  getAccountingModule(organizationId: string): Promise<AccountingModuleView | null>;
  /** Enabled accounting modules that carry a schedule (the dispatcher's input). */
  listScheduled(): Promise<AccountingModuleView[]>;
}

/**
 * The expense records: the intake (Meander's expense system hands approved records over), and what a
 * sync sends. "Approved" for an export means approved and not withdrawn; a record goes out with
 * every line (net, VAT, dimensions), its employee and its receipt.
 */
export interface ExpenseRecordStore {
  /**
   * Validate each record on its own through the domain and store the good ones in one transaction:
   * new ids inserted, higher versions replacing theirs; the same id, version and payload counted as
   * `unchanged`; every refusal reported with its rule and nothing written for it.
   * `ORGANIZATION_NOT_FOUND` / `VALIDATION_FAILED` (over 1,000 records) refuse the whole call.
   */
  upsert(
    organizationId: string,
    records: readonly unknown[],
    options?: { now?: IsoDateTime },
  ): Promise<UpsertResult>;
  /** Take approval back before export: never exported afterwards; refused for posted records. */
  withdraw(
    organizationId: string,
    ids: readonly string[],
    options?: { now?: IsoDateTime },
  ): Promise<WithdrawResult>;
  /** One of the organization's records (null when absent or another organization's); `null`: any organization's. */
  get(organizationId: string | null, id: string): Promise<ExpenseRecordView | null>;
  /** The organization's records in (booking date, id) order, filtered by state and booking date. */
  list(query: ListExpenseRecordsQuery): Promise<{ items: ExpenseRecordView[]; nextCursor: string | null }>;
  /** Insert one-line records in any approval state, skipping stored ids (seed, tests, benchmarks). */
  insertMany(records: readonly NewExpenseRecord[]): Promise<number>;
  countApproved(selection: RecordSelection): Promise<number>;
  /** Exportable records of the selection in stable (booking date, id) order, `batchSize` at a time, never all in memory. */
  streamApproved(selection: RecordSelection, batchSize: number): AsyncIterable<ExportRecord[]>;
  /** How many records the sync left posted (of `recordIds` when given). */
  countPostedBy(syncLogId: string, recordIds?: readonly string[]): Promise<number>;
  /**
   * The records the sync left posted (of `recordIds` when given), each with all its lines and marked
   * `reversal: true`: what its reversal posts, `batchSize` at a time in id order.
   */
  streamPostedBy(
    syncLogId: string,
    options: { recordIds?: readonly string[] },
    batchSize: number,
  ): AsyncIterable<ExportRecord[]>;
}

/**
 * The driver underneath, for the few callers that must speak raw SQL: tests proving the database
 * itself refuses bad writes, and benchmarks comparing the store with the bare driver.
 */
export type RawConnection =
  | { dialect: 'sqlite'; connection: BetterSqlite3.Database }
  | { dialect: 'postgres'; sql: postgres.Sql };

/** An open database: the stores of its dialect and the handle's life cycle. */
export interface Database {
  readonly raw: RawConnection;
  readonly dialect: Dialect;
  readonly url: string;
  readonly syncLogs: SyncLogStore;
  readonly organizations: OrganizationStore;
  readonly expenseRecords: ExpenseRecordStore;
  /** The append-only log of signed chain heads (item: signed checkpoints). */
  readonly checkpoints: CheckpointStore;
  /** Postings the ledger accepted but no read-back found, remembered until found or confirmed (issue 22). */
  readonly unverifiedPostings: UnverifiedPostingStore;
  /** Cheap round trip for `/healthz`. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
