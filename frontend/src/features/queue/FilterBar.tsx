// The queue's search, filter chips ("+ Filter" adds one; a chip opens its editor; × removes it)
// and sort. Every change goes to the URL, so a filtered queue is a link.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode, type RefObject } from 'react';
import { useLabels, useStatuses, useTeams, useTicketTypes, useUsers } from '../../api/queries';
import { titleCase } from '../../lib/format';
import { ChipEditorShell } from './ChipEditorShell';
import { CustomFieldChips } from './CustomFieldFilters';
import {
  CHANNELS,
  CHANNEL_LABELS,
  CHIP_FILTERS,
  DATE_FILTERS,
  DEFAULT_SORT,
  PRIORITIES,
  SLA_FILTERS,
  SORTS,
  TICKET_TYPES,
  activeFilterCount,
  addableFilters,
  chipKeys,
  chipText,
  dateChipText,
  listOf,
  withFilter,
  withList,
  type FilterKey,
  type Filters,
} from '../../lib/filters';

export interface Option {
  value: string;
  label: string;
}

/** The values each chip offers, from the workspace's statuses, people, teams and labels. */
export function useFilterOptions(): (key: FilterKey) => Option[] {
  const statuses = useStatuses();
  const users = useUsers();
  const teams = useTeams();
  const labels = useLabels();
  const ticketTypes = useTicketTypes();
  return useMemo(() => {
    const people = (users.data ?? []).filter((u) => u.role !== 'viewer' && u.active).map((u) => ({ value: u.id, label: u.name }));
    const table: Partial<Record<FilterKey, Option[]>> = {
      status: (statuses.data ?? []).map((s) => ({ value: s.name, label: s.label })),
      status_category: ['open', 'pending', 'solved', 'closed'].map((c) => ({ value: c, label: titleCase(c) })),
      priority: PRIORITIES.map((p) => ({ value: p, label: titleCase(p) })),
      assignee: [{ value: 'me', label: 'Me' }, { value: 'none', label: 'Unassigned' }, ...people],
      team: (teams.data ?? []).map((t) => ({ value: t.id, label: t.name })),
      label: (labels.data ?? []).map((l) => ({ value: l.name, label: l.name })),
      channel: CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] ?? c })),
      sla: SLA_FILTERS,
      type: ticketTypes.data ? ticketTypes.data.map((t) => ({ value: t.key, label: t.name })) : TICKET_TYPES.map((t) => ({ value: t, label: titleCase(t) })),
      watching: [{ value: 'me', label: 'Me' }, ...people],
    };
    return (key: FilterKey) => table[key] ?? [];
  }, [statuses.data, users.data, teams.data, labels.data, ticketTypes.data]);
}

function labelOf(key: FilterKey): string {
  return CHIP_FILTERS.find((f) => f.key === key)?.label ?? key;
}

/** One chip's editor: checkboxes for a list filter (any of; labels: all of), a text box for category. */
export function ChipEditor({ filterKey, filters, options, onChange, onClose }: { filterKey: FilterKey; filters: Filters; options: Option[]; onChange: (f: Filters) => void; onClose: () => void }) {
  const meta = CHIP_FILTERS.find((f) => f.key === filterKey)!;
  const [search, setSearch] = useState('');
  const [text, setText] = useState(filters[filterKey] ?? '');
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const chosen = listOf(filters[filterKey]);
  // values in the URL the options do not know (a deleted label, a hand-edited link) stay listed
  const all = [...options, ...chosen.filter((v) => !options.some((o) => o.value === v)).map((v) => ({ value: v, label: v }))];
  const shown = search ? all.filter((o) => o.label.toLowerCase().includes(search.toLowerCase())) : all;
  return (
    <ChipEditorShell label={meta.label} onClose={onClose}>
      {meta.kind === 'text' ? (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            onChange(withFilter(filters, filterKey, text.trim().toLowerCase() || undefined));
            onClose();
          }}
        >
          <label>
            <span className="sr-only">{meta.label} is</span>
            <input ref={first} value={text} maxLength={meta.maxLength ?? 50} placeholder={meta.placeholder ?? 'billing'} onChange={(e) => setText(e.target.value)} />
          </label>
          <button type="submit" className="btn btn-small btn-primary">
            Apply
          </button>
        </form>
      ) : (
        <fieldset className="checks">
          <legend>{meta.allOf ? `${meta.label}: has all of` : `${meta.label} is any of`}</legend>
          {all.length > 8 && (
            <input ref={first} type="search" className="chip-search" aria-label={`Find a ${meta.label.toLowerCase()}`} placeholder="Find…" value={search} onChange={(e) => setSearch(e.target.value)} />
          )}
          <div className="chip-options">
            {shown.length === 0 && <span className="muted small">{all.length ? 'Nothing matches.' : 'Nothing to pick yet.'}</span>}
            {shown.map((o, i) => (
              <label key={o.value} className="check">
                <input
                  ref={i === 0 && all.length <= 8 ? first : undefined}
                  type="checkbox"
                  checked={chosen.includes(o.value)}
                  onChange={(e) => onChange(withList(filters, filterKey, e.target.checked ? [...chosen, o.value] : chosen.filter((v) => v !== o.value)))}
                />
                {o.label}
              </label>
            ))}
          </div>
        </fieldset>
      )}
    </ChipEditorShell>
  );
}

