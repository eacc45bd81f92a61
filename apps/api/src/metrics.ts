import { countUnclassifiedErrors, type Database, readLedgerRequestTotals } from '@meander/db';
import { ACCOUNTING_SYSTEMS } from '@meander/domain';

const SEP = '\u0000';

const DURATION_BUCKETS = [1, 5, 15, 60, 300, 900, 3600, 14_400];

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string>): string {
  return `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',')}}`;
}

/**
 * Prometheus metrics, rendered by hand in the text exposition format. Request counters live in
 * the process; sync figures are read from the database at scrape time, so every API replica
 * reports the same truth about the audit table.
 */
export class Metrics {
  private readonly http = new Map<string, number>();
  private readonly procedures = new Map<string, number>();

  // Keys joined with a separator no label can contain: counting runs on every request, so no
  // array or JSON per call; rendering (once per scrape) splits them again.
  countHttp(method: string, route: string, status: number): void {
    const key = `${method}${SEP}${route}${SEP}${status}`;
    this.http.set(key, (this.http.get(key) ?? 0) + 1);
  }

  countProcedure(path: string, type: string, code: string): void {
    const key = `${path}${SEP}${type}${SEP}${code}`;
    this.procedures.set(key, (this.procedures.get(key) ?? 0) + 1);
  }

  async render(db: Database, staleAfterSeconds: number): Promise<string> {
    const out: string[] = [];
    out.push('# HELP meander_http_requests_total HTTP requests by method, route and status.');
    out.push('# TYPE meander_http_requests_total counter');
    for (const [key, n] of this.http) {
      const [method, route, status] = key.split(SEP);
      out.push(
        `meander_http_requests_total${labels({ method: method ?? '', route: route ?? '', status: status ?? '' })} ${n}`,
      );
    }
    out.push('# HELP meander_trpc_requests_total tRPC calls by procedure, type and result code.');
    out.push('# TYPE meander_trpc_requests_total counter');
    for (const [key, n] of this.procedures) {
      const [procedure, type, code] = key.split(SEP);
      out.push(
        `meander_trpc_requests_total${labels({ procedure: procedure ?? '', type: type ?? '', code: code ?? '' })} ${n}`,
      );
    }

    const counts = await db.syncLogs.countByStatus();
    out.push('# HELP meander_sync_logs Sync log rows by status and accounting system.');
    out.push('# TYPE meander_sync_logs gauge');
    for (const c of counts)
      out.push(`meander_sync_logs${labels({ status: c.status, system: c.accountingSystem })} ${c.count}`);

    const overview = await db.syncLogs.monitoringOverview({ staleAfterSeconds });
    const active = overview.filter((e) => e.activeSync !== null);
    out.push('# HELP meander_active_syncs Syncs pending or in progress right now.');
    out.push('# TYPE meander_active_syncs gauge');
    out.push(`meander_active_syncs ${active.length}`);
    out.push('# HELP meander_stuck_syncs Active syncs whose heartbeat is older than the stale threshold.');
    out.push('# TYPE meander_stuck_syncs gauge');
    out.push(`meander_stuck_syncs ${overview.filter((e) => e.stuck).length}`);

    const durations = await db.syncLogs.recentDurations(1_000);
    out.push(
      '# HELP meander_sync_duration_seconds Duration of the most recent 1000 finished syncs, by system.',
    );
    out.push('# TYPE meander_sync_duration_seconds histogram');
    for (const system of ACCOUNTING_SYSTEMS) {
      const mine = durations.filter((d) => d.accountingSystem === system);
      for (const le of DURATION_BUCKETS) {
        out.push(
          `meander_sync_duration_seconds_bucket${labels({ system, le: String(le) })} ${mine.filter((d) => d.seconds <= le).length}`,
        );
      }
      out.push(`meander_sync_duration_seconds_bucket${labels({ system, le: '+Inf' })} ${mine.length}`);
      out.push(
        `meander_sync_duration_seconds_sum${labels({ system })} ${mine.reduce((s, d) => s + d.seconds, 0)}`,
      );
      out.push(`meander_sync_duration_seconds_count${labels({ system })} ${mine.length}`);
    }

    const unclassified = await countUnclassifiedErrors(
      db,
      new Date(Date.now() - 30 * 86_400_000).toISOString(),
    );
    out.push(
      '# HELP meander_rejections_unclassified Ledger errors the rejection catalogue did not recognise, in syncs of the last 30 days.',
    );
    out.push('# TYPE meander_rejections_unclassified gauge');
    for (const system of ACCOUNTING_SYSTEMS) {
      const n = unclassified.find((u) => u.accountingSystem === system)?.count ?? 0;
      out.push(`meander_rejections_unclassified${labels({ system })} ${n}`);
    }

    // Read from what the syncs recorded (payloadSummary.ledgerRequests, totalled by the database),
    // so every replica reports the same counter and a restart resets nothing.
    const ledger = await readLedgerRequestTotals(db);
    out.push(
      '# HELP meander_ledger_requests_total Requests the worker sent to each ledger (token requests and retries included), by kind, over every sync that ended.',
    );
    out.push('# TYPE meander_ledger_requests_total counter');
    for (const l of ledger) {
      out.push(
        `meander_ledger_requests_total${labels({ system: l.accountingSystem, kind: 'read' })} ${l.reads}`,
      );
      out.push(
        `meander_ledger_requests_total${labels({ system: l.accountingSystem, kind: 'write' })} ${l.writes}`,
      );
    }
    const unverified = await db.unverifiedPostings.summarizeOpen();
    out.push(
      '# HELP meander_unverified_postings Records posted but not found in the ledger, not yet found or confirmed (action required).',
    );
    out.push('# TYPE meander_unverified_postings gauge');
    for (const system of ACCOUNTING_SYSTEMS) {
      const n = unverified.filter((u) => u.accountingSystem === system).reduce((sum, u) => sum + u.count, 0);
      out.push(`meander_unverified_postings${labels({ system })} ${n}`);
    }
    return `${out.join('\n')}\n`;
  }
}
