import { loadIntegrationHealth } from '@meander/db';
import type { IntegrationHealth } from '@meander/domain';
import { z } from 'zod';
import { procedureFor, router } from '../trpc/init.js';
import { scopeOrganization } from './tenancy.js';

const organizationInput = z.strictObject({ organizationId: z.uuid().optional() }).optional();

export const monitoringRouter = router({
  /**
   * Per organization and system: last sync, last success, consecutive failures, success rate over
   * 7 and 30 days, records failed, active sync age and the stuck flag (heartbeat older than
   * SYNC_STALE_AFTER_SECONDS), plus the integration's `health` (state, next run, open problems)
   * when the call is scoped to one organization (an org admin's always is). Unscoped, `health` is
   * null: deriving it reads each organization's recent syncs, which `monitoring.health` does on purpose.
   */
  overview: procedureFor('monitoring.read')
    .input(organizationInput)
    .query(async ({ ctx, input }) => {
      const organizationId = scopeOrganization(ctx.principal, input?.organizationId);
      const now = ctx.now();
      const [entries, health] = await Promise.all([
        ctx.db.syncLogs.monitoringOverview({
          ...(organizationId ? { organizationId } : {}),
          now: now.toISOString(),
          staleAfterSeconds: ctx.staleAfterSeconds,
        }),
        organizationId ? loadIntegrationHealth(ctx.db, { organizationId, now }) : Promise.resolve([]),
      ]);
      const key = (h: { organizationId: string; accountingSystem: string }) =>
        `${h.organizationId}|${h.accountingSystem}`;
      const byKey = new Map(health.map((h) => [key(h), h]));
      return entries.map((entry) => {
        const h = byKey.get(key(entry));
        return {
          ...entry,
          health: h
            ? {
                state: h.state,
                nextRunAt: h.nextRunAt,
                openProblems: h.problems.filter((p) => p.status === 'open').length,
              }
            : null,
        };
      });
    }),

  /**
   * Health per organization and system (see {@link IntegrationHealth}): `healthy | delayed |
   * failing | action_required | disabled`, judged against the organization's schedule, with last
   * success, next run, 30-day success rate and problems (first/last seen, resolved by a success).
   */
  health: procedureFor('monitoring.read')
    .input(organizationInput)
    .query(async ({ ctx, input }): Promise<IntegrationHealth[]> => {
      const organizationId = scopeOrganization(ctx.principal, input?.organizationId);
      return loadIntegrationHealth(ctx.db, { ...(organizationId ? { organizationId } : {}), now: ctx.now() });
    }),
});
