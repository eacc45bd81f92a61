import { syncRunnerOf } from '@meander/db';
import {
  assertPeriodSpanBounded,
  completeSyncLogCommandSchema,
  createSyncLogCommandSchema,
  DomainError,
  deleteSyncLogCommandSchema,
  failSyncLogCommandSchema,
  listSyncLogsQuerySchema,
  reportProgressCommandSchema,
  startSyncLogCommandSchema,
  validatingOnce,
} from '@meander/domain';
import { z } from 'zod';
import type { Context } from '../trpc/context.js';
import { procedureFor, router } from '../trpc/init.js';
import { scopeOrganization, visibleSyncLog } from './tenancy.js';

/**
 * Runner separation: start/reportProgress/complete/fail through the API are for rows an external
 * runner recorded (`syncLogs.create`). A row Meander's worker runs is reported by the worker only,
 * so a service token cannot seal it `success` with nothing posted. A row's runner never changes, so
 * one this process knows to be external (`ctx.externalRuns`) is not read again.
 */
async function requireExternalRunner(ctx: Pick<Context, 'db' | 'externalRuns'>, id: string): Promise<void> {
  if (ctx.externalRuns?.has(id)) return;
  const runner = await syncRunnerOf(ctx.db, id);
  if (runner === 'worker') {
    throw new DomainError(
      'FORBIDDEN',
      `Sync ${id} is run by Meander's worker; only runners outside Meander report their own syncs (recorded with syncLogs.create)`,
    );
  }
  if (runner === 'external') ctx.externalRuns?.remember(id);
}

/**
 * The commands the store parses are validated here, once: `validatingOnce` marks the parsed command
 * so the store accepts it without running the same schema again (a schema error still surfaces here,
 * before any check or query, exactly as before).
 */
export const syncLogsRouter = router({
  /** History, newest `startedAt` first, keyset-paginated; org admins see their own organization only. */
  list: procedureFor('syncLog.read')
    .input(listSyncLogsQuerySchema)
    .query(({ ctx, input }) => {
      const organizationId = scopeOrganization(ctx.principal, input.organizationId);
      if (input.periodFrom && input.periodTo) {
        if (input.periodFrom > input.periodTo) {
          throw new DomainError('VALIDATION_FAILED', 'periodTo must not come before periodFrom', [
            {
              rule: 'period_end_after_period_start',
              severity: 'error',
              path: ['periodTo'],
              message: `periodTo (${input.periodTo}) comes before periodFrom (${input.periodFrom})`,
            },
          ]);
        }
        assertPeriodSpanBounded(input.periodFrom, input.periodTo, { from: 'periodFrom', to: 'periodTo' });
      }
      return ctx.db.syncLogs.list({ ...input, ...(organizationId ? { organizationId } : {}) });
    }),

  /** One sync log; another organization's reads as NOT_FOUND. */
  get: procedureFor('syncLog.read')
    .input(z.strictObject({ id: z.uuid() }))
    .query(({ ctx, input }) => visibleSyncLog(ctx, ctx.principal, input.id)),

  /**
   * Record a new pending sync for a runner outside this product, which then drives it through
   * start/reportProgress/complete/fail itself: the row is `external`, so the worker never claims it.
   * Returns the row plus `warnings`.
   */
  create: procedureFor('syncLog.record')
    .input(validatingOnce(createSyncLogCommandSchema))
    .mutation(async ({ ctx, input }) => {
      const { syncLog, warnings, replayed } = await ctx.db.syncLogs.create(input, {
        now: ctx.now().toISOString(),
        runner: 'external',
      });
      // A replayed create answers with the row its key first made, which may be a worker's.
      if (!replayed) ctx.externalRuns?.remember(syncLog.id);
      return { ...syncLog, warnings };
    }),

  /** pending → in_progress (exactly one caller wins). */
  start: procedureFor('syncLog.record')
    .input(startSyncLogCommandSchema)
    .mutation(async ({ ctx, input }) => {
      await requireExternalRunner(ctx, input.id);
      return {
        // The external runner's claim holds a lease of one stale window, like a worker's.
        ...(await ctx.db.syncLogs.start(input.id, {
          workerId: `api:${ctx.principal.userId}`,
          leaseSeconds: ctx.staleAfterSeconds,
        })),
        warnings: [],
      };
    }),

  /** Running counts of an active sync. */
  reportProgress: procedureFor('syncLog.record')
    .input(validatingOnce(reportProgressCommandSchema))
    .mutation(async ({ ctx, input }) => {
      await requireExternalRunner(ctx, input.id);
      return { ...(await ctx.db.syncLogs.reportProgress(input)), warnings: [] };
    }),

  /** Finish an in-progress sync; the domain decides success or partial. Warnings never block. */
  complete: procedureFor('syncLog.record')
    .input(validatingOnce(completeSyncLogCommandSchema))
    .mutation(async ({ ctx, input }) => {
      await requireExternalRunner(ctx, input.id);
      const { syncLog, warnings } = await ctx.db.syncLogs.complete(input);
      return { ...syncLog, warnings };
    }),

  /** Fail an active sync; error details are mandatory. */
  fail: procedureFor('syncLog.record')
    .input(validatingOnce(failSyncLogCommandSchema))
    .mutation(async ({ ctx, input }) => {
      await requireExternalRunner(ctx, input.id);
      return { ...(await ctx.db.syncLogs.fail(input)), warnings: [] };
    }),

  /**
   * Delete a sync log: global admins acting through the audit-log service only, with a reason and
   * a legal basis. Leaves a tombstone so the organization's hash chain still verifies.
   */
  delete: procedureFor('syncLog.delete')
    .input(validatingOnce(deleteSyncLogCommandSchema))
    .mutation(({ ctx, input }) =>
      ctx.db.syncLogs.delete(input, { userId: ctx.principal.userId, via: ctx.principal.via ?? '' }),
    ),
});
