import { GENESIS_HASH } from '../store/hash-chain.js';
import type { Database, DeletionActor, SyncLogStore } from '../store/port.js';
import { withStoreOverrides } from '../store/with-store-overrides.js';
import type { SignedCheckpoint, SigningState } from './port.js';
import type { CheckpointSigner } from './signing.js';

/** Where a checkpointer reports what it could not do (a pino-like logger fits). */
export interface CheckpointLogger {
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}

/**
 * The chain no longer extends the last checkpoint: someone changed or removed sealed rows. The
 * checkpointer refuses to sign such a head, so tampering is never blessed by a newer signature.
 */
export class CheckpointConflictError extends Error {
  override readonly name = 'CheckpointConflictError';
  readonly code = 'CHECKPOINT_CONFLICT';
  constructor(
    readonly organizationId: string,
    readonly reason: string,
  ) {
    super(`Refusing to sign organization ${organizationId}'s chain head: ${reason}`);
  }
}

/** How many organizations' last signed counts a checkpointer keeps to carry forward. */
const CARRIED_COUNTS = 1_024;

/** Below this many signing windows none is swept. */
const WINDOW_SWEEP_FLOOR = 1_024;

/**
 * How far a chain head may run ahead of its signature. A seal is signed before its call returns
 * unless this process signed the same organization less than `intervalMs` ago; then the seals of
 * that window are signed together when it ends, or at once when `seals` of them are waiting. An
 * organization sealing once in a while (every worker sync) is signed on every seal; one sealing
 * hundreds of times a second (an external runner's loop) pays one signature a window, not one a
 * seal. `audit.verify` reports the links sealed after the newest checkpoint (`unsignedLinks`).
 */
export interface SigningBound {
  intervalMs: number;
  seals: number;
}

/** The product's bound: signed at most 250 ms or 100 seals after the seal (`AUDIT_CHECKPOINT_INTERVAL_MS`). */
export const DEFAULT_SIGNING_BOUND: SigningBound = { intervalMs: 250, seals: 100 };

/** The bound for `AUDIT_CHECKPOINT_INTERVAL_MS`: 0 signs after every seal. */
export function signingBoundOf(intervalMs: number): SigningBound | undefined {
  return intervalMs > 0 ? { intervalMs, seals: DEFAULT_SIGNING_BOUND.seals } : undefined;
}

/** The state of an organization signed less than a window ago. */
interface SigningWindow {
  signedAt: number;
  waiting: number;
  timer: NodeJS.Timeout | null;
}

/**
 * Signs each organization's chain head after its seals, in the process that sealed (API or
 * worker), and appends it to the checkpoint log: after every seal, or within the
 * {@link SigningBound} when one is given. A head is signed only when it extends the previous
 * checkpoint (the previous head is still in the chain with the same hash). Signing failures (the
 * database briefly unreachable) are retried on a timer, so the delay between a seal and its
 * checkpoint stays bounded by `retryMs`.
 */
export class Checkpointer {
  private readonly inFlight = new Map<string, Promise<SignedCheckpoint>>();
  private readonly retry = new Set<string>();
  /**
   * The checkpoint this process last signed per organization: a count it can carry forward. The
   * most recently signed {@link CARRIED_COUNTS} only: a worker serves every organization, and kept
   * for all of them its memory grew with the organizations it ever synced. A forgotten one only
   * means its next checkpoint counts the whole chain, as one signed elsewhere does.
   */
  private readonly signedHere = new Map<string, SignedCheckpoint>();
  private timer: NodeJS.Timeout | null = null;
  /** Organizations signed less than a window ago (only with a {@link SigningBound}). */
  private readonly windows = new Map<string, SigningWindow>();
  /** The number of windows at which ended ones are next swept (see {@link Checkpointer.openWindow}). */
  private sweepWindowsAt = WINDOW_SWEEP_FLOOR;

  constructor(
    private readonly db: Pick<Database, 'checkpoints'>,
    readonly signer: CheckpointSigner,
    private readonly options: {
      logger?: CheckpointLogger;
      retryMs?: number;
      now?: () => Date;
      /** How many organizations' signed counts to carry forward (default {@link CARRIED_COUNTS}). */
      carriedCounts?: number;
      /** Sign within this bound instead of after every seal (see {@link SigningBound}). */
      bound?: SigningBound;
      /** Milliseconds of a monotonic clock (tests drive it; default `performance.now`). */
      clock?: () => number;
    } = {},
  ) {}

