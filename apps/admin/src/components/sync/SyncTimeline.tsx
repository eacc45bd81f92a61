import { formatDateTime, formatDuration } from '../../lib/format';
import type { SyncLogView } from './types';

/** When it was created, started and completed, in the organization's zone; and the counts. */
export function SyncTimeline({ log, timeZone }: { log: SyncLogView; timeZone: string }) {
  const waited = formatDuration(log.createdAt, log.startedAt);
  const took = formatDuration(log.startedAt, log.completedAt);
  return (
    <section aria-labelledby="timeline-heading" className="card">
      <h2 id="timeline-heading">Timeline</h2>
      <ol className="timeline">
        <li>
          <strong>Created</strong> {formatDateTime(log.createdAt, timeZone)}
        </li>
        <li>
          <strong>Started</strong> {formatDateTime(log.startedAt, timeZone)}
          {waited && <span className="muted"> (+{waited})</span>}
        </li>
        <li>
          <strong>Completed</strong> {log.completedAt ? formatDateTime(log.completedAt, timeZone) : 'not yet'}
          {took && <span className="muted"> (took {took})</span>}
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
  );
}
