import { Link } from '@tanstack/react-router';
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

/** The sync log table; plain rows (no per-row state) so 200 rows render in one cheap pass. */
export function HistoryTable({
  rows,
  names,
}: {
  rows: readonly HistoryRow[];
  names: ReadonlyMap<string, string>;
}) {
  return (
    <div className="table-wrap">
      <table className="history">
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
                <Link to="/syncs/$syncId" params={{ syncId: row.id }}>
                  {formatDateTime(row.startedAt)}
                </Link>
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
