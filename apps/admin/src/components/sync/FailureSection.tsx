import { type FailureFields, failureName } from '../../lib/failure';
import type { SyncLogView } from './types';

/** Rejected records per catalogue category, most first. */
function recordCategories(failures: readonly FailureFields[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const f of failures) {
    const { category } = failureName(f);
    counts.set(category, (counts.get(category) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Why a sync failed or was partial, named as on the card: catalogue code and category first. */
export function FailureSection({ log }: { log: SyncLogView }) {
  const details = log.errorDetails;
  if (!details) return null;
  const name = failureName(details);
  const byCategory = recordCategories(details.recordFailures ?? []);
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
        {/* A partial sync's own category is a summary; what to do depends on its records'. */}
        <dd>
          {byCategory.length > 0 && !details.catalogCode
            ? byCategory
                .map(([category, count]) => `${category} (${count} record${count === 1 ? '' : 's'})`)
                .join(', ')
            : name.category}
        </dd>
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
