import { DomainError } from '@meander/domain';
import { z } from 'zod';
import { procedureFor, router } from '../trpc/init.js';
import { requireOrganizationScope, visibleSyncLog } from './tenancy.js';

export const resyncRouter = router({
  /** Periods whose latest attempt failed or was partial, with the record ids the ledger rejected. */
  plan: procedureFor('resync.plan')
    .input(z.strictObject({ organizationId: z.uuid() }))
    .query(({ ctx, input }) =>
      ctx.db.syncLogs.resyncPlan(requireOrganizationScope(ctx.principal, input.organizationId)),
    ),

  /**
   * Re-sync a failed or partial sync: a NEW manual sync linked to its parent
   * (`payloadSummary.parentSyncId`) for exactly the rejected records — or the whole period when
   * the parent failed outright or its failure list was truncated (the ledger check then keeps
   * records it already holds from being posted twice).
   */
  start: procedureFor('resync.start')
    .input(z.strictObject({ syncLogId: z.uuid() }))
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
      const recordsTotal = await ctx.db.expenseRecords.countApproved(selection);
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
        },
      });
      return { ...syncLog, warnings };
    }),
});
