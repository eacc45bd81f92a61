import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { formatDateTime } from '../../lib/format';
import { useTRPC } from '../../lib/trpc';
import { ErrorMessage } from '../ErrorMessage';
import { DeliveryLog } from './DeliveryLog';

type Endpoint = { id: string; url: string; events: string[]; createdAt: string };

/** The organization's endpoints, each with "Send test", its delivery log and "Delete". */
export function WebhookEndpoints({ organizationId, timeZone }: { organizationId: string; timeZone: string }) {
  const trpc = useTRPC();
  const endpoints = useQuery(trpc.webhooks.list.queryOptions({ organizationId }));
  return (
    <section aria-labelledby="endpoints-heading" className="card">
      <h2 id="endpoints-heading">Endpoints ({endpoints.data?.length ?? 0})</h2>
      {endpoints.error && <ErrorMessage error={endpoints.error} />}
      {endpoints.isPending && <p className="muted">Loading endpoints…</p>}
      {endpoints.data?.length === 0 && <p className="empty">No webhook endpoints yet.</p>}
      <ul className="endpoints">
        {(endpoints.data ?? []).map((e) => (
          <li key={e.id}>
            <EndpointItem endpoint={e} organizationId={organizationId} timeZone={timeZone} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function EndpointItem({
  endpoint,
  organizationId,
  timeZone,
}: {
  endpoint: Endpoint;
  organizationId: string;
  timeZone: string;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const deliveriesKey = trpc.webhooks.deliveries.queryKey({ id: endpoint.id, limit: 50 });
  const test = useMutation(
    trpc.webhooks.test.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: deliveriesKey }),
    }),
  );
  const remove = useMutation(
    trpc.webhooks.delete.mutationOptions({
      onSuccess: () =>
        void queryClient.invalidateQueries({ queryKey: trpc.webhooks.list.queryKey({ organizationId }) }),
    }),
  );
  return (
    <article className="endpoint" aria-label={`Webhook endpoint ${endpoint.url}`}>
      <h3>
        <code>{endpoint.url}</code>
      </h3>
      <p className="muted">
        Events: {endpoint.events.join(', ')} · added {formatDateTime(endpoint.createdAt, timeZone)}
      </p>
      <div className="actions">
        <button
          type="button"
          className="button-secondary"
          onClick={() => test.mutate({ id: endpoint.id })}
          disabled={test.isPending}
        >
          {test.isPending ? 'Sending…' : 'Send test event'}
        </button>
        {confirming ? (
          <>
            <button
              type="button"
              className="button-danger"
              onClick={() => remove.mutate({ id: endpoint.id })}
            >
              Delete {endpoint.url} and its delivery log
            </button>
            <button type="button" className="button-secondary" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </>
        ) : (
          <button type="button" className="button-secondary" onClick={() => setConfirming(true)}>
            Delete…
          </button>
        )}
      </div>
      {test.isSuccess && (
        <p className="notice notice-success" role="status">
          Test event queued; its delivery appears below.
        </p>
      )}
      {test.error && <ErrorMessage error={test.error} />}
      {remove.error && <ErrorMessage error={remove.error} />}
      <h4>Delivery log</h4>
      <DeliveryLog endpointId={endpoint.id} timeZone={timeZone} />
    </article>
  );
}
