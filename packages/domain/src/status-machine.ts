import type { SyncStatus } from './enums.js';

/**
 * The only moves a sync can make. `pending → failed` covers a sync cancelled or rejected before
 * it ran; nothing leaves a terminal state.
 */
const STATUS_TRANSITIONS: Readonly<Record<SyncStatus, readonly SyncStatus[]>> = {
  pending: ['in_progress', 'failed'],
  in_progress: ['success', 'partial', 'failed'],
  success: [],
  partial: [],
  failed: [],
};

/** True when the status machine allows `from → to`. */
export function canTransition(from: SyncStatus, to: SyncStatus): boolean {
  return STATUS_TRANSITIONS[from].includes(to);
}

/** Statuses reachable in one step from `from`. */
export function nextStatuses(from: SyncStatus): readonly SyncStatus[] {
  return STATUS_TRANSITIONS[from];
}
