import { isTerminalStatus, type SyncStatus } from '../enums.js';
import { DomainError } from '../errors.js';

/**
 * `immutable_on_terminal_status`: once `success`, `partial` or `failed`, no field may change.
 * Throws `RECORD_IMMUTABLE`.
 */
export function assertMutable(current: { id: string; status: SyncStatus }): void {
  if (!isTerminalStatus(current.status)) return;
  throw new DomainError(
    'RECORD_IMMUTABLE',
    `Sync ${current.id} is ${current.status} and can no longer change`,
    [
      {
        rule: 'immutable_on_terminal_status',
        severity: 'error',
        path: ['status'],
        message: `Sync ${current.id} reached the terminal status ${current.status}; it is immutable`,
      },
    ],
  );
}
