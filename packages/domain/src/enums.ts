import { z } from 'zod';

/** Accounting platforms a sync can target. */
export const ACCOUNTING_SYSTEMS = ['xledger', 'dynamics'] as const;
/** Target accounting platform of a sync. */
export type AccountingSystem = (typeof ACCOUNTING_SYSTEMS)[number];
/** zod schema for {@link AccountingSystem}. */
export const accountingSystemSchema = z.enum(ACCOUNTING_SYSTEMS);

/** What triggered a sync: the scheduler, an admin's manual export, or an API push. */
export const SYNC_TYPES = ['scheduled', 'manual', 'api'] as const;
/** zod schema for what triggered a sync (one of {@link SYNC_TYPES}). */
export const syncTypeSchema = z.enum(SYNC_TYPES);
/** What triggered a sync (one of {@link SYNC_TYPES}). */
export type SyncType = (typeof SYNC_TYPES)[number];

/** Lifecycle states of a sync attempt, in lifecycle order. */
export const SYNC_STATUSES = ['pending', 'in_progress', 'success', 'partial', 'failed'] as const;
/** Lifecycle state of a sync attempt. */
export type SyncStatus = (typeof SYNC_STATUSES)[number];
/** zod schema for {@link SyncStatus}. */
export const syncStatusSchema = z.enum(SYNC_STATUSES);

/** States that block a new sync for the organization (`one_active_sync_per_organization`). */
export const ACTIVE_STATUSES = ['pending', 'in_progress'] as const satisfies readonly SyncStatus[];

/** States after which a record is immutable (`immutable_on_terminal_status`). */
export const TERMINAL_STATUSES = ['success', 'partial', 'failed'] as const satisfies readonly SyncStatus[];
/** A state after which a record never changes again. */
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

/** Normalized error categories shared by every adapter, whatever the provider's own codes. */
const ERROR_CATEGORIES = [
  'validation',
  'auth',
  'rate_limit',
  'unavailable',
  'configuration',
  'unknown',
] as const;
/** Normalized error category. */
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];
/** zod schema for {@link ErrorCategory}. */
export const errorCategorySchema = z.enum(ERROR_CATEGORIES);

/** The legal grounds on which a global admin may delete a sync log. */
export const DELETION_LEGAL_BASES = ['compliance', 'data_subject_request'] as const;
/** zod schema for the legal ground of a deletion (one of {@link DELETION_LEGAL_BASES}). */
export const deletionLegalBasisSchema = z.enum(DELETION_LEGAL_BASES);

/** Name of the organization module that must be enabled before any sync is recorded. */
export const ACCOUNTING_MODULE = 'admin-accounting';

/** True when `status` is terminal (`success`, `partial`, `failed`). */
export function isTerminalStatus(status: SyncStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly SyncStatus[]).includes(status);
}
