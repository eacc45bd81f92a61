import { useMutation } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { type FormEvent, useId, useState } from 'react';
import { nextDay, startOfZonedDay, zonedToday } from '../lib/format';
import { useTRPC } from '../lib/trpc';
import { ErrorMessage } from './ErrorMessage';

/** Default period: the current month up to today in the organization's calendar (what an operator re-sends most often). */
function defaultPeriod(timeZone = 'UTC', today = new Date()): { from: string; to: string } {
  const day = zonedToday(timeZone, today);
  return { from: `${day.slice(0, 8)}01`, to: day };
}

/** Start a manual export for one organization and follow it on its detail page. */
export function ExportForm({
  organizationId,
  timeZone = 'UTC',
  onCancel,
}: {
  organizationId: string;
  /** The organization's zone: the dates picked are its calendar days. */
  timeZone?: string;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const [period, setPeriod] = useState(() => defaultPeriod(timeZone));
  const id = useId();
  const startExport = useMutation(
    trpc.syncs.startExport.mutationOptions({
      onSuccess: (log) => void navigate({ to: '/syncs/$syncId', params: { syncId: log.id } }),
    }),
  );
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    // The organization's calendar days, both inclusive: from the first day's start to the last
    // millisecond before the day after the last one starts (in UTC for an organization without a zone).
    const end = Date.parse(startOfZonedDay(nextDay(period.to), timeZone)) - 1;
    startExport.mutate({
      organizationId,
      periodStart: startOfZonedDay(period.from, timeZone),
      periodEnd: new Date(end).toISOString(),
    });
  }
  return (
    <form onSubmit={onSubmit} className="export-form" aria-label="Manual export">
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-from`}>Period from</label>
          <input
            id={`${id}-from`}
            type="date"
            required
            value={period.from}
            onChange={(e) => setPeriod((p) => ({ ...p, from: e.target.value }))}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>Period to</label>
          <input
            id={`${id}-to`}
            type="date"
            required
            value={period.to}
            onChange={(e) => setPeriod((p) => ({ ...p, to: e.target.value }))}
          />
        </div>
      </div>
      <p className="muted small">Calendar days in {timeZone}, both included.</p>
      {startExport.error && <ErrorMessage error={startExport.error} />}
      <div className="actions">
        <button type="submit" disabled={startExport.isPending}>
          {startExport.isPending ? 'Starting…' : 'Start export'}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
