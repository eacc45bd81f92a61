import {
  type Database,
  type HealthChangedData,
  healthAnnouncementsFor,
  loadIntegrationHealth,
  type WebhookPayload,
} from '@meander/db';
import type { HealthState, IntegrationHealth } from '@meander/domain';

/** The `integration.health_changed` payload for a move to `health.state`. */
export function healthChangedPayload(
  health: IntegrationHealth,
  previousState: HealthState,
  syncLogId: string | null,
  timestamp: string,
): WebhookPayload<HealthChangedData> {
  return {
    type: 'integration.health_changed',
    timestamp,
    data: {
      organizationId: health.organizationId,
      accountingSystem: health.accountingSystem,
      previousState,
      state: health.state,
      syncLogId,
      reasons: health.reasons,
      openProblems: health.problems
        .filter((p) => p.status === 'open')
        .map((p) => ({
          code: p.code,
          category: p.category,
          firstSeenAt: p.firstSeenAt,
          lastSeenAt: p.lastSeenAt,
        })),
    },
  };
}

/**
 * Health moves with time alone: a nightly schedule that passed without a success makes an
 * integration `delayed`, then `failing`, with no sync ending to notice. This pass recomputes the
 * health of every organization that has a subscribed endpoint and announces each state that
 * differs from the one last announced. Before any announcement a receiver is taken to assume
 * `healthy`. An organization with a sync event still waiting in the outbox, or whose syncs moved on
 * while its health was computed, is left to that sync's own announcement (or the next pass).
 */
export async function scanIntegrationHealth(
  db: Database,
  now: Date,
): Promise<WebhookPayload<HealthChangedData>[]> {
  const announcements = healthAnnouncementsFor(db);
  const announced: WebhookPayload<HealthChangedData>[] = [];
  const at = now.toISOString();
  for (const organizationId of await announcements.subscribedOrganizations()) {
    // Read before the health so a sync ending meanwhile shows as a changed count.
    const finished = await announcements.finishedSyncCount(organizationId);
    for (const health of await loadIntegrationHealth(db, { organizationId, now })) {
      const payload = await announcements.announceIfChanged({
        organizationId,
        accountingSystem: health.accountingSystem,
        state: health.state,
        baseline: 'healthy',
        now: at,
        unlessSyncsChangedFrom: finished,
        payload: (previous) => healthChangedPayload(health, previous, null, at),
      });
      if (payload) announced.push(payload);
    }
  }
  return announced;
}
