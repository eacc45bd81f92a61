import { DomainError, type IsoDateTime, type SyncStatus } from '@meander/domain';
import { rowOf } from './rows.js';
import { toIsoOrNull } from './sync-log-row.js';

/**
 * The lease a claimer holds on a sync attempt. `epoch` is the fencing token: it grows with every
 * claim in the organization, so a successor's is always higher; `expiresAt` moves forward with
 * each renewal and never after it passed.
 */
export interface SyncLease {
  syncLogId: string;
  epoch: number;
  expiresAt: IsoDateTime;
}

/** How long a claim or a renewal holds the lease unless told otherwise (the default `SYNC_STALE_AFTER_SECONDS`). */
export const DEFAULT_LEASE_SECONDS = 120;

/** The lease columns of a row as either driver returns them. */
export interface LeaseRow {
  status: SyncStatus;
  lease_epoch: number | string | null;
  lease_expires_at: string | Date | null;
}

export const leaseRow = rowOf<LeaseRow>('lease', {
  status: 'text',
  lease_epoch: 'number?',
  lease_expires_at: 'time?',
});

/** `now` plus the lease, as the canonical ISO text both dialects store. */
export function leaseUntil(now: IsoDateTime, leaseSeconds: number): IsoDateTime {
  if (!Number.isFinite(leaseSeconds) || leaseSeconds <= 0)
    throw new RangeError(`leaseSeconds must be a positive number, got ${leaseSeconds}`);
  return new Date(Date.parse(now) + leaseSeconds * 1000).toISOString();
}

/**
 * Why `epoch` does not hold the row's lease at `now`, or null when it does: the row must still be
 * `in_progress`, carry the same epoch, and its lease must not have expired.
 */
export function leaseProblem(row: LeaseRow | undefined, epoch: number, now: IsoDateTime): string | null {
  if (!row) return 'the sync log no longer exists';
  if (row.status !== 'in_progress') return `the sync is ${row.status}`;
  const held = row.lease_epoch === null ? null : Number(row.lease_epoch);
  if (held !== epoch) return `epoch ${epoch} was superseded by epoch ${held ?? 'none'}`;
  const expiresAt = toIsoOrNull(row.lease_expires_at);
  if (expiresAt === null || expiresAt <= now) return `the lease expired at ${expiresAt ?? 'an unknown time'}`;
  return null;
}

/** The typed error of a runner that no longer owns its attempt. */
export function leaseLost(syncLogId: string, epoch: number, why: string): DomainError {
  return new DomainError(
    'LEASE_LOST',
    `Sync ${syncLogId} is no longer held by epoch ${epoch}: ${why}; nothing more may be written to the ledger for it`,
  );
}
