import { z } from 'zod';
import { type RejectedItem, rejectedItems } from '../rejections/rows.js';
import { procedureFor, router } from '../trpc/init.js';
import { visibleSyncLog } from './tenancy.js';

export const rejectionsRouter = router({
  /**
   * The rejected records of one sync, each with the ledger's own code and reason, the catalogue's
   * category, a message for a person and the fix; joined with the expense it came from.
   * The CSV of the same is `GET /sync-logs/<id>/rejections.csv`.
   */
  list: procedureFor('syncLog.read')
    .input(z.strictObject({ syncLogId: z.uuid() }))
    .query(async ({ ctx, input }) => {
      const log = await visibleSyncLog(ctx, ctx.principal, input.syncLogId);
      const items: RejectedItem[] = [];
      for await (const item of rejectedItems(ctx.db, log)) items.push(item);
      return {
        syncLogId: log.id,
        organizationId: log.organizationId,
        accountingSystem: log.accountingSystem,
        status: log.status,
        recordsFailed: log.recordsFailed,
        /** True when the sync rejected more records than its error details list. */
        truncated: log.errorDetails?.recordFailuresTruncated === true,
        items,
      };
    }),
});
