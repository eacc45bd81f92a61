import { z } from 'zod';
import { procedureFor, router } from '../trpc/init.js';
import { scopeOrganization } from './tenancy.js';

export const monitoringRouter = router({
  /**
   * Per organization and system: last sync, last success, consecutive failures, success rate over
   * 7 and 30 days, records failed, active sync age and the stuck flag (heartbeat older than
   * SYNC_STALE_AFTER_SECONDS).
   */
  overview: procedureFor('monitoring.read')
    .input(z.strictObject({ organizationId: z.uuid().optional() }).optional())
    .query(({ ctx, input }) => {
      const organizationId = scopeOrganization(ctx.principal, input?.organizationId);
      return ctx.db.syncLogs.monitoringOverview({
        ...(organizationId ? { organizationId } : {}),
        now: ctx.now().toISOString(),
        staleAfterSeconds: ctx.staleAfterSeconds,
      });
    }),
});
