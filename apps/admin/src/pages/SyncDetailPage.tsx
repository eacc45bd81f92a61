import { useMutation, useQuery } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { ErrorMessage } from '../components/ErrorMessage';
import { LiveProgress } from '../components/LiveProgress';
import { ProgressBar } from '../components/ProgressBar';
import { StatusBadge } from '../components/StatusBadge';
import { formatDateTime, formatPeriod, SYNC_TYPE_LABELS, SYSTEM_LABELS } from '../lib/format';
import { can } from '../lib/permissions';
import { useSignedIn } from '../lib/session-context';
import { useTRPC } from '../lib/trpc';

const route = getRouteApi('/signed-in/syncs/$syncId');

function duration(from: string | null, to: string | null): string {
  if (!from || !to) return '';
  const ms = Date.parse(to) - Date.parse(from);
  return ms < 1000
    ? `${ms} ms`
    : ms < 120_000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${Math.round(ms / 60_000)} min`;
}

/** One sync: every field, the timeline, counts, rejections, warnings, links, seal, and its actions. */
export function SyncDetailPage() {
  const { syncId } = route.useParams();
  const trpc = useTRPC();
  const session = useSignedIn();
  const sync = useQuery({
    ...trpc.syncLogs.get.queryOptions({ id: syncId }),
    refetchInterval: (q) =>
      q.state.data && ['pending', 'in_progress'].includes(q.state.data.status) ? 3_000 : false,
  });
  const log = sync.data;
  const terminal = log ? !['pending', 'in_progress'].includes(log.status) : false;
  const children = useQuery({
    ...trpc.syncLogs.list.queryOptions({
      organizationId: log?.organizationId,
      periodFrom: log?.periodStart,
      periodTo: log?.periodEnd,
      limit: 200,
    }),
    enabled: Boolean(log),
    select: (page) => page.items.filter((i) => i.payloadSummary?.parentSyncId === syncId),
  });
  const seal = useQuery({
    // cursor 0: the sealed rows alone, without the whole-chain walk the first evidence page does.
    ...trpc.audit.evidence.queryOptions({
      organizationId: log?.organizationId ?? '',
      from: log?.startedAt ?? '',
      to: log?.startedAt ?? '',
      cursor: 0,
    }),
    enabled: Boolean(log) && terminal,
    select: (page) => page.rows.find((r) => r.id === syncId) ?? null,
  });

  if (sync.error) return <ErrorMessage error={sync.error} onRetry={() => void sync.refetch()} />;
  if (!log) return <p className="muted">Loading sync…</p>;

  const details = log.errorDetails;
  // `fix` is what the rejection catalogue (issue 15) adds where it knows one; shown when present.
  const rejections = (details?.recordFailures ?? []) as (NonNullable<
    NonNullable<typeof details>['recordFailures']
  >[number] & { fix?: string })[];
  const hasFix = rejections.some((r) => typeof r.fix === 'string' && r.fix.length > 0);
  const warnings = details?.warnings ?? [];
  const parentId = log.payloadSummary?.parentSyncId;
  const system = SYSTEM_LABELS[log.accountingSystem] ?? log.accountingSystem;

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/history" search={{ organizationId: log.organizationId }}>
          History
        </Link>{' '}
        / Sync
      </nav>
      <div className="page-head">
        <h1>
          {system} export, {formatPeriod(log.periodStart, log.periodEnd)}
        </h1>
        <StatusBadge status={log.status} />
      </div>

      <section aria-labelledby="live-heading" className="card">
        <h2 id="live-heading">{terminal ? 'Progress' : 'Live progress'}</h2>
        {terminal ? (
          <ProgressBar event={{ ...log, terminal: true }} label="Sync progress" />
        ) : (
          <LiveProgress syncLogId={log.id} label="Sync progress" />
        )}
      </section>

      <div className="detail-grid">
        <section aria-labelledby="fields-heading" className="card">
          <h2 id="fields-heading">Record</h2>
          <dl className="fields">
            <dt>Sync id</dt>
            <dd>
              <code>{log.id}</code>
            </dd>
            <dt>Organization</dt>
            <dd>
              <code>{log.organizationId}</code>
            </dd>
            <dt>Accounting system</dt>
            <dd>{system}</dd>
            <dt>Sync type</dt>
            <dd>{SYNC_TYPE_LABELS[log.syncType] ?? log.syncType}</dd>
            <dt>Status</dt>
            <dd>
              <StatusBadge status={log.status} />
            </dd>
            <dt>Triggered by</dt>
            <dd>{log.triggeredBy ? <code>{log.triggeredBy}</code> : 'the schedule (no user)'}</dd>
            <dt>Period start</dt>
            <dd>{formatDateTime(log.periodStart)}</dd>
            <dt>Period end</dt>
            <dd>{formatDateTime(log.periodEnd)}</dd>
            <dt>External reference</dt>
            <dd>
              {log.externalReferenceId ? <code>{log.externalReferenceId}</code> : 'none (nothing posted yet)'}
            </dd>
          </dl>
        </section>

        <section aria-labelledby="timeline-heading" className="card">
          <h2 id="timeline-heading">Timeline</h2>
          <ol className="timeline">
            <li>
              <strong>Created</strong> {formatDateTime(log.createdAt)}
            </li>
            <li>
              <strong>Started</strong> {formatDateTime(log.startedAt)}
              {duration(log.createdAt, log.startedAt) && (
                <span className="muted"> (+{duration(log.createdAt, log.startedAt)})</span>
              )}
            </li>
            <li>
              <strong>Completed</strong> {log.completedAt ? formatDateTime(log.completedAt) : 'not yet'}
              {duration(log.startedAt, log.completedAt) && (
                <span className="muted"> (took {duration(log.startedAt, log.completedAt)})</span>
              )}
            </li>
          </ol>
          <h2>Counts</h2>
          <dl className="counts">
            <div>
              <dt>Total</dt>
              <dd>{log.recordsTotal}</dd>
            </div>
            <div>
              <dt>Synced</dt>
              <dd>{log.recordsSynced}</dd>
            </div>
            <div>
              <dt>Rejected</dt>
              <dd>{log.recordsFailed}</dd>
            </div>
          </dl>
        </section>
      </div>

      {details && (
        <section aria-labelledby="error-heading" className="card">
          <h2 id="error-heading">{log.status === 'failed' ? 'Why it failed' : 'What went wrong'}</h2>
          <p>{details.message}</p>
          <dl className="fields">
            <dt>Code</dt>
            <dd>
              <code>{details.code}</code>
            </dd>
            <dt>Category</dt>
            <dd>{details.category}</dd>
            <dt>Retrying can help</dt>
            <dd>{details.retryable ? 'yes' : 'no'}</dd>
            {details.providerCode && (
              <>
                <dt>Ledger's code</dt>
                <dd>
                  <code>{details.providerCode}</code>
                </dd>
              </>
            )}
            {details.correlationId && (
              <>
                <dt>Correlation id</dt>
                <dd>
                  <code>{details.correlationId}</code>
                </dd>
              </>
            )}
          </dl>
        </section>
      )}

      {rejections.length > 0 && (
        <section aria-labelledby="rejections-heading" className="card">
          <h2 id="rejections-heading">Rejected records ({log.recordsFailed})</h2>
          {details?.recordFailuresTruncated && (
            <p className="notice notice-warning">
              The list is truncated; a re-sync sends the whole period again.
            </p>
          )}
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Records the ledger rejected, with the reason</caption>
              <thead>
                <tr>
                  <th scope="col">Record</th>
                  <th scope="col">Code</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Category</th>
                  <th scope="col">Retryable</th>
                  {hasFix && <th scope="col">How to fix</th>}
                </tr>
              </thead>
              <tbody>
                {rejections.map((r) => (
                  <tr key={`${r.recordId}-${r.code}`}>
                    <td>
                      <code>{r.recordId}</code>
                    </td>
                    <td>
                      <code>{r.code}</code>
                    </td>
                    <td>{r.reason}</td>
                    <td>{r.category ?? '—'}</td>
                    <td>{r.retryable === undefined ? '—' : r.retryable ? 'yes' : 'no'}</td>
                    {hasFix && <td>{r.fix ?? '—'}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}

      {warnings.length > 0 && (
        <section aria-labelledby="warnings-heading" className="card">
          <h2 id="warnings-heading">Warnings</h2>
          <ul>
            {warnings.map((w) => (
              <li key={`${w.rule}-${w.message}`}>
                <code>{w.rule}</code>: {w.message}
              </li>
            ))}
          </ul>
        </section>
      )}

      <div className="detail-grid">
        <section aria-labelledby="links-heading" className="card">
          <h2 id="links-heading">Re-syncs</h2>
          {parentId ? (
            <p>
              Re-sync of{' '}
              <Link to="/syncs/$syncId" params={{ syncId: parentId }}>
                sync {parentId.slice(0, 8)}
              </Link>
              {log.payloadSummary?.recordIds
                ? ` (${log.payloadSummary.recordIds.length} records)`
                : ' (whole period)'}
              .
            </p>
          ) : (
            <p className="muted">An original sync (not a re-sync).</p>
          )}
          {(children.data ?? []).length > 0 ? (
            <ul>
              {(children.data ?? []).map((c) => (
                <li key={c.id}>
                  Re-synced by{' '}
                  <Link to="/syncs/$syncId" params={{ syncId: c.id }}>
                    sync {c.id.slice(0, 8)}
                  </Link>{' '}
                  <StatusBadge status={c.status} />
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No re-sync of this sync yet.</p>
          )}
          {can(session.role, 'resync.start') && (log.status === 'partial' || log.status === 'failed') && (
            <ResyncPanel syncLogId={log.id} organizationId={log.organizationId} />
          )}
        </section>

        <section aria-labelledby="seal-heading" className="card">
          <h2 id="seal-heading">Seal</h2>
          {!terminal ? (
            <p className="muted">Sealed into the organization's hash chain when it finishes.</p>
          ) : seal.error ? (
            <ErrorMessage error={seal.error} />
          ) : seal.data ? (
            <dl className="fields">
              <dt>Chain position</dt>
              <dd>{seal.data.chainSeq}</dd>
              <dt>Hash</dt>
              <dd>
                <code className="hash">{seal.data.chainHash}</code>
              </dd>
              <dt>Previous hash</dt>
              <dd>
                <code className="hash">{seal.data.prevHash}</code>
              </dd>
            </dl>
          ) : seal.isPending ? (
            <p className="muted">Loading seal…</p>
          ) : (
            <p className="muted">Not sealed.</p>
          )}
        </section>
      </div>

      {log.payloadSummary && (
        <section aria-labelledby="payload-heading" className="card">
          <h2 id="payload-heading">Payload summary</h2>
          {/* Collapsed: it lists every record id, which would push the page far down. */}
          <details>
            <summary>Show the payload summary as recorded (JSON)</summary>
            <pre className="payload">{JSON.stringify(log.payloadSummary, null, 2)}</pre>
          </details>
        </section>
      )}
    </>
  );
}

/** Preview which records a re-sync sends, then run it and follow the new sync. */
function ResyncPanel({ syncLogId, organizationId }: { syncLogId: string; organizationId: string }) {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const [previewing, setPreviewing] = useState(false);
  const plan = useQuery({ ...trpc.resync.plan.queryOptions({ organizationId }), enabled: previewing });
  const entry = plan.data?.find((e) => e.latestSyncLogId === syncLogId);
  const start = useMutation(
    trpc.resync.start.mutationOptions({
      onSuccess: (log) => void navigate({ to: '/syncs/$syncId', params: { syncId: log.id } }),
    }),
  );
  if (!previewing)
    return (
      <button type="button" onClick={() => setPreviewing(true)}>
        Preview re-sync
      </button>
    );
  return (
    <div className="resync" aria-live="polite">
      {plan.error && <ErrorMessage error={plan.error} />}
      {plan.isPending && <p className="muted">Working out what to send again…</p>}
      {plan.data &&
        (entry ? (
          <p>
            {entry.wholePeriod
              ? `The whole period ${formatPeriod(entry.periodStart, entry.periodEnd)} is sent again; records the ledger already holds are skipped.`
              : `${entry.failedRecordIds.length} rejected record${entry.failedRecordIds.length === 1 ? '' : 's'} will be sent again: ${entry.failedRecordIds.slice(0, 5).join(', ')}${entry.failedRecordIds.length > 5 ? '…' : ''}.`}
          </p>
        ) : (
          <p className="notice notice-warning">
            A later attempt exists for this period, so the re-sync plan no longer lists this sync. Running it
            still sends this sync's rejected records again.
          </p>
        ))}
      {start.error && <ErrorMessage error={start.error} />}
      <div className="actions">
        <button
          type="button"
          onClick={() => start.mutate({ syncLogId })}
          disabled={start.isPending || plan.isPending}
        >
          {start.isPending ? 'Starting…' : 'Run re-sync'}
        </button>
        <button type="button" className="button-secondary" onClick={() => setPreviewing(false)}>
          Cancel
        </button>
      </div>
    </div>
  );
}
