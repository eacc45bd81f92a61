import { getRouteApi, Link } from '@tanstack/react-router';
import { ErrorMessage } from '../components/ErrorMessage';
import { HealthBadge } from '../components/StatusBadge';
import { formatDateTime, SYSTEM_LABELS, shortId } from '../lib/format';
import { type HealthProblemView, useIntegrationHealth } from '../lib/health';
import { useOrganization } from '../lib/organizations';

const route = getRouteApi('/signed-in/problems');

/** An integration's problems: what keeps failing, since when, how often, and the latest sync it hit. */
export function ProblemsPage() {
  const { organizationId, accountingSystem } = route.useSearch();
  const health = useIntegrationHealth(organizationId || undefined);
  const organization = useOrganization(organizationId);
  const entry = health.data?.find(
    (h) => h.organizationId === organizationId && h.accountingSystem === accountingSystem,
  );
  const system = SYSTEM_LABELS[accountingSystem] ?? accountingSystem;
  const zone = organization?.timeZone ?? 'UTC';
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/">Integrations</Link> / Problems
      </nav>
      <div className="page-head">
        <h1>
          Problems of {organization?.name ?? organizationId} · {system}
        </h1>
        {entry && <HealthBadge state={entry.state} />}
      </div>
      {health.error && <ErrorMessage error={health.error} onRetry={() => void health.refetch()} />}
      {health.isPending && <p className="muted">Loading problems…</p>}
      {health.data && !entry && <p className="empty">No such integration.</p>}
      {entry && (
        <>
          <ProblemTable title="Open problems" rows={entry.openProblems} timeZone={zone} />
          <ProblemTable title="Resolved in the last 30 days" rows={entry.resolvedProblems} timeZone={zone} />
        </>
      )}
    </>
  );
}

function ProblemTable({
  title,
  rows,
  timeZone,
}: {
  title: string;
  rows: readonly HealthProblemView[];
  timeZone: string;
}) {
  const id = title.toLowerCase().replace(/\W+/g, '-');
  return (
    <section aria-labelledby={id} className="card">
      <h2 id={id}>
        {title} ({rows.length})
      </h2>
      {rows.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <div className="table-wrap">
          <table className="problems-table">
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Message</th>
                <th scope="col">First seen</th>
                <th scope="col">Last seen</th>
                <th scope="col" className="num">
                  Occurrences
                </th>
                <th scope="col">Latest sync</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={`${p.code}-${p.firstSeenAt}`}>
                  <td>
                    <code>{p.code}</code> <span className="muted">({p.category})</span>
                  </td>
                  <td>{p.message}</td>
                  <td>{formatDateTime(p.firstSeenAt, timeZone)}</td>
                  <td>{formatDateTime(p.lastSeenAt, timeZone)}</td>
                  <td className="num">{p.occurrences}</td>
                  <td>
                    <Link to="/syncs/$syncId" params={{ syncId: p.lastSyncLogId }}>
                      sync {shortId(p.lastSyncLogId)}
                    </Link>
                    {p.resolvedAt && (
                      <div className="muted small">resolved {formatDateTime(p.resolvedAt, timeZone)}</div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
