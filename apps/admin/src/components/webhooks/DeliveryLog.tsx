import { useQuery } from '@tanstack/react-query';
import { formatDateTime } from '../../lib/format';
import { useTRPC } from '../../lib/trpc';
import { ErrorMessage } from '../ErrorMessage';

const STATUS = { pending: 'Pending', succeeded: 'Delivered', failed: 'Failed' } as const;

/** An endpoint's deliveries, newest first: status, attempts, the receiver's answer, the next retry. */
export function DeliveryLog({ endpointId, timeZone }: { endpointId: string; timeZone: string }) {
  const trpc = useTRPC();
  const deliveries = useQuery({
    ...trpc.webhooks.deliveries.queryOptions({ id: endpointId, limit: 50 }),
    // Deliveries appear and change under the worker: followed closely while any is pending.
    refetchInterval: (q) => (q.state.data?.some((d) => d.status === 'pending') ? 2_000 : 5_000),
  });
  if (deliveries.error) return <ErrorMessage error={deliveries.error} />;
  if (!deliveries.data) return <p className="muted">Loading deliveries…</p>;
  if (deliveries.data.length === 0) return <p className="muted">No deliveries yet.</p>;
  return (
    <div className="table-wrap">
      <table className="deliveries">
        <caption className="visually-hidden">Deliveries to this endpoint, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Created</th>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Attempts
            </th>
            <th scope="col" className="num">
              Response
            </th>
            <th scope="col">Error</th>
            <th scope="col">Next retry</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.data.map((d) => (
            <tr key={d.id}>
              <td>{formatDateTime(d.createdAt, timeZone)}</td>
              <td>
                <code>{d.eventType}</code>
              </td>
              <td>{STATUS[d.status] ?? d.status}</td>
              <td className="num">{d.attempts}</td>
              <td className="num">{d.lastStatusCode ?? '—'}</td>
              <td>{d.lastError ?? '—'}</td>
              <td>{d.nextAttemptAt ? formatDateTime(d.nextAttemptAt, timeZone) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
