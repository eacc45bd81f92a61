import { useQuery } from '@tanstack/react-query';
import { useTRPC } from './trpc';

/** The health states `monitoring.health` reports (CONTRACT.md, second wave). */
export type HealthState = 'healthy' | 'delayed' | 'failing' | 'action_required' | 'disabled';

/** What an integration card shows, whatever procedure it comes from. */
export interface IntegrationHealth {
  organizationId: string;
  accountingSystem: 'xledger' | 'dynamics';
  state: HealthState;
  lastSuccessAt: string | null;
  nextRunAt: string | null;
  successRate30d: number | null;
  problems: string[];
  lastSync: { id: string; status: string; startedAt: string; completedAt: string | null } | null;
  activeSync: { id: string; status: string; ageSeconds: number } | null;
  stuck: boolean;
  consecutiveFailures: number;
}

type OverviewEntry = {
  organizationId: string;
  accountingSystem: 'xledger' | 'dynamics';
  lastSync: IntegrationHealth['lastSync'];
  lastSuccessAt: string | null;
  consecutiveFailures: number;
  successRate30d: number | null;
  activeSync: { id: string; status: string; ageSeconds: number } | null;
  stuck: boolean;
};

/**
 * Derive a health state from `monitoring.overview` until `monitoring.health` is merged; then this
 * function goes and the hook below reads that procedure instead (one place to switch).
 */
export function healthFromOverview(entry: OverviewEntry): IntegrationHealth {
  const problems: string[] = [];
  if (entry.stuck) problems.push('The running sync has stopped reporting progress.');
  if (entry.consecutiveFailures > 0)
    problems.push(
      `The last ${entry.consecutiveFailures === 1 ? 'sync' : `${entry.consecutiveFailures} syncs`} did not succeed.`,
    );
  if (entry.lastSync?.status === 'partial')
    problems.push('The last sync left rejected records to fix and re-sync.');
  const state: HealthState = entry.stuck
    ? 'action_required'
    : entry.lastSync?.status === 'partial'
      ? 'action_required'
      : entry.consecutiveFailures > 0
        ? 'failing'
        : entry.lastSuccessAt && Date.now() - Date.parse(entry.lastSuccessAt) > 36 * 3600 * 1000
          ? 'delayed'
          : 'healthy';
  return {
    organizationId: entry.organizationId,
    accountingSystem: entry.accountingSystem,
    state,
    lastSuccessAt: entry.lastSuccessAt,
    nextRunAt: null,
    successRate30d: entry.successRate30d,
    problems,
    lastSync: entry.lastSync,
    activeSync: entry.activeSync,
    stuck: entry.stuck,
    consecutiveFailures: entry.consecutiveFailures,
  };
}

/** Every integration's health the signed-in principal may see (the single source for the cards). */
export function useIntegrationHealth(organizationId?: string) {
  const trpc = useTRPC();
  return useQuery({
    ...trpc.monitoring.overview.queryOptions(organizationId ? { organizationId } : undefined),
    select: (entries) => entries.map(healthFromOverview),
    refetchInterval: 5_000,
  });
}

export const HEALTH_LABELS: Record<HealthState, string> = {
  healthy: 'Healthy',
  delayed: 'Delayed',
  failing: 'Failing',
  action_required: 'Action required',
  disabled: 'Disabled',
};
