import { countUnclassifiedErrors, type Database, readLedgerRequestTotals } from '@meander/db';
import { ACCOUNTING_SYSTEMS, SYNC_STATUSES } from '@meander/domain';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { appRouter } from './routers/index.js';

const DURATION_BUCKETS = [1, 5, 15, 60, 300, 900, 3600, 14_400];

/** What a label holds when its value is not in the label's closed set. */
const OTHER = 'other';

/** The router's procedure paths: the only procedure names a metric label may carry. */
const KNOWN_PROCEDURES: ReadonlySet<string> = new Set(Object.keys(appRouter._def.procedures));
const PROCEDURE_TYPES: ReadonlySet<string> = new Set(['query', 'mutation', 'subscription']);
const RESULT_CODES: ReadonlySet<string> = new Set(['OK', ...Object.keys(TRPC_ERROR_CODES_BY_KEY)]);
const HTTP_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
]);
const SYSTEMS: ReadonlySet<string> = new Set(ACCOUNTING_SYSTEMS);
const STATUSES: ReadonlySet<string> = new Set(SYNC_STATUSES);

/** `value` if the closed set has it, else {@link OTHER}: no caller or row can mint a new series. */
function bounded(value: string, known: ReadonlySet<string>): string {
  return known.has(value) ? value : OTHER;
}

const TRPC_PREFIX = '/trpc/';

/**
 * The route label of a request. Labels come from a closed set (known procedures, a handful of
 * fixed routes), so a caller cannot grow /metrics by inventing paths: an unknown procedure is
 * `/trpc/unknown`, a batch of several calls `/trpc/(batch)`, anything else `other`.
 */
export function routeOf(path: string): string {
  if (path.startsWith(TRPC_PREFIX)) {
    const names = path.slice(TRPC_PREFIX.length).split(',');
    if (names.length > 1) return '/trpc/(batch)';
    const name = names[0] ?? '';
    return KNOWN_PROCEDURES.has(name) ? `/trpc/${name}` : '/trpc/unknown';
  }
  if (/^\/sync-logs\/[^/]+\/rejections\.csv$/.test(path)) return '/sync-logs/:id/rejections.csv';
  return ['/healthz', '/metrics'].includes(path) ? path : OTHER;
}

/** An HTTP status code as a label: the three digits of a real status, nothing else. */
function statusLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : OTHER;
}

/** A series as prom-client's text rendering sees it: its own labels, then the ones it shares. */
interface RenderedSeries {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string | number>;
}

/**
 * A histogram whose series write `le` after the other labels (`{system="…",le="…"}`), as /metrics
 * always wrote them; prom-client 15 renders `le` first (Prometheus reads either order alike). Its
 * text rendering asks `getForPromString` (internal to prom-client, hence the pinned version): the
 * shared labels are folded in ahead of `le`.
 */
class LeLastHistogram<T extends string> extends Histogram<T> {
  async getForPromString(): Promise<{ values: RenderedSeries[] }> {
    const render = (
      Histogram.prototype as unknown as Record<string, () => Promise<{ values: RenderedSeries[] }>>
    ).getForPromString;
    const data = await (render as () => Promise<{ values: RenderedSeries[] }>).call(this);
    for (const series of data.values) {
      series.labels = { ...series.sharedLabels, ...series.labels };
      series.sharedLabels = {};
    }
    return data;
  }
}

/**
 * Prometheus metrics through prom-client, one registry per app. Request counters live in the
 * process; sync figures are read from the database at scrape time, so every API replica reports
 * the same truth about the audit table. Every label takes its value from a closed set.
 */
