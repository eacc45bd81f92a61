import { useNavigate } from '@tanstack/react-router';
import { useEffect, useRef } from 'react';
import { formatDateTime, formatPeriod, SYNC_TYPE_LABELS, SYSTEM_LABELS } from '../lib/format';
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
}

/**
 * The sync log table. Rows are plain elements with plain links: a router `<Link>` per row subscribes
 * to router state and costs several times the row itself, so one listener on the table turns clicks
 * on those links into client-side navigation instead (modifier clicks still open new tabs).
 */
export function HistoryTable({
  rows,
  names,
}: {
  rows: readonly HistoryRow[];
  names: ReadonlyMap<string, string>;
}) {
  const navigate = useNavigate();
  const table = useRef<HTMLTableElement>(null);
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
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              <td>
                <a href={`/syncs/${row.id}`} data-sync-id={row.id}>
                  {formatDateTime(row.startedAt)}
                </a>
              </td>
              <td>{names.get(row.organizationId) ?? row.organizationId}</td>
              <td>{SYSTEM_LABELS[row.accountingSystem] ?? row.accountingSystem}</td>
              <td>{SYNC_TYPE_LABELS[row.syncType] ?? row.syncType}</td>
              <td>
                <StatusBadge status={row.status} />
              </td>
              <td>{formatPeriod(row.periodStart, row.periodEnd)}</td>
              <td className="num">
                {row.recordsSynced} / {row.recordsFailed} / {row.recordsTotal}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
