import type { SyncStatus } from '../enums.js';
import { DomainError } from '../errors.js';

/**
 * `one_active_sync_per_organization`: decided from the organization's active sync, if any, that the
 * caller looked up. Throws `SYNC_ALREADY_ACTIVE`. (The database's partial unique index is the last
 * guard against races.)
 */
export function assertNoActiveSync(
  organizationId: string,
  activeSync: { id: string; status: SyncStatus } | null | undefined,
): void {
  if (!activeSync) return;
  throw new DomainError(
    'SYNC_ALREADY_ACTIVE',
    `Organization ${organizationId} already has an active sync (${activeSync.id}, ${activeSync.status})`,
    [
      {
        rule: 'one_active_sync_per_organization',
        severity: 'error',
        path: ['organizationId'],
        message: `Sync ${activeSync.id} is ${activeSync.status}; a new sync waits until it reaches a terminal state`,
      },
    ],
  );
}