  /** Sign the current head unless the latest checkpoint already covers it; returns the latest checkpoint. */
  checkpoint(organizationId: string): Promise<SignedCheckpoint> {
    // One signing at a time per organization in this process; other processes are settled by the
    // checkpoint log's primary key (organization, seq, key).
    const previous = this.inFlight.get(organizationId) ?? Promise.resolve(null);
    const next = previous
      .catch(() => null)
      .then(() => this.signHead(organizationId))
      .finally(() => {
        if (this.inFlight.get(organizationId) === next) this.inFlight.delete(organizationId);
      });
    this.inFlight.set(organizationId, next);
    return next;
  }

  private async signHead(organizationId: string): Promise<SignedCheckpoint> {
    const store = this.db.checkpoints;
    // One read gives the latest checkpoint, the head, the checkpointed link's hash now and the
    // links after it, all from one snapshot: another process's newer checkpoint can never look
    // "ahead" of the head read with it.
    const state = await store.signingState(organizationId);
    const { latest } = state;
    const head = state.head ?? { seq: 0, hash: GENESIS_HASH };
    if (
      latest &&
      latest.seq === head.seq &&
      latest.hash === head.hash &&
      latest.keyId === this.signer.keyId
    ) {
      return latest;
    }
    if (latest) {
      if (head.seq < latest.seq) {
        throw new CheckpointConflictError(
          organizationId,
          `the chain ends at #${head.seq} but checkpoint #${latest.seq} was signed`,
        );
      }
      const hashThen = latest.seq === 0 ? GENESIS_HASH : state.hashThen;
      if (hashThen !== latest.hash) {
        throw new CheckpointConflictError(
          organizationId,
          `link #${latest.seq} no longer has the checkpointed hash`,
        );
      }
    }
    const signed = this.signer.sign({
      organizationId,
      seq: head.seq,
      hash: head.hash,
      count: await this.linkCount(organizationId, head.seq, state),
      at: (this.options.now?.() ?? new Date()).toISOString(),
    });
    // Appended: ours is the checkpoint to carry (a later one another process appends meanwhile
    // shows at the next signing as a latest that is not ours, and the chain is counted again).
    // Not appended: another process signed this head first; theirs is the one stored.
    const stored = (await store.append(signed)) ? signed : ((await store.latest(organizationId)) ?? signed);
    this.signedHere.delete(organizationId);
    if (sameCheckpoint(stored, signed)) {
      // Re-inserted, so the map's order is the order of signing: the first key is the stalest.
      this.signedHere.set(organizationId, signed);
      if (this.signedHere.size > (this.options.carriedCounts ?? CARRIED_COUNTS)) {
        const stalest = this.signedHere.keys().next().value;
        if (stalest !== undefined) this.signedHere.delete(stalest);
      }
    }
    return stored;
  }

  /**
   * Links up to the head. Counting every link per seal grew with the chain (a long-lived
   * organization's thousands of seals, counted again for each new one). When the latest
   * checkpoint is the one this process signed, its count is one we computed: carry it forward and
   * add the links after it. A link removed below it then shows as a count mismatch on
   * verification, never re-signed. Any other latest checkpoint (another process's, another key's,
   * a row we did not write) is not taken on trust: the whole chain is counted.
   */
  private async linkCount(organizationId: string, headSeq: number, state: SigningState): Promise<number> {
    if (headSeq === 0) return 0;
    const { latest } = state;
    // Without a checkpoint, the links after "none" are the whole chain.
    if (!latest) return state.linksAfter;
    const carried = this.signedHere.get(organizationId);
    if (carried && sameCheckpoint(carried, latest)) return carried.count + state.linksAfter;
    return this.db.checkpoints.countLinks(organizationId, headSeq);
  }

  /** Organizations whose last signed count this process still carries (bounded by {@link CARRIED_COUNTS}). */
  get carriedCounts(): number {
    return this.signedHere.size;
  }

  /**
   * After a seal: sign now, or within the {@link SigningBound}; on failure log it and retry later
   * (never fails the seal itself).
   */
  async afterSeal(organizationId: string): Promise<void> {
    const bound = this.options.bound;
    if (!bound || bound.intervalMs <= 0) return this.signNow(organizationId);
    const now = this.clock();
    const window = this.windows.get(organizationId);
    // Outside a window (none, or it ended), or the window's seal budget spent: sign now and
    // open the next window; otherwise the seal waits for its window's end.
    const signNow = !window || now - window.signedAt >= bound.intervalMs || window.waiting + 1 >= bound.seals;
    if (signNow) {
      if (window?.timer) clearTimeout(window.timer);
      this.openWindow(organizationId, now);
      return this.signNow(organizationId);
    }
    window.waiting += 1;
    window.timer ??= setTimeout(
      () => this.closeWindow(organizationId),
      window.signedAt + bound.intervalMs - now,
    ).unref();
  }

