import { useId } from 'react';
import { STATUS_LABELS, SYNC_TYPE_LABELS, SYSTEM_LABELS } from '../lib/format';
import {
  ACCOUNTING_SYSTEMS,
  activeFilterCount,
  type HistorySearch,
  SYNC_STATUSES,
  SYNC_TYPES,
} from '../lib/history-search';

/**
 * Every `syncLogs.list` filter as a form control. It holds no state of its own: the URL is the state,
 * so a filtered view can be shared and the back button undoes a filter change.
 */
export function HistoryFilters({
  search,
  onChange,
  organizations,
}: {
  search: HistorySearch;
  onChange: (next: HistorySearch) => void;
  /** Organizations to choose from; omitted for an org admin, who sees one. */
  organizations?: { id: string; name: string }[];
}) {
  const id = useId();
  const set = (key: keyof HistorySearch, value: string) => onChange({ ...search, [key]: value || undefined });
  const count = activeFilterCount(search);
  return (
    <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      {organizations && (
        <div className="field">
          <label htmlFor={`${id}-org`}>Organization</label>
          <select
            id={`${id}-org`}
            value={search.organizationId ?? ''}
            onChange={(e) => set('organizationId', e.target.value)}
          >
            <option value="">All organizations</option>
            {organizations.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-status`}>Status</label>
        <select
          id={`${id}-status`}
          value={search.status ?? ''}
          onChange={(e) => set('status', e.target.value)}
        >
          <option value="">Any status</option>
          {SYNC_STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-system`}>Accounting system</label>
        <select
          id={`${id}-system`}
          value={search.accountingSystem ?? ''}
          onChange={(e) => set('accountingSystem', e.target.value)}
        >
          <option value="">Any system</option>
          {ACCOUNTING_SYSTEMS.map((s) => (
            <option key={s} value={s}>
              {SYSTEM_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-type`}>Sync type</label>
        <select
          id={`${id}-type`}
          value={search.syncType ?? ''}
          onChange={(e) => set('syncType', e.target.value)}
        >
          <option value="">Any type</option>
          {SYNC_TYPES.map((s) => (
            <option key={s} value={s}>
              {SYNC_TYPE_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-by`}>Triggered by (user id)</label>
        <input
          id={`${id}-by`}
          // Uncontrolled with a key: a typed half-UUID must not be thrown away, only applied once complete.
          key={search.triggeredBy ?? ''}
          defaultValue={search.triggeredBy ?? ''}
          placeholder="UUID"
          spellCheck={false}
          onChange={(e) => {
            const value = e.target.value.trim();
            if (value === '' || /^[0-9a-f-]{36}$/i.test(value)) set('triggeredBy', value.toLowerCase());
          }}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-pfrom`}>Period from</label>
        <input
          id={`${id}-pfrom`}
          type="date"
          value={search.periodFrom ?? ''}
          onChange={(e) => set('periodFrom', e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-pto`}>Period to</label>
        <input
          id={`${id}-pto`}
          type="date"
          value={search.periodTo ?? ''}
          onChange={(e) => set('periodTo', e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-safter`}>Started after</label>
        <input
          id={`${id}-safter`}
          type="date"
          value={search.startedAfter ?? ''}
          onChange={(e) => set('startedAfter', e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-sbefore`}>Started before</label>
        <input
          id={`${id}-sbefore`}
          type="date"
          value={search.startedBefore ?? ''}
          onChange={(e) => set('startedBefore', e.target.value)}
        />
      </div>
      <div className="field field-end">
        <button
          type="button"
          className="button-secondary"
          disabled={count === 0}
          onClick={() => onChange({})}
        >
          Clear filters{count > 0 ? ` (${count})` : ''}
        </button>
      </div>
    </form>
  );
}
