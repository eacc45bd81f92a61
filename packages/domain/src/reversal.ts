import { z } from 'zod';
import type { CreateSyncLogInput } from './commands.js';
import { displayTextSchema } from './display-text.js';
import { DomainError } from './errors.js';
import {
  CURRENT_EXPORT_FORMAT_VERSION,
  REVERSAL_REASON_MAX,
  type ReversalSummary,
} from './payload-summary.js';
import type { SyncLog } from './sync-log.js';

/**
 * `syncs.reverse`'s input: the sync to reverse and the operator's reason (1–500 characters of
 * display text, NFC-normalised and trimmed; controls, bidi overrides and invisible-only text refused).
 */
export const reverseSyncInputSchema = z.strictObject({
  syncLogId: z.uuid(),
  reason: displayTextSchema(1, REVERSAL_REASON_MAX),
});

/** What a sync's payload summary says it reverses, or undefined when it is no reversal. */
export function reversalOf(log: Pick<SyncLog, 'payloadSummary'>): ReversalSummary | undefined {
  return log.payloadSummary?.reversal;
}

/** Whether the sync is a reversal (the first one, or a re-sync of one). */
export function isReversal(log: Pick<SyncLog, 'payloadSummary'>): boolean {
  return reversalOf(log) !== undefined;
}

/**
 * `reversal_of_posted_sync` and `one_reversal_per_sync`: a sync can be reversed when it ended
 * `success` or `partial` (only those marked records posted), is not itself a reversal (a reversal is
 * undone by exporting the records again), and no reversal of it exists (`existingReversalId`).
 * Throws `SYNC_NOT_REVERSIBLE` or `SYNC_ALREADY_REVERSED`, naming the rule and `syncLogId`.
 */
export function assertReversible(
  original: Pick<SyncLog, 'id' | 'status' | 'payloadSummary'>,
  existingReversalId: string | null,
): void {
  if (original.status !== 'success' && original.status !== 'partial') {
    throw new DomainError(
      'SYNC_NOT_REVERSIBLE',
      `Only a success or partial sync can be reversed; ${original.id} is ${original.status}`,
      [
        {
          rule: 'reversal_of_posted_sync',
          severity: 'error',
          path: ['syncLogId'],
          message: `The sync is ${original.status}: it posted nothing a reversal could undo`,
        },
      ],
    );
  }
  const reverses = reversalOf(original);
  if (reverses) {
    throw new DomainError(
      'SYNC_NOT_REVERSIBLE',
      `Sync ${original.id} is itself a reversal (of ${reverses.of}); export the records again instead`,
      [
        {
          rule: 'reversal_of_posted_sync',
          severity: 'error',
          path: ['syncLogId'],
          message: 'A reversal cannot be reversed',
        },
      ],
    );
  }
  if (existingReversalId !== null) {
    throw new DomainError(
      'SYNC_ALREADY_REVERSED',
      `Sync ${original.id} was already reversed by sync ${existingReversalId}`,
      [
        {
          rule: 'one_reversal_per_sync',
          severity: 'error',
          path: ['syncLogId'],
          message: `Already reversed by ${existingReversalId}; re-sync that reversal if it did not finish`,
        },
      ],
    );
  }
}

/**
 * The reversal sync to create for `original`: manual, triggered by `triggeredBy`, for the same
 * organization, system and period, its payload summary naming what it reverses and why.
 * `recordsTotal` is what the original left posted.
 */
export function planReversalInput(
  original: Pick<SyncLog, 'id' | 'organizationId' | 'accountingSystem' | 'periodStart' | 'periodEnd'>,
  reversal: { reason: string; triggeredBy: string | null; recordsTotal: number },
): CreateSyncLogInput {
  return {
    organizationId: original.organizationId,
    accountingSystem: original.accountingSystem,
    syncType: 'manual',
    triggeredBy: reversal.triggeredBy,
    periodStart: original.periodStart,
    periodEnd: original.periodEnd,
    recordsTotal: reversal.recordsTotal,
    payloadSummary: {
      formatVersion: CURRENT_EXPORT_FORMAT_VERSION,
      reversal: { of: original.id, reason: reversal.reason },
    },
  };
}