export class Metrics {
  private readonly registry = new Registry();
  private readonly http = new Counter({
    name: 'meander_http_requests_total',
    help: 'HTTP requests by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly procedures = new Counter({
    name: 'meander_trpc_requests_total',
    help: 'tRPC calls by procedure, type and result code.',
    labelNames: ['procedure', 'type', 'code'] as const,
    registers: [this.registry],
  });
  private readonly syncLogs = new Gauge({
    name: 'meander_sync_logs',
    help: 'Sync log rows by status and accounting system.',
    labelNames: ['status', 'system'] as const,
    registers: [this.registry],
  });
  private readonly activeSyncs = new Gauge({
    name: 'meander_active_syncs',
    help: 'Syncs pending or in progress right now.',
    registers: [this.registry],
  });
  private readonly stuckSyncs = new Gauge({
    name: 'meander_stuck_syncs',
    help: 'Active syncs whose heartbeat is older than the stale threshold.',
    registers: [this.registry],
  });
  private readonly durations = new LeLastHistogram({
    name: 'meander_sync_duration_seconds',
    help: 'Duration of the most recent 1000 finished syncs, by system.',
    labelNames: ['system'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly unclassified = new Gauge({
    name: 'meander_rejections_unclassified',
    help: 'Ledger errors the rejection catalogue did not recognise, in syncs of the last 30 days.',
    labelNames: ['system'] as const,
    registers: [this.registry],
  });
  private readonly ledgerRequests = new Counter({
    name: 'meander_ledger_requests_total',
    help: 'Requests the worker sent to each ledger (token requests and retries included), by kind, over every sync that ended.',
    labelNames: ['system', 'kind'] as const,
    registers: [this.registry],
  });
  private readonly unverified = new Gauge({
    name: 'meander_unverified_postings',
    help: 'Records posted but not found in the ledger, not yet found or confirmed (action required).',
    labelNames: ['system'] as const,
    registers: [this.registry],
  });

  readonly contentType = this.registry.contentType;

  countHttp(method: string, route: string, status: number): void {
    this.http.inc({ method: bounded(method, HTTP_METHODS), route, status: statusLabel(status) });
  }

  countProcedure(path: string, type: string, code: string): void {
    this.procedures.inc({
      procedure: bounded(path, KNOWN_PROCEDURES),
      type: bounded(type, PROCEDURE_TYPES),
      code: bounded(code, RESULT_CODES),
    });
  }

  /** Read the database's figures into the registry, then render it in the text exposition format. */
  async render(db: Database, staleAfterSeconds: number): Promise<string> {
    await this.readSyncFigures(db, staleAfterSeconds);
    await this.readLedgerFigures(db);
    return this.registry.metrics();
  }

  private async readSyncFigures(db: Database, staleAfterSeconds: number): Promise<void> {
    const counts = await db.syncLogs.countByStatus();
    const overview = await db.syncLogs.monitoringOverview({ staleAfterSeconds });
    const durations = await db.syncLogs.recentDurations(1_000);
    this.syncLogs.reset();
    for (const c of counts)
      this.syncLogs.inc(
        { status: bounded(c.status, STATUSES), system: bounded(c.accountingSystem, SYSTEMS) },
        c.count,
      );
    this.activeSyncs.set(overview.filter((e) => e.activeSync !== null).length);
    this.stuckSyncs.set(overview.filter((e) => e.stuck).length);
    // The histogram is of the most recent syncs, not of this process's life: rebuilt every scrape.
    this.durations.reset();
    for (const system of ACCOUNTING_SYSTEMS) this.durations.zero({ system });
    for (const d of durations)
      if (SYSTEMS.has(d.accountingSystem)) this.durations.observe({ system: d.accountingSystem }, d.seconds);
  }

  private async readLedgerFigures(db: Database): Promise<void> {
    const unclassified = await countUnclassifiedErrors(
      db,
      new Date(Date.now() - 30 * 86_400_000).toISOString(),
    );
    // Read from what the syncs recorded (payloadSummary.ledgerRequests, totalled by the database),
    // so every replica reports the same counter and a restart resets nothing.
    const ledger = await readLedgerRequestTotals(db);
    const unverified = await db.unverifiedPostings.summarizeOpen();
    this.ledgerRequests.reset();
    for (const l of ledger) {
      if (!SYSTEMS.has(l.accountingSystem)) continue;
      this.ledgerRequests.inc({ system: l.accountingSystem, kind: 'read' }, l.reads);
      this.ledgerRequests.inc({ system: l.accountingSystem, kind: 'write' }, l.writes);
    }
    for (const system of ACCOUNTING_SYSTEMS) {
      this.unclassified.set({ system }, unclassified.find((u) => u.accountingSystem === system)?.count ?? 0);
      const open = unverified.filter((u) => u.accountingSystem === system);
      this.unverified.set(
        { system },
        open.reduce((sum, u) => sum + u.count, 0),
      );
    }
  }
}
