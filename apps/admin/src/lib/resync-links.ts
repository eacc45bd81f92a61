/** What the re-sync links need of a sync log. */
export interface LinkedSync {
  id: string;
  organizationId: string;
  accountingSystem: string;
  status: string;
  periodStart: string;
  periodEnd: string;
  startedAt: string;
  payloadSummary?: { parentSyncId?: string | undefined } | null;
}

/** The re-syncs started from `log` (its children), oldest first. */
export function childrenOf<T extends LinkedSync>(log: Pick<LinkedSync, 'id'>, syncs: readonly T[]): T[] {
  return syncs
    .filter((s) => s.payloadSummary?.parentSyncId === log.id)
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
}

/**
 * The later sync that fixed a failed or partial `log`, or null: a re-sync of it that succeeded, or a
 * later whole-period sync of the same organization, system and period that succeeded (it sent every
 * record again, the rejected ones included). Successes and active syncs are never "resolved".
 */
export function resolvedBy<T extends LinkedSync>(log: LinkedSync, syncs: readonly T[]): T | null {
  if (log.status !== 'partial' && log.status !== 'failed') return null;
  const fixes = syncs.filter(
    (s) =>
      s.id !== log.id &&
      s.status === 'success' &&
      Date.parse(s.startedAt) > Date.parse(log.startedAt) &&
      (s.payloadSummary?.parentSyncId === log.id ||
        (!s.payloadSummary?.parentSyncId &&
          s.organizationId === log.organizationId &&
          s.accountingSystem === log.accountingSystem &&
          s.periodStart === log.periodStart &&
          s.periodEnd === log.periodEnd)),
  );
  fixes.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  return fixes[0] ?? null;
}
