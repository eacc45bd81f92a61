import type { ValidationIssue } from './errors.js';
import type { RejectionCategory } from './rejection-category.js';

/**
 * A posting the ledger accepted but no read-back found afterwards (a Business Central batch that
 * renumbers documents, job-queue posting that outlasted the wait, Xledger items still staged). It
 * may be in the ledger, so it is never sent again until a read-back finds it or an operator
 * confirms it is not there. The rejection catalogue's entry for it is built from this one home.
 */
export const UNVERIFIED_POSTING = {
  code: 'POSTED_NOT_FOUND',
  category: 'configuration',
  message:
    'Meander sent the posting and the ledger accepted it, but reading it back did not find it. It may be in the ledger under another number, or still waiting to be posted; Meander will not send it again on its own.',
  fix: 'Look the record up in the ledger. Business Central: a journal batch with a Posting No. Series renumbers documents and "Post with Job Queue" posts later; search the G/L entries by the record\'s description (it carries the Meander key). Xledger: check the GL import screen. If it is there, re-sync: Meander finds it and marks it synced. If it is not, start a re-sync with "confirm not posted" (CLI: `meander-sync resync run <syncLogId> --confirm-unposted`) to post it once.',
} as const satisfies { code: string; category: RejectionCategory; message: string; fix: string };

/** How an unverified posting was settled: a read-back `found` it, or an operator `confirmed_unposted`. */
export const UNVERIFIED_RESOLUTIONS = ['found', 'confirmed_unposted'] as const;
/** How an unverified posting was settled. */
export type UnverifiedResolution = (typeof UNVERIFIED_RESOLUTIONS)[number];

/** What a batch does with the records that have an open unverified posting. */
export interface UnverifiedBatchPlan {
  /** Read back only, never sent: the adapter's `neverSend`. */
  neverSend: ReadonlySet<string>;
  /** Confirmed by the operator as not in the ledger: settle them `confirmed_unposted`, then send them. */
  confirm: string[];
}

/**
 * Decide, for one batch, which records with an open unverified posting stay read-back only and
 * which the operator's confirmation (`payloadSummary.confirmedUnposted` of a re-sync) releases.
 * Without a confirmation every such record is never sent; with one, every such record of the
 * batch is released (the re-sync names exactly the records the operator confirmed).
 */
export function planUnverifiedBatch(input: {
  openRecordIds: Iterable<string>;
  confirmedUnposted: boolean;
}): UnverifiedBatchPlan {
  const open = [...new Set(input.openRecordIds)];
  if (input.confirmedUnposted) return { neverSend: new Set(), confirm: open };
  return { neverSend: new Set(open), confirm: [] };
}

/** A batch outcome as {@link settleUnverifiedBatch} needs it (the adapter port's shape, narrowed). */
export interface UnverifiedBatchOutcome {
  accepted: readonly { recordId: string }[];
  rejected: readonly {
    recordId: string;
    unverified?: boolean | undefined;
    /** The read-back found the record's earlier write in the ledger, refused (e.g. Xledger items staged with errors). */
    foundInLedger?: boolean | undefined;
  }[];
}

/**
 * What a batch's outcome changes in the unverified postings: records rejected `unverified` are
 * recorded (or seen again), and records that were read back only and came back accepted — or
 * rejected `foundInLedger` (the read-back found their write, refused) — were found in the ledger:
 * their fate is known, so a later attempt may act on it (e.g. import once after the refused items
 * were deleted). A read-back-only record the adapter rejected otherwise stays open.
 */
export function settleUnverifiedBatch(
  outcome: UnverifiedBatchOutcome,
  neverSend: ReadonlySet<string>,
): { unverified: string[]; found: string[] } {
  return {
    unverified: outcome.rejected.filter((r) => r.unverified === true).map((r) => r.recordId),
    found: [
      ...outcome.accepted.filter((a) => neverSend.has(a.recordId)),
      ...outcome.rejected.filter((r) => r.foundInLedger === true && neverSend.has(r.recordId)),
    ].map((r) => r.recordId),
  };
}

/**
 * `confirm_unposted_needs_unverified`: an operator's confirmation on a re-sync must have something
 * to confirm, so a mistaken flag on a sync without unverified postings is refused, not ignored.
 */
export function checkConfirmUnposted(input: {
  confirmUnposted: boolean;
  openUnverified: number;
}): ValidationIssue[] {
  if (!input.confirmUnposted || input.openUnverified > 0) return [];
  return [
    {
      rule: 'confirm_unposted_needs_unverified',
      severity: 'error',
      path: ['confirmUnposted'],
      message: `The sync left no unverified postings (${UNVERIFIED_POSTING.code}) open: there is nothing to confirm`,
    },
  ];
}
