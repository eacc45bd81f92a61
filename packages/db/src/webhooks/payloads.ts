import { type IntegrationHealth, rejectionCategoryOf, type SyncLog } from '@meander/domain';
import { syncLogOutline } from '../store/sync-log-row.js';
import type { OutboxEventType } from './store.js';

/**
 * The body of every webhook: Standard Webhooks' `type` / `timestamp` / `data` envelope. A type
 * alias, not an interface, so that it is a WebhookJsonObject (what the outbox stores).
 */
export type WebhookPayload<T = unknown> = {
  type: OutboxEventType;
  timestamp: string;
  data: T;
};

/** `data` of `sync.succeeded`, `sync.partial` and `sync.failed`: ids, counts and top reasons only. */
export interface SyncEventData {
  syncLogId: string;
  organizationId: string;
  accountingSystem: SyncLog['accountingSystem'];
  syncType: SyncLog['syncType'];
  status: SyncLog['status'];
  periodStart: string;
  periodEnd: string;
  recordsTotal: number;
  recordsSynced: number;
  recordsFailed: number;
  externalReferenceId: string | null;
  startedAt: string;
  completedAt: string | null;
  /** The sync-level error, by code (no vendor message: it may quote the records). */
  error: { code: string; category: string; retryable: boolean } | null;
  /** The most frequent rejection reasons, by catalogue code, at most five. */
  topReasons: { code: string; category: string; count: number }[];
}

/** `data` of `integration.health_changed`. */
export interface HealthChangedData {
  organizationId: string;
  accountingSystem: IntegrationHealth['accountingSystem'];
  previousState: IntegrationHealth['state'];
  state: IntegrationHealth['state'];
  /** The sync that changed the state; null when time alone did (the periodic health scan). */
  syncLogId: string | null;
  reasons: string[];
  openProblems: { code: string; category: string; firstSeenAt: string; lastSeenAt: string }[];
}

/**
 * The payload of a sync event. No personal data: who triggered the sync, record descriptions and
 * vendor messages are left out; record failures are reduced to counts per catalogue code.
 */
export function syncEventPayload(
  type: OutboxEventType,
  log: SyncLog,
  timestamp: string,
): WebhookPayload<SyncEventData> {
  const counts = new Map<string, { code: string; category: string; count: number }>();
  for (const f of log.errorDetails?.recordFailures ?? []) {
    const code = f.catalogCode ?? f.code;
    const seen = counts.get(code);
    if (seen) seen.count += 1;
    else
      counts.set(code, {
        code,
        category: f.catalogCategory ?? (f.category ? rejectionCategoryOf(f.category) : 'unclassified'),
        count: 1,
      });
  }
  const details = log.errorDetails;
  return {
    type,
    timestamp,
    data: {
      syncLogId: log.id,
      ...syncLogOutline(log),
      startedAt: log.startedAt,
      completedAt: log.completedAt,
      error:
        details && log.status === 'failed'
          ? {
              code: details.catalogCode ?? details.code,
              category: details.catalogCategory ?? rejectionCategoryOf(details.category),
              retryable: details.retryable,
            }
          : null,
      topReasons: [...counts.values()]
        .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))
        .slice(0, 5),
    },
  };
}
