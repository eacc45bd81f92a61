import type { Database } from '@meander/db';
import type { SyncLog } from '@meander/domain';
import type { Logger } from './logger.js';

/** What waiting out a reaped holder's last write needs (injectable for tests). */
export interface FencedWriteWaitOptions {
  db: Database;
  log: Logger;
  /** The adapters' request timeout: the longest a write sent under a valid lease may still take. */
  requestTimeoutMs: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
}

/**
 * How long a successor must wait before its first read-back: until the reaped holder's lease
 * expiry plus the request timeout, the end of the longest write it may still have in flight (it
 * proved its lease before sending, so it sent nothing after the expiry). Bounded by the timeout,
 * since the holder was reaped only after its lease expired; 0 when nothing is in flight.
 */
function fencedWriteWaitMs(leaseExpiresAt: string | null, nowMs: number, requestTimeoutMs: number): number {
  if (leaseExpiresAt === null) return 0;
  const until = Date.parse(leaseExpiresAt) + requestTimeoutMs;
  return Math.min(requestTimeoutMs, Math.max(0, until - nowMs));
}

/**
 * Before the first read-back of a sync whose period overlaps an attempt the reaper failed
 * recently, wait until that attempt's last possible write has landed (or timed out), so the
 * read-back sees it and nothing is posted twice.
 */
export async function waitOutFencedWrites(options: FencedWriteWaitOptions, sync: SyncLog): Promise<number> {
  const now = options.now ?? Date.now;
  const since = new Date(now() - options.requestTimeoutMs).toISOString();
  const expiry = await options.db.syncLogs.latestFencedLeaseExpiry(
    sync.organizationId,
    sync.periodStart,
    sync.periodEnd,
    sync.id,
    since,
  );
  const waitMs = fencedWriteWaitMs(expiry, now(), options.requestTimeoutMs);
  if (waitMs <= 0) return 0;
  options.log.info(
    { waitMs, reapedLeaseExpiredAt: expiry },
    "waiting out the reaped attempt's last possible write before the first read-back",
  );
  await (options.sleep ?? sleepFor)(waitMs, options.signal);
  return waitMs;
}

function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
