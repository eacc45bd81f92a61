import { ACCOUNTING_SYSTEMS, SYNC_STATUSES, SYNC_TYPES } from '@meander/domain';
import { useId } from 'react';
import { STATUS_LABELS, SYNC_TYPE_LABELS, SYSTEM_LABELS } from '../lib/format';
import { activeFilterCount, type HistorySearch } from '../lib/history-search';

type SetFilter = (key: keyof HistorySearch, value: string) => void;

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
  const set: SetFilter = (key, value) => onChange({ ...search, [key]: value || undefined });
  const count = activeFilterCount(search);
  const shared = { search, set, id };
  const orgChoice =
    organizations &&
    ({
      field: 'organizationId',
      suffix: 'org',
      label: 'Organization',
      any: 'All organizations',
      options: organizations.map((o) => ({ value: o.id, label: o.name })),
    } as const);
  return (
    <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      {[...(orgChoice ? [orgChoice] : []), ...CHOICES].map((c) => (
        <ChoiceFilter key={c.field} {...shared} {...c} />
      ))}
      <TriggeredByFilter search={search} set={set} id={`${id}-by`} />
      {DATES.map((d) => (
        <DateFilter key={d.field} {...shared} {...d} />
      ))}
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

/** The filters that pick one value of an enum, in the order the form shows them. */
const CHOICES = [
  {
    field: 'status',
    suffix: 'status',
    label: 'Status',
    any: 'Any status',
    options: SYNC_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] })),
  },
  {
    field: 'accountingSystem',
    suffix: 'system',
    label: 'Accounting system',
    any: 'Any system',
    options: ACCOUNTING_SYSTEMS.map((s) => ({ value: s, label: SYSTEM_LABELS[s] })),
  },
  {
    field: 'syncType',
    suffix: 'type',
    label: 'Sync type',
    any: 'Any type',
    options: SYNC_TYPES.map((s) => ({ value: s, label: SYNC_TYPE_LABELS[s] })),
  },
] as const;

/** The whole-day filters, in the order the form shows them. */
const DATES = [
  { field: 'periodFrom', suffix: 'pfrom', label: 'Period from' },
  { field: 'periodTo', suffix: 'pto', label: 'Period to' },
  { field: 'startedAfter', suffix: 'safter', label: 'Started after' },
  { field: 'startedBefore', suffix: 'sbefore', label: 'Started before' },
] as const;

interface FilterProps<K extends keyof HistorySearch> {
  search: HistorySearch;
  set: SetFilter;
  /** The form's id; the control's is this plus `suffix`. */
  id: string;
  suffix: string;
  field: K;
  label: string;
}

/** One value out of a list, or any ("" clears the filter). */
function ChoiceFilter({
  search,
  set,
  id,
  suffix,
  field,
  label,
  any,
  options,
}: FilterProps<'organizationId' | 'status' | 'accountingSystem' | 'syncType'> & {
  any: string;
  options: readonly { value: string; label: string | undefined }[];
}) {
  return (
    <div className="field">
      <label htmlFor={`${id}-${suffix}`}>{label}</label>
      <select id={`${id}-${suffix}`} value={search[field] ?? ''} onChange={(e) => set(field, e.target.value)}>
        <option value="">{any}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A whole day (YYYY-MM-DD), as the URL keeps it. */
function DateFilter({
  search,
  set,
  id,
  suffix,
  field,
  label,
}: FilterProps<'periodFrom' | 'periodTo' | 'startedAfter' | 'startedBefore'>) {
  return (
    <div className="field">
      <label htmlFor={`${id}-${suffix}`}>{label}</label>
      <input
        id={`${id}-${suffix}`}
        type="date"
        value={search[field] ?? ''}
        onChange={(e) => set(field, e.target.value)}
      />
    </div>
  );
}

/** The user who started a sync, applied only once a whole UUID is typed. */
function TriggeredByFilter({ search, set, id }: { search: HistorySearch; set: SetFilter; id: string }) {
  return (
    <div className="field">
      <label htmlFor={id}>Triggered by (user id)</label>
      <input
        id={id}
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
  );
}
