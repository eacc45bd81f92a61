import { useNavigate } from '@tanstack/react-router';
import { useEffect, useMemo, useRef } from 'react';
import { failureHeadline } from '../lib/failure';
import {
  formatDateTime,
  formatDuration,
  formatPeriod,
  SYNC_TYPE_LABELS,
  SYSTEM_LABELS,
  shortId,
} from '../lib/format';
import { linkIndex, type SyncLinks } from '../lib/resync-links';
import { StatusBadge } from './StatusBadge';

export interface HistoryRow {
  id: string;
  organizationId: string;
  accountingSystem: string;
  syncType: string;
  status: string;
  periodStart: string;
  periodEnd: string;
  recordsTotal: number;
  recordsSynced: number;
  recordsFailed: number;
  startedAt: string;
  completedAt?: string | null;
  errorDetails?: {
    code: string;
    message: string;
    category?: string;
    catalogCode?: string;
    catalogCategory?: string;
    recordFailures?: {
      code: string;
      reason: string;
      category?: string;
      catalogCode?: string;
      catalogCategory?: string;
    }[];
  } | null;
  payloadSummary?: { parentSyncId?: string } | null;
}

/** The first reason a sync gives: its sync-level error, else its first rejected record's. */
export function firstErrorReason(row: Pick<HistoryRow, 'status' | 'errorDetails'>): string {
  const details = row.errorDetails;
  if (!details || row.status === 'success') return '';
  const first = details.recordFailures?.[0];
  if (row.status === 'partial' && first) return `${failureHeadline(first)}: ${first.reason}`;
  return `${failureHeadline(details)}: ${details.message}`;
}

function LinksCell({ row, links }: { row: HistoryRow; links: SyncLinks | undefined }) {
  const parent = row.payloadSummary?.parentSyncId;
  return (
    <>
      {parent && (
        <div>
          re-sync of{' '}
          <a href={`/syncs/${parent}`} data-sync-id={parent}>
            {shortId(parent)}
          </a>
        </div>
      )}
      {links?.children.map((child) => (
        <div key={child}>
          re-synced by{' '}
          <a href={`/syncs/${child}`} data-sync-id={child}>
            {shortId(child)}
          </a>
        </div>
      ))}
      {links?.resolvedBy && (
        <div className="resolved">
          resolved by{' '}
          <a href={`/syncs/${links.resolvedBy}`} data-sync-id={links.resolvedBy}>
            {shortId(links.resolvedBy)}
          </a>
        </div>
      )}
    </>
  );
}

/**
 * The sync log table. Rows are plain elements with plain links: a router `<Link>` per row subscribes
 * to router state and costs several times the row itself, so one listener on the table turns clicks
 * on those links into client-side navigation instead (modifier clicks still open new tabs).
 */
export function HistoryTable({
  rows,
  names,
  zones,
}: {
  rows: readonly HistoryRow[];
  names: ReadonlyMap<string, string>;
  /** Each organization's time zone (UTC where missing). */
  zones?: ReadonlyMap<string, string>;
}) {
  const navigate = useNavigate();
  const table = useRef<HTMLTableElement>(null);
  const links = useMemo(() => linkIndex(rows), [rows]);
  useEffect(() => {
    const element = table.current;
    if (!element) return;
    const onClick = (event: MouseEvent) => {
      if (event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const link = (event.target as Element | null)?.closest('a[data-sync-id]');
      const syncId = link?.getAttribute('data-sync-id');
      if (!syncId) return;
      event.preventDefault();
      void navigate({ to: '/syncs/$syncId', params: { syncId } });
    };
    element.addEventListener('click', onClick);
    return () => element.removeEventListener('click', onClick);
  }, [navigate]);
  return (
    <div className="table-wrap">
      <table className="history" ref={table}>
        <caption className="visually-hidden">Sync history, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Organization</th>
            <th scope="col">System</th>
            <th scope="col">Type</th>
            <th scope="col">Status</th>
            <th scope="col">Period</th>
            <th scope="col" className="num">
              Synced / failed / total
            </th>
            <th scope="col" className="num">
              Duration
            </th>
            <th scope="col">First error</th>
            <th scope="col">Re-syncs</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const zone = zones?.get(row.organizationId);
            return (
              <tr key={row.id}>
                <td>
                  <a href={`/syncs/${row.id}`} data-sync-id={row.id}>
                    {formatDateTime(row.startedAt, zone)}
                  </a>
                </td>
                <td>{names.get(row.organizationId) ?? `Organization ${shortId(row.organizationId)}`}</td>
                <td>{SYSTEM_LABELS[row.accountingSystem] ?? row.accountingSystem}</td>
                <td>{SYNC_TYPE_LABELS[row.syncType] ?? row.syncType}</td>
                <td>
                  <StatusBadge status={row.status} />
                </td>
                <td>{formatPeriod(row.periodStart, row.periodEnd, zone)}</td>
                <td className="num">
                  {row.recordsSynced} / {row.recordsFailed} / {row.recordsTotal}
                </td>
                <td className="num">{formatDuration(row.startedAt, row.completedAt) || '—'}</td>
                <td className="reason">{firstErrorReason(row) || '—'}</td>
                <td>
                  <LinksCell row={row} links={links.get(row.id)} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
