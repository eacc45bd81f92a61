import type { PrincipalRole } from '@meander/domain';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { ChainActions } from '../components/ChainActions';
import { ConnectionCheck } from '../components/ConnectionCheck';
import { ErrorMessage } from '../components/ErrorMessage';
import { ExportForm } from '../components/ExportForm';
import { LiveProgress } from '../components/LiveProgress';
import { HealthBadge, StatusBadge } from '../components/StatusBadge';
import { formatDateTime, formatPercent, formatRelative, SYSTEM_LABELS } from '../lib/format';
import { type IntegrationHealth, useIntegrationHealth } from '../lib/health';
import { type OrganizationView, useOrganizations } from '../lib/organizations';
import { can } from '../lib/permissions';
import { useSignedIn } from '../lib/session-context';

/** One card per organization and accounting system: health, last run, live progress, actions. */
export function IntegrationsPage() {
  const session = useSignedIn();
  const health = useIntegrationHealth(session.organizationId ?? undefined);
  const organizations = useOrganizations();
  const withIntegration = new Set((health.data ?? []).map((h) => h.organizationId));
  const withoutIntegration = organizations.list.filter((o) => !withIntegration.has(o.id));

  return (
    <>
      <h1>Integrations</h1>
      {health.error && <ErrorMessage error={health.error} onRetry={() => void health.refetch()} />}
      {health.isPending && <p className="muted">Loading integrations…</p>}
      {health.data && health.data.length === 0 && withoutIntegration.length === 0 && (
        <p className="empty">No integrations yet: no organization has an accounting module with syncs.</p>
      )}
      <ul className="cards" aria-label="Integrations">
        {(health.data ?? []).map((h) => (
          <li key={`${h.organizationId}-${h.accountingSystem}`}>
            <IntegrationCard
              health={h}
              organization={
                organizations.byId.get(h.organizationId) ?? {
                  id: h.organizationId,
                  name: `Organization ${h.organizationId.slice(0, 8)}`,
                  timeZone: 'UTC',
                }
              }
              role={session.role}
            />
          </li>
        ))}
        {withoutIntegration.map((o) => (
          <li key={o.id}>
            <article className="card integration" aria-labelledby={`org-${o.id}`}>
              <header className="card-header">
                <h2 id={`org-${o.id}`}>{o.name}</h2>
                <HealthBadge state="disabled" />
              </header>
              <p className="muted">No syncs recorded: the accounting module is disabled or not set up yet.</p>
            </article>
          </li>
        ))}
      </ul>
    </>
  );
}

function IntegrationCard({
  health,
  organization,
  role,
}: {
  health: IntegrationHealth;
  organization: OrganizationView;
  role: PrincipalRole;
}) {
  const name = organization.name;
  const zone = organization.timeZone;
  const open = health.openProblems.length;
  const [exporting, setExporting] = useState(false);
  const headingId = `card-${health.organizationId}-${health.accountingSystem}`;
  const system = SYSTEM_LABELS[health.accountingSystem] ?? health.accountingSystem;
  return (
    <article
      className="card integration"
      aria-labelledby={headingId}
      data-organization={health.organizationId}
    >
      <header className="card-header">
        <h2 id={headingId}>
          {name} <span className="system">· {system}</span>
        </h2>
        <HealthBadge state={health.state} />
      </header>
      {health.problems.length > 0 && (
        <ul className="problems">
          {health.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {open > 0 && (
        <p className="open-problems">
          <Link
            to="/problems"
            search={{ organizationId: health.organizationId, accountingSystem: health.accountingSystem }}
          >
            {open} open problem{open === 1 ? '' : 's'}
          </Link>
          : {health.openProblems.map((p) => `${p.code} (${p.category})`).join(', ')}
        </p>
      )}
      <IntegrationFacts health={health} zone={zone} />
      {health.activeSync && (
        <section aria-label={`Active sync of ${name}`} className="active-sync">
          <h3>
            Active sync{' '}
            <Link to="/syncs/$syncId" params={{ syncId: health.activeSync.id }}>
              open
            </Link>
          </h3>
          {health.stuck && (
            <p className="notice notice-error">
              Stuck: no heartbeat for a while. The worker will fail it and it can be re-synced.
            </p>
          )}
          <LiveProgress syncLogId={health.activeSync.id} label={`Progress of ${name}'s active sync`} />
        </section>
      )}
      <div className="actions">
        <Link to="/history" search={{ organizationId: health.organizationId }} className="button-link">
          History
        </Link>
        <Link
          to="/problems"
          search={{ organizationId: health.organizationId, accountingSystem: health.accountingSystem }}
          className="button-link"
        >
          Problems
        </Link>
        {/* A disabled module refuses exports: the action is not offered. */}
        {can(role, 'sync.export') && health.state !== 'disabled' && !exporting && (
          <button type="button" onClick={() => setExporting(true)}>
            Export…
          </button>
        )}
      </div>
      {exporting && (
        <ExportForm
          organizationId={health.organizationId}
          timeZone={zone}
          onCancel={() => setExporting(false)}
        />
      )}
      {can(role, 'sync.export') && health.state !== 'disabled' && (
        <ConnectionCheck organizationId={health.organizationId} name={name} />
      )}
      {/* A disabled integration that never synced has no chain to speak of. */}
      {(health.state !== 'disabled' || health.lastSync) && (
        <ChainActions organizationId={health.organizationId} />
      )}
    </article>
  );
}

/** Last success (relative, exact time in the title), next run, success rate, last sync. */
function IntegrationFacts({ health, zone }: { health: IntegrationHealth; zone: string }) {
  return (
    <dl className="facts">
      <div>
        <dt>Last success</dt>
        <dd title={health.lastSuccessAt ? formatDateTime(health.lastSuccessAt, zone) : undefined}>
          {health.lastSuccessAt ? formatRelative(health.lastSuccessAt) : 'never'}
        </dd>
      </div>
      <div>
        <dt>Next scheduled run</dt>
        <dd>{health.nextRunAt ? formatDateTime(health.nextRunAt, zone) : 'not scheduled'}</dd>
      </div>
      <div>
        <dt>Success rate (30 days)</dt>
        <dd>{formatPercent(health.successRate30d)}</dd>
      </div>
      <div>
        <dt>Last sync</dt>
        <dd>
          {health.lastSync ? (
            <Link to="/syncs/$syncId" params={{ syncId: health.lastSync.id }}>
              <StatusBadge status={health.lastSync.status} />{' '}
              {formatDateTime(health.lastSync.startedAt, zone)}
            </Link>
          ) : (
            'none'
          )}
        </dd>
      </div>
    </dl>
  );
}
