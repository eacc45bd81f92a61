import type { IsoDateTime } from './datetime.js';
import type { AccountingSystem, SyncStatus } from './enums.js';
import {
  ACTION_REQUIRED_CATEGORIES,
  type RejectionCategory,
  rejectionCategoryOf,
} from './rejection-category.js';
import type { SyncLog } from './sync-log.js';
import { UNVERIFIED_POSTING } from './unverified-postings.js';

/** The health of one organization's integration with one accounting system. */
const HEALTH_STATES = ['healthy', 'delayed', 'failing', 'action_required', 'disabled'] as const;
/** A health state. */
export type HealthState = (typeof HEALTH_STATES)[number];

/** How many consecutive failed or partial attempts make an integration `failing`. */
const DEFAULT_FAILING_AFTER_FAILURES = 3;
/** Slack past one schedule interval before an integration counts as `delayed` (a run takes time). */
const DEFAULT_DELAY_GRACE_SECONDS = 15 * 60;
/** The window of the success rate and of the problems list. */
export const HEALTH_WINDOW_DAYS = 30;

/** One terminal sync attempt, as health needs it. */
export interface HealthAttempt {
  id: string;
  status: Extract<SyncStatus, 'success' | 'partial' | 'failed'>;
  startedAt: IsoDateTime;
  /** When the attempt ended (falls back to `startedAt`). */
  completedAt: IsoDateTime | null;
  /** What went wrong, by catalogue code; empty for a success. */
  problems: { code: string; category: RejectionCategory; message: string }[];
}

/** A recurring reason of failure, derived from the attempts (never stored). */
interface HealthProblem {
  /** The rejection catalogue code (or the raw code when the record predates the catalogue). */
  code: string;
  category: RejectionCategory;
  message: string;
  /** `resolved` once a later sync succeeded. */
  status: 'open' | 'resolved';
  firstSeenAt: IsoDateTime;
  lastSeenAt: IsoDateTime;
  /** Attempts it appeared in since it was first seen. */
  occurrences: number;
  lastSyncLogId: string;
  resolvedAt: IsoDateTime | null;
  /** What a person does about it, when the problem carries its own fix (unverified postings). */
  fix?: string;
  /** Records it affects right now, when counted (unverified postings). */
  records?: number;
}

/** The open unverified postings of one integration (see {@link UNVERIFIED_POSTING}). */
export interface UnverifiedPostingsSummary {
  /** Records posted but not found and not yet settled. */
  count: number;
  firstSeenAt: IsoDateTime;
  lastSeenAt: IsoDateTime;
  /** The sync that last reported one of them. */
  lastSyncLogId: string;
}

/** What `monitoring.health` returns per organization and system. */
export interface IntegrationHealth {
  organizationId: string;
  accountingSystem: AccountingSystem;
  state: HealthState;
  /** Why the state is what it is, one short sentence per finding (empty when healthy). */
  reasons: string[];
  lastSuccessAt: IsoDateTime | null;
  lastAttemptAt: IsoDateTime | null;
  /** The schedule's next run; null without a schedule or when disabled. */
  nextRunAt: IsoDateTime | null;
  /** The schedule's interval in seconds; null without a schedule. */
  scheduleIntervalSeconds: number | null;
  consecutiveFailures: number;
  /** Share of terminal attempts in the last 30 days that succeeded (0–1); null when there were none. */
  successRate30d: number | null;
  /** Open problems first (most recently seen first), then the ones a success resolved. */
  problems: HealthProblem[];
}

/** The input of {@link computeIntegrationHealth}. */
export interface HealthInput {
  organizationId: string;
  accountingSystem: AccountingSystem;
  /** The accounting module is enabled AND configured for this system. */
  enabled: boolean;
  /** From the organization's cron schedule, computed by the caller (the domain has no cron parser). */
  schedule: { intervalSeconds: number; nextRunAt: IsoDateTime | null } | null;
  /** Terminal attempts, any order; at least those of the last 30 days. */
  attempts: readonly HealthAttempt[];
  /** The latest success of all time, when older than the attempts given. */
  lastSuccessAt?: IsoDateTime | null;
  /** Consecutive failures counted over all time, when the attempts given may not reach back far enough. */
  consecutiveFailures?: number;
  /**
   * Open unverified postings: the integration is `action_required` while any is open, whatever later
   * syncs did, because only a person can settle them (a success does not resolve them).
   */
  unverifiedPostings?: UnverifiedPostingsSummary | null;
  now: IsoDateTime;
  failingAfterFailures?: number;
  delayGraceSeconds?: number;
}

