import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { ErrorMessage } from '../components/ErrorMessage';
import { LiveProgress } from '../components/LiveProgress';
import { ProgressBar } from '../components/ProgressBar';
import { StatusBadge } from '../components/StatusBadge';
import { FailureSection } from '../components/sync/FailureSection';
import { RejectionsSection } from '../components/sync/RejectionsSection';
import { ResyncSection } from '../components/sync/ResyncSection';
import { ReversalSection } from '../components/sync/ReversalSection';
import { SealSection } from '../components/sync/SealSection';
import { SyncRecordFields } from '../components/sync/SyncRecordFields';
import { SyncTimeline } from '../components/sync/SyncTimeline';
import { formatPeriod, SYSTEM_LABELS } from '../lib/format';
import { useOrganization } from '../lib/organizations';
import { useSignedIn } from '../lib/session-context';
import { useTRPC } from '../lib/trpc';

const route = getRouteApi('/signed-in/syncs/$syncId');

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
  const organization = useOrganization(log?.organizationId);

  if (sync.error) return <ErrorMessage error={sync.error} onRetry={() => void sync.refetch()} />;
  if (!log || !organization) return <p className="muted">Loading sync…</p>;

  const terminal = !['pending', 'in_progress'].includes(log.status);
  const details = log.errorDetails;
  const warnings = details?.warnings ?? [];
  const system = SYSTEM_LABELS[log.accountingSystem] ?? log.accountingSystem;
  const zone = organization.timeZone;

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
          {organization.name}: {system} export, {formatPeriod(log.periodStart, log.periodEnd, zone)}
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
        <SyncRecordFields log={log} organization={organization} system={system} session={session} />
        <SyncTimeline log={log} timeZone={zone} />
      </div>

      <FailureSection log={log} />

      {(details?.recordFailures?.length ?? 0) > 0 && (
        <RejectionsSection
          syncLogId={log.id}
          recordsFailed={log.recordsFailed}
          truncated={details?.recordFailuresTruncated === true}
        />
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
        <ResyncSection log={log} timeZone={zone} />
        <SealSection log={log} terminal={terminal} />
      </div>

      <ReversalSection log={log} />

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
