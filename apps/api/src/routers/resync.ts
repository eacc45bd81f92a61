import type { Database, ResyncPlanEntry } from '@meander/db';
import { checkConfirmUnposted, DomainError, type SyncLog, UNVERIFIED_POSTING } from '@meander/domain';
import { z } from 'zod';
import { procedureFor, router } from '../trpc/init.js';
import { requireOrganizationScope, visibleSyncLog } from './tenancy.js';

/** The records of a sync's period that were posted but never found, and what to do about them. */
interface UnverifiedInPlan {
  /** Still open: a re-sync reads them back only, unless started with `confirmUnposted: true`. */
  recordIds: string[];
  code: string;
  message: string;
  fix: string;
}

/**
 * The open unverified postings a sync left: those among its failures and those it reported (a
 * failed sync's failure list may not name them).
 */
async function openUnverifiedOf(
  db: Database,
  sync: Pick<SyncLog, 'id' | 'organizationId'> & { failedRecordIds: readonly string[] },
): Promise<string[]> {
  const [listed, reported] = await Promise.all([
    db.unverifiedPostings.listOpen(sync.organizationId, sync.failedRecordIds),
    db.unverifiedPostings.listOpenReportedBy(sync.organizationId, sync.id),
  ]);
  return [...new Set([...listed, ...reported].map((p) => p.recordId))].sort();
}

async function withUnverified(
  db: Database,
  entry: ResyncPlanEntry,
): Promise<ResyncPlanEntry & { unverified: UnverifiedInPlan | null }> {
  const recordIds = await openUnverifiedOf(db, { ...entry, id: entry.latestSyncLogId });
  if (recordIds.length === 0) return { ...entry, unverified: null };
  const { code, message, fix } = UNVERIFIED_POSTING;
  return { ...entry, unverified: { recordIds, code, message, fix } };
}

export const resyncRouter = router({
  /**
   * Periods whose latest attempt failed or was partial, with the record ids the ledger rejected,
   * and apart from them (`unverified`) the records posted but never found, with the fix.
   */
  plan: procedureFor('resync.plan')
    .input(z.strictObject({ organizationId: z.uuid() }))
    .query(async ({ ctx, input }) => {
      const plan = await ctx.db.syncLogs.resyncPlan(
        requireOrganizationScope(ctx.principal, input.organizationId),
      );
      return Promise.all(plan.map((entry) => withUnverified(ctx.db, entry)));
    }),

  /**
   * Re-sync a failed or partial sync: a NEW manual sync linked to its parent
   * (`payloadSummary.parentSyncId`) for exactly the rejected records — or the whole period when
   * the parent failed outright or its failure list was truncated (the ledger check then keeps
   * records it already holds from being posted twice). Records posted but never found stay read
   * back only, unless `confirmUnposted: true`: the caller confirms they are not in the ledger, the
   * re-sync records it (`payloadSummary.confirmedUnposted`, by its `triggeredBy`) and sends them once.
   */
  start: procedureFor('resync.start')
    .input(z.strictObject({ syncLogId: z.uuid(), confirmUnposted: z.boolean().optional() }))
    .mutation(async ({ ctx, input }) => {
      const parent = await visibleSyncLog(ctx, ctx.principal, input.syncLogId);
      if (parent.status !== 'failed' && parent.status !== 'partial') {
        throw new DomainError(
          'VALIDATION_FAILED',
          `Only failed or partial syncs can be re-synced; ${parent.id} is ${parent.status}`,
          [
            {
              rule: 'schema',
              severity: 'error',
              path: ['syncLogId'],
              message: `The sync is ${parent.status}`,
            },
          ],
        );
      }
      const failures = parent.errorDetails?.recordFailures ?? [];
      const recordIds = [...new Set(failures.map((f) => f.recordId))];
      const confirmUnposted = input.confirmUnposted === true;
      if (confirmUnposted) {
        const open = await openUnverifiedOf(ctx.db, { ...parent, failedRecordIds: recordIds });
        const issues = checkConfirmUnposted({ confirmUnposted, openUnverified: open.length });
        if (issues.length > 0)
          throw new DomainError('VALIDATION_FAILED', issues[0]?.message ?? 'Nothing to confirm', issues);
      }
      const wholePeriod =
        parent.status === 'failed' ||
        recordIds.length === 0 ||
        parent.errorDetails?.recordFailuresTruncated === true;
      const selection = {
        organizationId: parent.organizationId,
        periodStart: parent.periodStart,
        periodEnd: parent.periodEnd,
        ...(wholePeriod ? {} : { recordIds }),
      };
      // A reversal's re-sync is a reversal too: it reverses what the original still has posted.
      const reversal = parent.payloadSummary?.reversal;
      const recordsTotal = reversal
        ? await ctx.db.expenseRecords.countPostedBy(reversal.of, wholePeriod ? undefined : recordIds)
        : await ctx.db.expenseRecords.countApproved(selection);
      const { syncLog, warnings } = await ctx.db.syncLogs.create({
        organizationId: parent.organizationId,
        accountingSystem: parent.accountingSystem,
        syncType: 'manual',
        triggeredBy: ctx.principal.userId,
        periodStart: parent.periodStart,
        periodEnd: parent.periodEnd,
        recordsTotal,
        payloadSummary: {
          formatVersion: '1',
          parentSyncId: parent.id,
          ...(wholePeriod ? {} : { recordIds }),
          ...(confirmUnposted ? { confirmedUnposted: true as const } : {}),
          ...(reversal ? { reversal } : {}),
        },
      });
      return { ...syncLog, warnings };
    }),
});
