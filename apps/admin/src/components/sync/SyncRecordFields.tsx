import { formatDateTime, formatMoney, SYNC_TYPE_LABELS } from '../../lib/format';
import type { OrganizationView } from '../../lib/organizations';
import type { Session } from '../../lib/session';
import { userLabel } from '../../lib/users';
import { StatusBadge } from '../StatusBadge';
import type { SyncLogView } from './types';

/** The record's fields, people's names instead of ids, times in the organization's zone. */
export function SyncRecordFields({
  log,
  organization,
  system,
  session,
}: {
  log: SyncLogView;
  organization: OrganizationView;
  system: string;
  session: Session;
}) {
  const summary = log.payloadSummary;
  return (
    <section aria-labelledby="fields-heading" className="card">
      <h2 id="fields-heading">Record</h2>
      <dl className="fields">
        <dt>Sync id</dt>
        <dd>
          <code>{log.id}</code>
        </dd>
        <dt>Organization</dt>
        <dd title={log.organizationId}>{organization.name}</dd>
        <dt>Accounting system</dt>
        <dd>{system}</dd>
        <dt>Sync type</dt>
        <dd>{SYNC_TYPE_LABELS[log.syncType] ?? log.syncType}</dd>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={log.status} />
        </dd>
        <dt>Triggered by</dt>
        <dd title={log.triggeredBy ?? undefined}>
          {log.triggeredBy ? userLabel(log.triggeredBy, session) : 'the schedule (no user)'}
        </dd>
        <dt>Period start</dt>
        <dd>{formatDateTime(log.periodStart, organization.timeZone)}</dd>
        <dt>Period end</dt>
        <dd>{formatDateTime(log.periodEnd, organization.timeZone)}</dd>
        {summary?.totalAmountMinor !== undefined && summary.currency && (
          <>
            <dt>Total sent</dt>
            <dd className="money">{formatMoney(summary.totalAmountMinor, summary.currency)}</dd>
          </>
        )}
        <dt>External reference</dt>
        <dd>
          {log.externalReferenceId ? <code>{log.externalReferenceId}</code> : 'none (nothing posted yet)'}
        </dd>
      </dl>
    </section>
  );
}
