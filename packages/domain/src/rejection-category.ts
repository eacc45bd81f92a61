import { z } from 'zod';
import type { ErrorCategory } from './enums.js';

/**
 * What a person must do about a rejection, as the rejection catalogue classifies it. Finer than
 * {@link ErrorCategory} (which says how the transport failed): it says who fixes what.
 */
export const REJECTION_CATEGORIES = [
  'mapping',
  'master_data',
  'period_locked',
  'auth',
  'transient',
  'validation',
  'duplicate',
  'configuration',
  'unclassified',
] as const;
/** A rejection catalogue category. */
export type RejectionCategory = (typeof REJECTION_CATEGORIES)[number];
/** zod schema for {@link RejectionCategory}. */
export const rejectionCategorySchema = z.enum(REJECTION_CATEGORIES);

/**
 * Categories only a person can clear (a credential, a setting, an account or a period in the
 * ledger): an integration whose latest failure is one of these is `action_required`.
 */
export const ACTION_REQUIRED_CATEGORIES = [
  'auth',
  'configuration',
  'master_data',
  'mapping',
  'period_locked',
] as const satisfies readonly RejectionCategory[];

/** The catalogue category an older record without a catalogue code falls back to. */
export function rejectionCategoryOf(category: ErrorCategory): RejectionCategory {
  switch (category) {
    case 'validation':
      return 'validation';
    case 'auth':
      return 'auth';
    case 'rate_limit':
    case 'unavailable':
      return 'transient';
    case 'configuration':
      return 'configuration';
    case 'unknown':
      return 'unclassified';
    default: {
      const never: never = category;
      return never;
    }
  }
}
