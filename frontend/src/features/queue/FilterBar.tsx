import { useEffect, useState, type RefObject } from 'react';
import { useLabels, useTeams, useUsers } from '../../api/queries';
import { titleCase } from '../../lib/format';
import { CHANNELS, PRIORITIES, SLA_FILTERS, SORTS, TICKET_TYPES, DEFAULT_SORT, activeFilterCount, withFilter, type FilterKey, type Filters } from '../../lib/filters';

export function FilterBar({
  filters,
  onChange,
  searchRef,
}: {
  filters: Filters;
  onChange: (filters: Filters) => void;
  searchRef: RefObject<HTMLInputElement | null>;
}) {
  const users = useUsers();
  const teams = useTeams();
  const labels = useLabels();
  const [text, setText] = useState(filters.q ?? '');
  useEffect(() => setText(filters.q ?? ''), [filters.q]);

  const set = (key: FilterKey) => (value: string) => onChange(withFilter(filters, key, value || undefined));
  const select = (key: FilterKey, label: string, options: { value: string; label: string }[], any = 'Any') => (
    <label className="filter">
      <span className="sr-only">{label}</span>
      <select aria-label={label} value={filters[key] ?? ''} onChange={(e) => set(key)(e.target.value)} className={filters[key] ? 'set' : ''}>
        <option value="">
          {label}: {any}
        </option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {label}: {o.label}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <div className="filterbar">
      <form
        role="search"
        className="search"
        onSubmit={(e) => {
          e.preventDefault();
          set('q')(text.trim());
        }}
      >
        <label className="sr-only" htmlFor="queue-search">
          Search tickets
        </label>
        <input
          id="queue-search"
          ref={searchRef}
          type="search"
          placeholder="Search key or text  ( / )"
          value={text}
          maxLength={200}
          onChange={(e) => setText(e.target.value)}
          onBlur={() => text.trim() !== (filters.q ?? '') && set('q')(text.trim())}
        />
      </form>
      {select('priority', 'Priority', PRIORITIES.map((p) => ({ value: p, label: titleCase(p) })))}
      {select(
        'assignee',
        'Assignee',
        [
          { value: 'me', label: 'Me' },
          { value: 'none', label: 'Unassigned' },
          ...(users.data ?? []).filter((u) => u.role !== 'viewer' && u.active).map((u) => ({ value: u.id, label: u.name })),
        ],
        'Anyone',
      )}
      {select('team', 'Team', (teams.data ?? []).map((t) => ({ value: t.id, label: t.name })))}
      {select('label', 'Label', (labels.data ?? []).map((l) => ({ value: l.name, label: l.name })))}
      {select('type', 'Type', TICKET_TYPES.map((t) => ({ value: t, label: titleCase(t) })))}
      <label className="filter">
        <span className="sr-only">Category</span>
        <input
          aria-label="Category"
          placeholder="Category"
          className={filters.category ? 'set' : ''}
          defaultValue={filters.category ?? ''}
          key={filters.category ?? ''}
          maxLength={50}
          onBlur={(e) => e.target.value.trim() !== (filters.category ?? '') && set('category')(e.target.value.trim().toLowerCase())}
          onKeyDown={(e) => e.key === 'Enter' && set('category')(e.currentTarget.value.trim().toLowerCase())}
        />
      </label>
      {select('channel', 'Channel', CHANNELS.map((c) => ({ value: c, label: titleCase(c) })))}
      {select('sla', 'SLA', SLA_FILTERS)}
      <label className="filter">
        <span className="sr-only">Sort</span>
        <select aria-label="Sort" value={filters.sort ?? DEFAULT_SORT} onChange={(e) => set('sort')(e.target.value)}>
          {SORTS.map((s) => (
            <option key={s.value} value={s.value}>
              Sort: {s.label}
            </option>
          ))}
        </select>
      </label>
      {activeFilterCount(filters) > 0 && (
        <button type="button" className="btn-link" onClick={() => onChange(filters.sort ? { sort: filters.sort } : {})}>
          Clear filters
        </button>
      )}
    </div>
  );
}
