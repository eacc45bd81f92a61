import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../lib/trpc';
import { ErrorMessage } from './ErrorMessage';

/** `organizations.checkConnection` on demand: each read-only check of the ledger with its message. */
export function ConnectionCheck({ organizationId, name }: { organizationId: string; name: string }) {
  const trpc = useTRPC();
  const [asked, setAsked] = useState(false);
  const check = useQuery({
    ...trpc.organizations.checkConnection.queryOptions({ organizationId }),
    enabled: asked,
    retry: false,
    staleTime: 0,
    gcTime: 0,
  });
  const report = check.data;
  return (
    <div className="connection-check">
      <button
        type="button"
        className="button-secondary"
        onClick={() => (asked ? void check.refetch() : setAsked(true))}
        disabled={check.isFetching}
      >
        {check.isFetching ? 'Checking connection…' : report ? 'Check connection again' : 'Check connection'}
      </button>
      <div aria-live="polite">
        {report && (
          <section aria-label={`Connection check of ${name}`} className="checks">
            <p className={report.ok ? 'notice notice-success' : 'notice notice-error'}>
              {report.ok
                ? 'Connection OK: every check passed.'
                : `Connection check failed: ${report.checks.filter((c) => !c.ok).length} of ${report.checks.length} checks did not pass.`}
            </p>
            <ul className="check-list">
              {report.checks.map((c) => (
                <li key={c.name} className={c.ok ? 'check-ok' : 'check-failed'}>
                  <span className="check-mark">{c.ok ? 'Passed' : 'Failed'}</span> <strong>{c.name}</strong>:{' '}
                  {c.message}
                </li>
              ))}
            </ul>
          </section>
        )}
      </div>
      {check.error && <ErrorMessage error={check.error} />}
    </div>
  );
}
