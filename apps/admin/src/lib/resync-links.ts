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

/** For each sync of a list: the re-syncs of it in the list and the sync that resolved it. */
export interface SyncLinks {
  children: string[];
  resolvedBy: string | null;
}

/**
 * {@link childrenOf} and {@link resolvedBy} for a whole history page at once, grouped by period so a
 * long page costs no more than a sort.
 */
export function linkIndex(syncs: readonly LinkedSync[]): Map<string, SyncLinks> {
  const byPeriod = new Map<string, LinkedSync[]>();
  const byParent = new Map<string, LinkedSync[]>();
  for (const s of syncs) {
    const key = `${s.organizationId}|${s.accountingSystem}|${s.periodStart}|${s.periodEnd}`;
    byPeriod.set(key, [...(byPeriod.get(key) ?? []), s]);
    const parent = s.payloadSummary?.parentSyncId;
    if (parent) byParent.set(parent, [...(byParent.get(parent) ?? []), s]);
  }
  const links = new Map<string, SyncLinks>();
  for (const s of syncs) {
    const key = `${s.organizationId}|${s.accountingSystem}|${s.periodStart}|${s.periodEnd}`;
    const children = byParent.get(s.id) ?? [];
    const candidates = [...(byPeriod.get(key) ?? []), ...children];
    links.set(s.id, {
      children: childrenOf(s, children).map((c) => c.id),
      resolvedBy: resolvedBy(s, candidates)?.id ?? null,
    });
  }
  return links;
}
