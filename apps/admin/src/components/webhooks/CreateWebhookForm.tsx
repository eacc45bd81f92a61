import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTRPC } from '../../lib/trpc';
import { ErrorMessage } from '../ErrorMessage';

/** The events an endpoint can subscribe to (`WEBHOOK_EVENTS` of @meander/db, restated for the bundle). */
const WEBHOOK_EVENT_LABELS = {
  'sync.succeeded': 'Sync succeeded',
  'sync.partial': 'Sync partial',
  'sync.failed': 'Sync failed',
  'integration.health_changed': 'Integration health changed',
} as const;
type WebhookEvent = keyof typeof WEBHOOK_EVENT_LABELS;
const EVENTS = Object.keys(WEBHOOK_EVENT_LABELS) as WebhookEvent[];

/** Register an endpoint; the signing secret the API returns is shown here once, then gone. */
export function CreateWebhookForm({ organizationId }: { organizationId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>(EVENTS);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const create = useMutation(
    trpc.webhooks.create.mutationOptions({
      onSuccess: (endpoint) => {
        setSecret({ url: endpoint.url, secret: endpoint.secret });
        setUrl('');
        void queryClient.invalidateQueries({ queryKey: trpc.webhooks.list.queryKey({ organizationId }) });
      },
    }),
  );
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setSecret(null);
    create.mutate({ organizationId, url, events });
  }
  const toggle = (e: WebhookEvent) =>
    setEvents((current) => (current.includes(e) ? current.filter((x) => x !== e) : [...current, e]));
  return (
    <section aria-labelledby={`${id}-heading`} className="card">
      <h2 id={`${id}-heading`}>Add an endpoint</h2>
      <form onSubmit={onSubmit} aria-label="Add a webhook endpoint">
        <div className="field">
          <label htmlFor={`${id}-url`}>Endpoint URL</label>
          <input
            id={`${id}-url`}
            type="url"
            required
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://example.com/meander-webhooks"
          />
        </div>
        <fieldset className="field">
          <legend>Events</legend>
          {EVENTS.map((e) => (
            <label key={e} className="checkbox">
              <input type="checkbox" checked={events.includes(e)} onChange={() => toggle(e)} />{' '}
              {WEBHOOK_EVENT_LABELS[e]} <code>{e}</code>
            </label>
          ))}
        </fieldset>
        {create.error && <ErrorMessage error={create.error} />}
        <div className="actions">
          <button type="submit" disabled={create.isPending || events.length === 0}>
            {create.isPending ? 'Adding…' : 'Add endpoint'}
          </button>
        </div>
      </form>
      {secret && (
        <div className="notice notice-warning" role="status">
          <p>
            Endpoint {secret.url} added. Its signing secret is shown <strong>only this once</strong>: copy it
            into the receiver's configuration now.
          </p>
          <label htmlFor={`${id}-secret`}>Signing secret</label>
          <input
            id={`${id}-secret`}
            className="secret"
            readOnly
            value={secret.secret}
            size={secret.secret.length}
            onFocus={(e) => e.target.select()}
          />
          <button type="button" className="button-secondary" onClick={() => setSecret(null)}>
            I have copied the secret
          </button>
        </div>
      )}
    </section>
  );
}
