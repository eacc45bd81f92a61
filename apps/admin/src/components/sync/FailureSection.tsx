import { failureName } from '../../lib/failure';
import type { SyncLogView } from './types';

/** Why a sync failed or was partial, named as on the card: catalogue code and category first. */
export function FailureSection({ log }: { log: SyncLogView }) {
  const details = log.errorDetails;
  if (!details) return null;
  const name = failureName(details);
  return (
    <section aria-labelledby="error-heading" className="card">
      <h2 id="error-heading">{log.status === 'failed' ? 'Why it failed' : 'What went wrong'}</h2>
      <p>{details.message}</p>
      <dl className="fields">
        <dt>Code</dt>
        <dd>
          <code>{name.code}</code>
          {name.vendorCode && (
            <span className="muted">
              {' '}
              · ledger code <code>{name.vendorCode}</code>
            </span>
          )}
        </dd>
        <dt>Category</dt>
        <dd>{name.category}</dd>
        <dt>Retrying can help</dt>
        <dd>{details.retryable ? 'yes' : 'no'}</dd>
        {details.providerCode && (
          <>
            <dt>Ledger's code</dt>
            <dd>
              <code>{details.providerCode}</code>
            </dd>
          </>
        )}
        {details.correlationId && (
          <>
            <dt>Correlation id</dt>
            <dd>
              <code>{details.correlationId}</code>
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}
