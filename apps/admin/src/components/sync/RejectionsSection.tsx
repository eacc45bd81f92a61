import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { downloadWithToken } from '../../lib/csv';
import { formatMoney, totalsByCurrency } from '../../lib/format';
import { useSignedIn } from '../../lib/session-context';
import { useTRPC } from '../../lib/trpc';
import { ErrorMessage } from '../ErrorMessage';
import type { RejectedItemView } from './types';

/** Each rejected record with its date, amount, account, the catalogue's message and how to fix it. */
export function RejectionsSection({
  syncLogId,
  recordsFailed,
  truncated,
}: {
  syncLogId: string;
  recordsFailed: number;
  truncated: boolean;
}) {
  const trpc = useTRPC();
  const session = useSignedIn();
  const rejections = useQuery(trpc.rejections.list.queryOptions({ syncLogId }));
  const [csvError, setCsvError] = useState<unknown>(null);
  const items = rejections.data?.items ?? [];
  const totals = totalsByCurrency(items);

  async function downloadCsv() {
    setCsvError(null);
    try {
      await downloadWithToken(`/sync-logs/${syncLogId}/rejections.csv`, session.token);
    } catch (error) {
      setCsvError(error);
    }
  }

  return (
    <section aria-labelledby="rejections-heading" className="card">
      <div className="section-head">
        <h2 id="rejections-heading">Rejected records ({recordsFailed})</h2>
        <button type="button" className="button-secondary" onClick={() => void downloadCsv()}>
          Download rejections (CSV)
        </button>
      </div>
      {truncated && (
        <p className="notice notice-warning">
          The list is truncated; a re-sync sends the whole period again.
        </p>
      )}
      {csvError !== null && <ErrorMessage error={csvError} />}
      {rejections.error && <ErrorMessage error={rejections.error} />}
      {rejections.isPending && <p className="muted">Loading rejected records…</p>}
      {items.length > 0 && (
        <>
          <p className="totals" role="status">
            Rejected amount:{' '}
            {totals.map((t, i) => (
              <span key={t.currency}>
                {i > 0 ? ', ' : ''}
                <strong className="money">{formatMoney(t.totalMinor, t.currency)}</strong>
              </span>
            ))}
            {totals.length === 0 && '—'}
          </p>
          <RejectionsTable items={items} />
        </>
      )}
    </section>
  );
}

function RejectionsTable({ items }: { items: readonly RejectedItemView[] }) {
  return (
    <div className="table-wrap">
      <table className="rejections">
        <caption className="visually-hidden">
          Records the ledger rejected, with the reason and the fix
        </caption>
        <thead>
          <tr>
            <th scope="col">Record</th>
            <th scope="col">Booking date</th>
            <th scope="col" className="num">
              Amount
            </th>
            <th scope="col">Account</th>
            <th scope="col">Code</th>
            <th scope="col">Message</th>
            <th scope="col">How to fix</th>
          </tr>
        </thead>
        <tbody>
          {items.map((r) => (
            <tr key={`${r.recordId}-${r.code}-${r.vendorCode}`}>
              <td>
                <code>{r.recordId}</code>
              </td>
              <td>{r.bookingDate ?? '—'}</td>
              <td className="num money">
                {r.amountMinor !== null && r.currency ? formatMoney(r.amountMinor, r.currency) : '—'}
              </td>
              <td>{r.account ?? '—'}</td>
              <td>
                <code>{r.code}</code> <span className="muted">({r.category})</span>
                {r.vendorCode && r.vendorCode !== r.code && (
                  <div className="muted small">
                    ledger code <code>{r.vendorCode}</code>
                  </div>
                )}
              </td>
              <td>
                {r.message}
                <div className="muted small">Ledger said: {r.vendorReason}</div>
              </td>
              <td>{r.fix}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