  /** Seals waiting for their window to end, all organizations (0 without a bound). */
  get waitingSeals(): number {
    let n = 0;
    for (const window of this.windows.values()) n += window.waiting;
    return n;
  }

  /** Sign every head whose seals wait for their window now (a graceful shutdown, {@link close}). */
  async flush(): Promise<void> {
    const due = [...this.windows].filter(([, w]) => w.waiting > 0).map(([id]) => id);
    for (const [, window] of this.windows) if (window.timer) clearTimeout(window.timer);
    this.windows.clear();
    await Promise.all(due.map((id) => this.signNow(id)));
  }

  private clock(): number {
    return this.options.clock?.() ?? performance.now();
  }

  private openWindow(organizationId: string, now: number): void {
    // Forget windows that ended (the map holds the organizations signed within the last window),
    // when the map has doubled since the last sweep: a sweep per new window rescanned every live
    // one once a burst kept more than the floor open.
    const bound = this.options.bound;
    if (bound && this.windows.size >= this.sweepWindowsAt) {
      for (const [id, w] of this.windows)
        if (w.waiting === 0 && now - w.signedAt >= bound.intervalMs) this.windows.delete(id);
      this.sweepWindowsAt = Math.max(WINDOW_SWEEP_FLOOR, 2 * this.windows.size);
    }
    this.windows.delete(organizationId);
    this.windows.set(organizationId, { signedAt: now, waiting: 0, timer: null });
  }

  private closeWindow(organizationId: string): void {
    const window = this.windows.get(organizationId);
    if (!window) return;
    window.timer = null;
    if (window.waiting === 0) {
      this.windows.delete(organizationId);
      return;
    }
    this.openWindow(organizationId, this.clock());
    void this.signNow(organizationId);
  }

  private async signNow(organizationId: string): Promise<void> {
    try {
      await this.checkpoint(organizationId);
      this.retry.delete(organizationId);
    } catch (error) {
      if (error instanceof CheckpointConflictError) {
        this.options.logger?.error({ organizationId, reason: error.reason }, 'chain checkpoint refused');
        return;
      }
      this.options.logger?.warn({ organizationId, err: String(error) }, 'chain checkpoint deferred');
      this.retry.add(organizationId);
      this.scheduleRetry();
    }
  }

  /** Sign every organization's head (on start: seals made while no signer ran get covered). */
  async catchUp(): Promise<void> {
    for (const organizationId of await this.db.checkpoints.organizationsWithChains()) {
      await this.signNow(organizationId);
    }
  }

  private scheduleRetry(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const due = [...this.retry];
      this.retry.clear();
      void Promise.all(due.map((id) => this.signNow(id)));
    }, this.options.retryMs ?? 5_000);
    this.timer.unref();
  }

  /** Stop retrying and stop the windows' timers (shutdown; {@link close} signs what waits first). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const window of this.windows.values()) if (window.timer) clearTimeout(window.timer);
    this.windows.clear();
  }

  /** Sign the seals still waiting for their window, then stop (a graceful shutdown). */
  async close(): Promise<void> {
    await this.flush();
    this.stop();
  }
}

/**
 * The same database, whose `syncLogs.complete`, `fail` and `delete` sign the organization's new
 * chain head (within the checkpointer's bound) before they return.
 */
export function withCheckpoints<D extends Database>(db: D, checkpointer: Checkpointer): D {
  return withStoreOverrides(db, 'syncLogs', (store) => ({
    async complete(...args: Parameters<SyncLogStore['complete']>) {
      const planned = await store.complete(...args);
      await checkpointer.afterSeal(planned.syncLog.organizationId);
      return planned;
    },
    async fail(...args: Parameters<SyncLogStore['fail']>) {
      const failed = await store.fail(...args);
      await checkpointer.afterSeal(failed.organizationId);
      return failed;
    },
    // Deletions are signed with the checkpoint key inside their transaction, and the chain head
    // is signed again after: a tombstone the database owner writes has no signature.
    async delete(command: Parameters<SyncLogStore['delete']>[0], actor: DeletionActor) {
      const deletion = await store.delete(command, {
        ...actor,
        sign: (facts) => checkpointer.signer.signDeletion(facts),
      });
      await checkpointer.afterSeal(deletion.organizationId);
      return deletion;
    },
  }));
}

/** The same signed checkpoint: every field its signature covers, and the signature itself. */
function sameCheckpoint(a: SignedCheckpoint, b: SignedCheckpoint): boolean {
  return (
    a.organizationId === b.organizationId &&
    a.seq === b.seq &&
    a.hash === b.hash &&
    a.count === b.count &&
    a.at === b.at &&
    a.keyId === b.keyId &&
    a.signature === b.signature
  );
}
