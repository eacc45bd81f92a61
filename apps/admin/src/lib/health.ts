import type { AccountingSystem } from '@meander/domain';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTRPC } from './trpc';

/** The health states `monitoring.health` reports (CONTRACT.md, second wave). */
export type HealthState = 'healthy' | 'delayed' | 'failing' | 'action_required' | 'disabled';

/** What an integration card shows, whatever procedure it comes from. */
export interface IntegrationHealth {
  organizationId: string;
  accountingSystem: AccountingSystem;
  state: HealthState;
  lastSuccessAt: string | null;
  nextRunAt: string | null;
  successRate30d: number | null;
  /** Why the state is what it is (stuck, the health's reasons), one sentence each. */
  problems: string[];
  /** Problems a later success has not resolved yet, most recently seen first. */
  openProblems: HealthProblemView[];
  /** Problems a later success resolved (within the health window). */
  resolvedProblems: HealthProblemView[];
  lastSync: { id: string; status: string; startedAt: string; completedAt: string | null } | null;
  activeSync: { id: string; status: string; ageSeconds: number } | null;
  stuck: boolean;
  consecutiveFailures: number;
}

type OverviewEntry = {
  organizationId: string;
  accountingSystem: AccountingSystem;
  lastSync: IntegrationHealth['lastSync'];
  lastSuccessAt: string | null;
  consecutiveFailures: number;
  successRate30d: number | null;
  activeSync: { id: string; status: string; ageSeconds: number } | null;
  stuck: boolean;
};

/** A recurring failure as `monitoring.health` derives it (first/last seen, occurrences). */
export interface HealthProblemView {
  code: string;
  category: string;
  message: string;
  status: 'open' | 'resolved';
  firstSeenAt: string;
  lastSeenAt: string;
  occurrences: number;
  lastSyncLogId: string;
  resolvedAt: string | null;
}

/** One entry of `monitoring.health`: the state, computed by the API against the schedule. */
type HealthEntry = {
  organizationId: string;
  accountingSystem: AccountingSystem;
  state: HealthState;
  reasons: string[];
  lastSuccessAt: string | null;
  nextRunAt: string | null;
  consecutiveFailures: number;
  successRate30d: number | null;
  problems: HealthProblemView[];
};

/**
 * A card's data: the state, next run and open problems from `monitoring.health` (derived by the
 * API against the organization's schedule), the live parts — last and active sync, stuck flag —
 * from `monitoring.overview`.
 */
function combineHealth(
  health: readonly HealthEntry[],
  overview: readonly OverviewEntry[],
): IntegrationHealth[] {
  const live = new Map(overview.map((o) => [`${o.organizationId}/${o.accountingSystem}`, o]));
  return health.map((h) => {
    const o = live.get(`${h.organizationId}/${h.accountingSystem}`);
    const open = h.problems.filter((p) => p.status === 'open');
    const stuck = o?.stuck ?? false;
    return {
      organizationId: h.organizationId,
      accountingSystem: h.accountingSystem,
      state: h.state,
      lastSuccessAt: h.lastSuccessAt,
      nextRunAt: h.nextRunAt,
      successRate30d: h.successRate30d,
      problems: [
        ...new Set([...(stuck ? ['The running sync has stopped reporting progress.'] : []), ...h.reasons]),
      ],
      openProblems: open,
      resolvedProblems: h.problems.filter((p) => p.status === 'resolved'),
      lastSync: o?.lastSync ?? null,
      activeSync: o?.activeSync ?? null,
      stuck,
      consecutiveFailures: h.consecutiveFailures,
    };
  });
}

/** Every integration's health the signed-in principal may see (the single source for the cards). */
export function useIntegrationHealth(organizationId?: string) {
  const trpc = useTRPC();
  const input = organizationId ? { organizationId } : undefined;
  const health = useQuery({ ...trpc.monitoring.health.queryOptions(input), refetchInterval: 5_000 });
  const overview = useQuery({ ...trpc.monitoring.overview.queryOptions(input), refetchInterval: 5_000 });
  const data = useMemo(
    () => (health.data && overview.data ? combineHealth(health.data, overview.data) : undefined),
    [health.data, overview.data],
  );
  return {
    data,
    error: health.error ?? overview.error,
    isPending: health.isPending || overview.isPending,
    refetch: () => Promise.all([health.refetch(), overview.refetch()]),
  };
}

export const HEALTH_LABELS: Record<HealthState, string> = {
  healthy: 'Healthy',
  delayed: 'Delayed',
  failing: 'Failing',
  action_required: 'Action required',
  disabled: 'Disabled',
};
