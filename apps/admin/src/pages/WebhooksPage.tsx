import { getRouteApi } from '@tanstack/react-router';
import { useId } from 'react';
import { CreateWebhookForm } from '../components/webhooks/CreateWebhookForm';
import { WebhookEndpoints } from '../components/webhooks/WebhookEndpoints';
import { useOrganizations } from '../lib/organizations';
import { useSignedIn } from '../lib/session-context';

const route = getRouteApi('/signed-in/webhooks');

/** Webhook endpoints of one organization: add (secret shown once), list, test, delivery log, delete. */
export function WebhooksPage() {
  const session = useSignedIn();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const organizations = useOrganizations();
  const id = useId();
  const organizationId =
    session.organizationId ?? search.organizationId ?? organizations.list[0]?.id ?? undefined;
  const organization = organizationId ? organizations.byId.get(organizationId) : undefined;
  return (
    <>
      <div className="page-head">
        <h1>Webhooks{organization ? ` of ${organization.name}` : ''}</h1>
      </div>
      <p className="muted">
        Meander posts signed events (Standard Webhooks: <code>webhook-id</code>,{' '}
        <code>webhook-timestamp</code>, <code>webhook-signature</code>) to these endpoints when a sync
        finishes or an integration's health changes.
      </p>
      {!session.organizationId && organizations.list.length > 0 && (
        <div className="field">
          <label htmlFor={`${id}-org`}>Organization</label>
          <select
            id={`${id}-org`}
            value={organizationId ?? ''}
            onChange={(e) => void navigate({ search: { organizationId: e.target.value } })}
          >
            {organizations.list.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {organizationId && organization && (
        <>
          <CreateWebhookForm key={organizationId} organizationId={organizationId} />
          <WebhookEndpoints organizationId={organizationId} timeZone={organization.timeZone} />
        </>
      )}
    </>
  );
}
