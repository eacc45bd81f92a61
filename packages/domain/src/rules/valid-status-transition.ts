import type { SyncStatus } from '../enums.js';
import type { ValidationIssue } from '../errors.js';
import { canTransition } from '../status-machine.js';

/** `valid_status_transition`: the move must be one the status machine allows. */
export function checkValidStatusTransition(from: SyncStatus, to: SyncStatus): ValidationIssue[] {
  if (canTransition(from, to)) return [];
  return [
    {
      rule: 'valid_status_transition',
      severity: 'error',
      path: ['status'],
      message: `A sync cannot move from ${from} to ${to}`,
    },
  ];
}