export function FilterChips({ filters, onChange, options }: { filters: Filters; onChange: (f: Filters) => void; options: (key: FilterKey) => Option[] }) {
  const [pending, setPending] = useState<FilterKey | null>(null);
  const [open, setOpen] = useState<FilterKey | null>(null);
  const [menu, setMenu] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const close = useCallback(() => {
    if (open) root.current?.querySelector<HTMLButtonElement>(`[data-chip="${open}"]`)?.focus();
    setOpen(null);
    setPending(null);
    setMenu(false);
  }, [open]);
  useEffect(() => {
    if (!open && !menu) return;
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) close();
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open, menu, close]);
  const name = (key: FilterKey, value: string) => options(key).find((o) => o.value === value)?.label ?? value;
  const keys = chipKeys(filters, pending);
  const addable = addableFilters(filters, pending);

  return (
    <div className="chips" ref={root}>
      <ul className="chip-list" aria-label="Filters">
        {keys.map((key) => (
          <li key={key} className={filters[key] ? 'filter-chip set' : 'filter-chip'}>
            <button
              type="button"
              className="filter-chip-main"
              data-chip={key}
              aria-expanded={open === key}
              aria-haspopup="dialog"
              onClick={() => {
                if (open === key) return close();
                if (pending && pending !== key && !filters[pending]) setPending(null);
                setOpen(key);
              }}
            >
              {chipText(key, filters[key], name)}
            </button>
            <button
              type="button"
              className="filter-chip-x"
              aria-label={`Remove ${labelOf(key)} filter`}
              onClick={() => {
                if (pending === key) setPending(null);
                if (open === key) setOpen(null);
                onChange(withFilter(filters, key, undefined));
              }}
            >
              ×
            </button>
            {open === key && <ChipEditor filterKey={key} filters={filters} options={options(key)} onChange={onChange} onClose={close} />}
          </li>
        ))}
        {DATE_FILTERS.filter((d) => d.keys.some((k) => filters[k])).map((d) => (
          <li key={d.label} className="filter-chip set">
            <span className="filter-chip-main filter-chip-static">{dateChipText(d.label, d.keys, filters)}</span>
            <button
              type="button"
              className="filter-chip-x"
              aria-label={`Remove ${d.label} filter`}
              onClick={() => onChange(d.keys.reduce((next, k) => withFilter(next, k, undefined), filters))}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      {addable.length > 0 && (
        <div className="add-filter">
          <button type="button" className="btn btn-small add-filter-button" aria-haspopup="menu" aria-expanded={menu} onClick={() => setMenu(!menu)}>
            + Filter
          </button>
          {menu && (
            <ul
              className="menu"
              role="menu"
              aria-label="Add a filter"
              onKeyDown={(e) => {
                const items = [...(e.currentTarget.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? [])];
                const index = items.indexOf(document.activeElement as HTMLButtonElement);
                if (e.key === 'Escape') close();
                else if (e.key === 'ArrowDown') items[(index + 1) % items.length]?.focus();
                else if (e.key === 'ArrowUp') items[(index - 1 + items.length) % items.length]?.focus();
                else return;
                e.preventDefault();
              }}
            >
              {addable.map((key, i) => (
                <li key={key} role="none">
                  <button
                    type="button"
                    role="menuitem"
                    autoFocus={i === 0}
                    onClick={() => {
                      setMenu(false);
                      setPending(key);
                      setOpen(key);
                    }}
                  >
                    {labelOf(key)}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

export function FilterBar({ filters, onChange, searchRef, extra }: { filters: Filters; onChange: (filters: Filters) => void; searchRef: RefObject<HTMLInputElement | null>; extra?: ReactNode }) {
  const options = useFilterOptions();
  const [text, setText] = useState(filters.q ?? '');
  const [lastQ, setLastQ] = useState(filters.q);
  if (filters.q !== lastQ) {
    // the URL changed under the box (a view, back): show its search
    setLastQ(filters.q);
    setText(filters.q ?? '');
  }
  const setQ = (q: string) => onChange(withFilter(filters, 'q', q || undefined));

  return (
    <div className="filterbar">
      <form
        role="search"
        className="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQ(text.trim());
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
          onBlur={() => text.trim() !== (filters.q ?? '') && setQ(text.trim())}
        />
      </form>
      <FilterChips filters={filters} onChange={onChange} options={options} />
      <CustomFieldChips filters={filters} onChange={onChange} />
      <label className="filter sort">
        <span className="sr-only">Sort</span>
        <select aria-label="Sort" value={filters.sort ?? DEFAULT_SORT} onChange={(e) => onChange(withFilter(filters, 'sort', e.target.value))}>
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
      {extra}
    </div>
  );
}
