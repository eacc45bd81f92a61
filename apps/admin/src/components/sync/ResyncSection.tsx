import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { formatPeriod, shortId } from '../../lib/format';
import { can } from '../../lib/permissions';
import { childrenOf, resolvedBy } from '../../lib/resync-links';
import { useSignedIn } from '../../lib/session-context';
import { useTRPC } from '../../lib/trpc';
import { ErrorMessage } from '../ErrorMessage';
import { StatusBadge } from '../StatusBadge';
import type { SyncLogView } from './types';

/** Links to the parent and to every re-sync, the "resolved by" marker, and the re-sync action. */
export function ResyncSection({ log, timeZone }: { log: SyncLogView; timeZone: string }) {
  const trpc = useTRPC();
  const session = useSignedIn();
  const samePeriod = useQuery({
    ...trpc.syncLogs.list.queryOptions({
      organizationId: log.organizationId,
      periodFrom: log.periodStart,
      periodTo: log.periodEnd,
      limit: 200,
    }),
    select: (page) => page.items,
  });
  const syncs = samePeriod.data ?? [];
  const children = childrenOf(log, syncs);
  const fixedBy = resolvedBy(log, syncs);
  const parentId = log.payloadSummary?.parentSyncId;
  const parent = parentId ? syncs.find((s) => s.id === parentId) : undefined;
  return (
    <section aria-labelledby="links-heading" className="card">
      <h2 id="links-heading">Re-syncs</h2>
      {fixedBy && (
        <p className="notice notice-success">
          Resolved by{' '}
          <Link to="/syncs/$syncId" params={{ syncId: fixedBy.id }}>
            sync {shortId(fixedBy.id)}
          </Link>
          : a later sync of this period succeeded.
        </p>
      )}
      {parentId ? (
        <p>
          Re-sync of{' '}
          <Link to="/syncs/$syncId" params={{ syncId: parentId }}>
            sync {shortId(parentId)}
          </Link>{' '}
          {parent && <StatusBadge status={parent.status} />}
          {log.payloadSummary?.recordIds
            ? ` (${log.payloadSummary.recordIds.length} records)`
            : ' (whole period)'}
          .
        </p>
      ) : (
        <p className="muted">An original sync (not a re-sync).</p>
      )}
      {children.length > 0 ? (
        <ul>
          {children.map((c) => (
            <li key={c.id}>
              Re-synced by{' '}
              <Link to="/syncs/$syncId" params={{ syncId: c.id }}>
                sync {shortId(c.id)}
              </Link>{' '}
              <StatusBadge status={c.status} />
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No re-sync of this sync yet.</p>
      )}
      {/* Offered only while nothing later fixed it: a second re-sync of a fixed sync sends nothing useful. */}
      {can(session.role, 'resync.start') &&
        (log.status === 'partial' || log.status === 'failed') &&
        samePeriod.isSuccess &&
        !fixedBy && (
          <ResyncPanel syncLogId={log.id} organizationId={log.organizationId} timeZone={timeZone} />
        )}
    </section>
  );
}

/** Preview which records a re-sync sends, then run it and follow the new sync. */
function ResyncPanel({
  syncLogId,
  organizationId,
  timeZone,
}: {
  syncLogId: string;
  organizationId: string;
  timeZone: string;
}) {
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
  const ids = entry?.failedRecordIds ?? [];
  return (
    <div className="resync" aria-live="polite">
      {plan.error && <ErrorMessage error={plan.error} />}
      {plan.isPending && <p className="muted">Working out what to send again…</p>}
      {plan.data &&
        (entry ? (
          <p>
            {entry.wholePeriod
              ? `The whole period ${formatPeriod(entry.periodStart, entry.periodEnd, timeZone)} is sent again; records the ledger already holds are skipped.`
              : `${ids.length} rejected record${ids.length === 1 ? '' : 's'} will be sent again: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? '…' : ''}.`}
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
