import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../../lib/trpc';
import { ErrorMessage } from '../ErrorMessage';
import type { SyncLogView } from './types';

/** Where the finished sync sits in the organization's hash chain. */
export function SealSection({ log, terminal }: { log: SyncLogView; terminal: boolean }) {
  const trpc = useTRPC();
  const seal = useQuery({
    // cursor 0: the sealed rows alone, without the whole-chain walk the first evidence page does.
    ...trpc.audit.evidence.queryOptions({
      organizationId: log.organizationId,
      from: log.startedAt,
      to: log.startedAt,
      cursor: 0,
    }),
    enabled: terminal,
    select: (page) => page.rows.find((r) => r.id === log.id) ?? null,
  });
  return (
    <section aria-labelledby="seal-heading" className="card">
      <h2 id="seal-heading">Seal</h2>
      {!terminal ? (
        <p className="muted">Sealed into the organization's hash chain when it finishes.</p>
      ) : seal.error ? (
        <ErrorMessage error={seal.error} />
      ) : seal.data ? (
        <dl className="fields">
          <dt>Chain position</dt>
          <dd>{seal.data.chainSeq}</dd>
          <dt>Hash</dt>
          <dd>
            <code className="hash">{seal.data.chainHash}</code>
          </dd>
          <dt>Previous hash</dt>
          <dd>
            <code className="hash">{seal.data.prevHash}</code>
          </dd>
        </dl>
      ) : seal.isPending ? (
        <p className="muted">Loading seal…</p>
      ) : (
        <p className="muted">Not sealed.</p>
      )}
    </section>
  );
}