const endOf = (a: HealthAttempt) => a.completedAt ?? a.startedAt;
const maxIso = (a: IsoDateTime | null, b: IsoDateTime | null) =>
  a === null ? b : b === null ? a : Date.parse(a) >= Date.parse(b) ? a : b;

/**
 * The problems of a terminal sync log, by catalogue code: the sync-level error of a failed sync,
 * the distinct per-record reasons of a partial one (at most `limit`, most frequent first).
 */
function problemsOfSyncLog(log: SyncLog, limit = 5): HealthAttempt['problems'] {
  const details = log.errorDetails;
  if (!details || log.status === 'success') return [];
  const failures = details.recordFailures ?? [];
  if (log.status === 'partial' && failures.length > 0) {
    const byCode = new Map<string, { problem: HealthAttempt['problems'][number]; count: number }>();
    for (const f of failures) {
      const code = f.catalogCode ?? f.code;
      const seen = byCode.get(code);
      if (seen) seen.count += 1;
      else
        byCode.set(code, {
          problem: {
            code,
            category: f.catalogCategory ?? (f.category ? rejectionCategoryOf(f.category) : 'unclassified'),
            message: f.reason,
          },
          count: 1,
        });
    }
    return [...byCode.values()]
      .sort((a, b) => b.count - a.count || a.problem.code.localeCompare(b.problem.code))
      .slice(0, limit)
      .map((e) => e.problem);
  }
  return [
    {
      code: details.catalogCode ?? details.code,
      category: details.catalogCategory ?? rejectionCategoryOf(details.category),
      message: details.message,
    },
  ];
}

/** A terminal sync log → a {@link HealthAttempt}; null for an active one. */
export function healthAttemptOf(log: SyncLog): HealthAttempt | null {
  if (log.status !== 'success' && log.status !== 'partial' && log.status !== 'failed') return null;
  return {
    id: log.id,
    status: log.status,
    startedAt: log.startedAt,
    completedAt: log.completedAt,
    problems: problemsOfSyncLog(log),
  };
}

/**
 * Derive an integration's health at `now` — pure, so a fake clock moves it through its states.
 *
 * Precedence: `disabled` (module off or set to another system) > `action_required` (the latest
 * attempt failed for a reason only a person can clear: auth, configuration, master data, mapping,
 * locked period; or unverified postings are open, whatever the attempts say) > `failing` (N consecutive failures, or no success for more than two schedule
 * intervals) > `delayed` (no success for more than one interval plus a grace) > `healthy`.
 * Problems open when a failed or partial attempt shows them and are resolved by the next success.
 */
