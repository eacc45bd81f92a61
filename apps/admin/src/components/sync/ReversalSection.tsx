import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useEffect, useId, useRef, useState } from 'react';
import { shortId } from '../../lib/format';
import { can } from '../../lib/permissions';
import { useSignedIn } from '../../lib/session-context';
import { useTRPC } from '../../lib/trpc';
import { ErrorMessage } from '../ErrorMessage';
import { StatusBadge } from '../StatusBadge';
import type { SyncLogView } from './types';

/** The longest reason the API takes (the domain's REVERSAL_REASON_MAX). */
const REASON_MAX = 500;

/**
 * What this sync reverses or what reversed it, and — for a success or partial sync that is no
 * reversal and was never reversed — the "Reverse" action behind a confirmation that asks why.
 */
export function ReversalSection({ log }: { log: SyncLogView }) {
  const trpc = useTRPC();
  const session = useSignedIn();
  const reverses = log.payloadSummary?.reversal;
  const reversedBy = useQuery({
    ...trpc.syncs.reversalOf.queryOptions({ syncLogId: log.id }),
    enabled: reverses === undefined && (log.status === 'success' || log.status === 'partial'),
  });
  const reversal = reversedBy.data ?? null;
  const reversible =
    reverses === undefined &&
    (log.status === 'success' || log.status === 'partial') &&
    reversedBy.isSuccess &&
    reversal === null;
  return (
    <section aria-labelledby="reversal-heading" className="card">
      <h2 id="reversal-heading">Reversal</h2>
      {reverses ? (
        <p>
          Reverses{' '}
          <Link to="/syncs/$syncId" params={{ syncId: reverses.of }}>
            sync {shortId(reverses.of)}
          </Link>
          . Reason: <q>{reverses.reason}</q>
        </p>
      ) : reversal ? (
        <p className="notice notice-warning">
          Reversed by{' '}
          <Link to="/syncs/$syncId" params={{ syncId: reversal.id }}>
            sync {shortId(reversal.id)}
          </Link>{' '}
          <StatusBadge status={reversal.status} />
        </p>
      ) : (
        <p className="muted">Not reversed.</p>
      )}
      {reversedBy.error && <ErrorMessage error={reversedBy.error} />}
      {reversible && can(session.role, 'sync.reverse') && <ReverseAction syncLogId={log.id} />}
    </section>
  );
}

/** The "Reverse…" button and its modal confirmation, which asks for the reason. */
function ReverseAction({ syncLogId }: { syncLogId: string }) {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const reasonId = useId();
  const hintId = useId();
  const reverse = useMutation(
    trpc.syncs.reverse.mutationOptions({
      onSuccess: (reversal) => void navigate({ to: '/syncs/$syncId', params: { syncId: reversal.id } }),
    }),
  );
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  const trimmed = reason.trim();
  return (
    <>
      <button type="button" className="button-danger" onClick={() => setOpen(true)}>
        Reverse…
      </button>
      <dialog ref={dialog} aria-labelledby={`${reasonId}-title`} onClose={() => setOpen(false)}>
        <form
          method="dialog"
          onSubmit={(event) => {
            event.preventDefault();
            if (trimmed.length > 0) reverse.mutate({ syncLogId, reason: trimmed });
          }}
        >
          <h3 id={`${reasonId}-title`}>Reverse sync {shortId(syncLogId)}?</h3>
          <p>
            Every record this sync posted is posted again with its amounts negated, as a new sync of its own.
            The records can then be changed and exported again. A sync is reversed once.
          </p>
          <label htmlFor={reasonId}>Reason</label>
          <textarea
            id={reasonId}
            aria-describedby={hintId}
            value={reason}
            maxLength={REASON_MAX}
            required
            rows={3}
            onChange={(event) => setReason(event.target.value)}
          />
          <p id={hintId} className="muted">
            Kept in the audit trail: say why, without names or other personal data.
          </p>
          {reverse.error && <ErrorMessage error={reverse.error} />}
          <div className="actions">
            <button
              type="submit"
              className="button-danger"
              disabled={trimmed.length === 0 || reverse.isPending}
            >
              {reverse.isPending ? 'Reversing…' : 'Reverse sync'}
            </button>
            <button type="button" className="button-secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