export function computeIntegrationHealth(input: HealthInput): IntegrationHealth {
  const nowMs = Date.parse(input.now);
  const failingAfter = input.failingAfterFailures ?? DEFAULT_FAILING_AFTER_FAILURES;
  const grace = (input.delayGraceSeconds ?? DEFAULT_DELAY_GRACE_SECONDS) * 1000;
  const chronological = [...input.attempts].sort(
    (a, b) => Date.parse(endOf(a)) - Date.parse(endOf(b)) || a.id.localeCompare(b.id),
  );

  // Problems: open on failure, resolved by the next success.
  const open = new Map<string, HealthProblem>();
  const resolved: HealthProblem[] = [];
  let streak = 0;
  let lastSuccess: IsoDateTime | null = null;
  for (const attempt of chronological) {
    const at = endOf(attempt);
    if (attempt.status === 'success') {
      streak = 0;
      lastSuccess = at;
      for (const p of open.values()) resolved.push({ ...p, status: 'resolved', resolvedAt: at });
      open.clear();
      continue;
    }
    streak += 1;
    for (const p of attempt.problems) {
      const seen = open.get(p.code);
      if (seen) {
        seen.lastSeenAt = at;
        seen.occurrences += 1;
        seen.lastSyncLogId = attempt.id;
        seen.message = p.message;
      } else {
        open.set(p.code, {
          ...p,
          status: 'open',
          firstSeenAt: at,
          lastSeenAt: at,
          occurrences: 1,
          lastSyncLogId: attempt.id,
          resolvedAt: null,
        });
      }
    }
  }
  const byLastSeen = (a: HealthProblem, b: HealthProblem) =>
    Date.parse(b.lastSeenAt) - Date.parse(a.lastSeenAt) || a.code.localeCompare(b.code);
  const unverified = unverifiedProblem(input.unverifiedPostings);
  // The count comes from the store, so it replaces what the attempts said about the same code.
  if (unverified) open.delete(unverified.code);
  const problems = [
    ...(unverified ? [unverified] : []),
    ...[...open.values()].sort(byLastSeen),
    ...resolved.sort(byLastSeen),
  ];

  const windowStart = nowMs - HEALTH_WINDOW_DAYS * 86_400_000;
  const inWindow = chronological.filter((a) => Date.parse(endOf(a)) >= windowStart);
  const successes = inWindow.filter((a) => a.status === 'success').length;
  const successRate30d =
    inWindow.length === 0 ? null : Math.round((successes / inWindow.length) * 10_000) / 10_000;

  const latest = chronological.at(-1) ?? null;
  const lastSuccessAt = maxIso(lastSuccess, input.lastSuccessAt ?? null);
  const consecutiveFailures = Math.max(streak, input.consecutiveFailures ?? 0);
  const intervalSeconds = input.schedule?.intervalSeconds ?? null;

  const base = {
    organizationId: input.organizationId,
    accountingSystem: input.accountingSystem,
    lastSuccessAt,
    lastAttemptAt: latest ? endOf(latest) : null,
    nextRunAt: input.enabled ? (input.schedule?.nextRunAt ?? null) : null,
    scheduleIntervalSeconds: intervalSeconds,
    consecutiveFailures,
    successRate30d,
    problems,
  };
  if (!input.enabled) {
    return { ...base, state: 'disabled', reasons: ['The accounting module is disabled for this system'] };
  }

  const reasons: string[] = [];
  let state: HealthState = 'healthy';
  const raise = (to: HealthState, reason: string) => {
    reasons.push(reason);
    if (HEALTH_STATES.indexOf(to) > HEALTH_STATES.indexOf(state)) state = to;
  };

  if (latest && latest.status !== 'success') {
    const needsPerson = latest.problems.find((p) =>
      (ACTION_REQUIRED_CATEGORIES as readonly RejectionCategory[]).includes(p.category),
    );
    if (needsPerson) {
      raise(
        'action_required',
        `The latest sync ${latest.status}: ${needsPerson.code} (${needsPerson.category})`,
      );
    }
  }
  if (unverified) raise('action_required', unverified.message);
  if (consecutiveFailures >= failingAfter) {
    raise('failing', `${consecutiveFailures} consecutive syncs failed or were partial`);
  }
  if (intervalSeconds !== null && intervalSeconds > 0) {
    // Never succeeded: measure from the first attempt (a new integration is not late before it runs).
    const since = lastSuccessAt ?? chronological[0]?.startedAt ?? null;
    if (since !== null) {
      const sinceMs = nowMs - Date.parse(since);
      const intervalMs = intervalSeconds * 1000;
      if (sinceMs > 2 * intervalMs + grace) {
        raise('failing', `No successful sync for more than two schedule intervals (since ${since})`);
      } else if (sinceMs > intervalMs + grace) {
        raise('delayed', `No successful sync for more than one schedule interval (since ${since})`);
      }
    }
  }
  return { ...base, state, reasons };
}

/** The problem entry of open unverified postings: the count, the catalogue code and the fix. */
function unverifiedProblem(summary: UnverifiedPostingsSummary | null | undefined): HealthProblem | null {
  if (!summary || summary.count <= 0) return null;
  const noun = summary.count === 1 ? 'record was' : 'records were';
  return {
    code: UNVERIFIED_POSTING.code,
    category: UNVERIFIED_POSTING.category,
    message: `${summary.count} ${noun} posted but not found in the ledger (${UNVERIFIED_POSTING.code}); Meander will not send them again until they are found or confirmed not posted`,
    status: 'open',
    firstSeenAt: summary.firstSeenAt,
    lastSeenAt: summary.lastSeenAt,
    occurrences: 1,
    lastSyncLogId: summary.lastSyncLogId,
    resolvedAt: null,
    fix: UNVERIFIED_POSTING.fix,
    records: summary.count,
  };
}
