// Custom-field filter chips (`cf.<key>` any-of, from/to ranges for numbers and dates, set or not
// set) and the custom-field columns an agent chooses for the queue (kept on this device).
import { useEffect, useRef, useState } from 'react';
import { useCustomFields, useUsers } from '../../api/queries';
import { cfChipText, cfParamNames, encodeCfFilter, parseCfFilters, RANGE_KINDS, type CfFilter, type FieldDef } from '../../lib/customFields';
import { cfEntries, type CfParam, type Filters } from '../../lib/filters';
import { ChipEditorShell } from './ChipEditorShell';

/** `filters` with the cf filter on `f.key` replaced by `f` (its parameters only). */
export function withCfFilter(filters: Filters, f: CfFilter): Filters {
  const next: Filters = { ...filters };
  for (const name of cfParamNames(f.key)) delete next[name as CfParam];
  for (const [name, value] of Object.entries(encodeCfFilter(f))) next[name as CfParam] = value;
  return next;
}

function CfEditor({ field, filter, onChange, onClose, people }: { field: FieldDef; filter: CfFilter; onChange: (f: CfFilter) => void; onClose: () => void; people: { value: string; label: string }[] }) {
  const first = useRef<HTMLSelectElement>(null);
  useEffect(() => first.current?.focus(), []);
  const choices =
    field.kind === 'checkbox'
      ? [
          { value: 'true', label: 'Yes' },
          { value: 'false', label: 'No' },
        ]
      : field.kind === 'user'
        ? people
        : field.options.map((o) => ({ value: o.value, label: o.label }));
  const [text, setText] = useState(filter.values.join(','));
  const presence = filter.set === undefined ? 'any' : filter.set ? 'set' : 'unset';
  const rangeType = field.kind === 'date' ? 'date' : 'text';
  return (
    <ChipEditorShell label={field.label} onClose={onClose}>
      <label>
        <span className="sr-only">{field.label} presence</span>
        <select ref={first} value={presence} onChange={(e) => onChange({ ...filter, set: e.target.value === 'any' ? undefined : e.target.value === 'set' })}>
          <option value="any">Any value</option>
          <option value="set">Is set</option>
          <option value="unset">Is not set</option>
        </select>
      </label>
      {RANGE_KINDS.includes(field.kind) ? (
        <div className="row">
          <label>
            From <input type={rangeType} inputMode={field.kind === 'date' ? undefined : 'decimal'} maxLength={40} value={filter.gte ?? ''} onChange={(e) => onChange({ ...filter, gte: e.target.value.trim() || undefined })} />
          </label>
          <label>
            to <input type={rangeType} inputMode={field.kind === 'date' ? undefined : 'decimal'} maxLength={40} value={filter.lte ?? ''} onChange={(e) => onChange({ ...filter, lte: e.target.value.trim() || undefined })} />
          </label>
        </div>
      ) : choices.length ? (
        <fieldset className="checks">
          <legend>{field.label} is any of</legend>
          <div className="chip-options">
            {choices.map((o) => (
              <label key={o.value} className="check">
                <input
                  type="checkbox"
                  checked={filter.values.includes(o.value)}
                  onChange={(e) => onChange({ ...filter, values: e.target.checked ? [...filter.values, o.value] : filter.values.filter((v) => v !== o.value) })}
                />
                {o.label}
              </label>
            ))}
          </div>
        </fieldset>
      ) : (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            onChange({ ...filter, values: text.split(',').map((v) => v.trim()).filter(Boolean) });
            onClose();
          }}
        >
          <label>
            <span className="sr-only">{field.label} is</span>
            <input value={text} maxLength={200} placeholder="value (comma: any of)" onChange={(e) => setText(e.target.value)} />
          </label>
          <button type="submit" className="btn btn-small btn-primary">
            Apply
          </button>
        </form>
      )}
    </ChipEditorShell>
  );
}

/** The chips of the cf filters set (and one being added), and "+ Field filter". */
export function CustomFieldChips({ filters, onChange }: { filters: Filters; onChange: (f: Filters) => void }) {
  const defs = useCustomFields();
  const users = useUsers();
  const [open, setOpen] = useState<string | null>(null);
  const [pending, setPending] = useState<string | null>(null);
  const [menu, setMenu] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open && !menu) return;
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) {
        setOpen(null);
        setPending(null);
        setMenu(false);
      }
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open, menu]);
  const fields = (defs.data ?? []).filter((f) => f.filterable);
  if (!fields.length) return null;
  const set = parseCfFilters(cfEntries(filters));
  const chips = [...set, ...(pending && !set.some((f) => f.key === pending) ? [{ key: pending, values: [] }] : [])];
  const addable = fields.filter((f) => !f.archived && !chips.some((c) => c.key === f.key));
  const people = (users.data ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: u.name }));
  const close = () => {
    setOpen(null);
    setPending(null);
  };
  return (
    <div className="chips" ref={root}>
      <ul className="chip-list" aria-label="Field filters">
        {chips.map((f) => {
          const field = fields.find((x) => x.key === f.key);
          return (
            <li key={f.key} className={set.includes(f) ? 'filter-chip set' : 'filter-chip'}>
              <button type="button" className="filter-chip-main" aria-expanded={open === f.key} aria-haspopup="dialog" onClick={() => setOpen(open === f.key ? null : f.key)}>
                {cfChipText(f, field)}
              </button>
              <button type="button" className="filter-chip-x" aria-label={`Remove ${field?.label ?? f.key} filter`} onClick={() => {
                close();
                onChange(withCfFilter(filters, { key: f.key, values: [] }));
              }}>
                ×
              </button>
              {open === f.key && field && <CfEditor field={field} filter={f} people={people} onChange={(next) => onChange(withCfFilter(filters, next))} onClose={close} />}
            </li>
          );
        })}
      </ul>
      {addable.length > 0 && (
        <div className="add-filter">
          <button type="button" className="btn btn-small add-filter-button" aria-haspopup="menu" aria-expanded={menu} onClick={() => setMenu(!menu)}>
            + Field filter
          </button>
          {menu && (
            <ul className="menu" role="menu" aria-label="Add a field filter" onKeyDown={(e) => e.key === 'Escape' && setMenu(false)}>
              {addable.map((f, i) => (
                <li key={f.key} role="none">
                  <button
                    type="button"
                    role="menuitem"
                    autoFocus={i === 0}
                    onClick={() => {
                      setMenu(false);
                      setPending(f.key);
                      setOpen(f.key);
                    }}
                  >
                    {f.label}
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

const COLUMNS_KEY = 'ticketdesk.queue.columns';

function storedColumns(): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(COLUMNS_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** The custom-field columns chosen for the queue, kept on this device. */
export function useFieldColumns(): [FieldDef[], FieldDef[], (keys: string[]) => void] {
  const defs = useCustomFields();
  const [keys, setKeys] = useState(storedColumns);
  const all = (defs.data ?? []).filter((f) => !f.archived);
  const chosen = keys.map((k) => all.find((f) => f.key === k)).filter((f): f is FieldDef => !!f);
  const save = (next: string[]) => {
    setKeys(next);
    try {
      localStorage.setItem(COLUMNS_KEY, JSON.stringify(next));
    } catch {
      /* private mode: this page only */
    }
  };
  return [all, chosen, save];
}

/** "Columns": a checkbox per custom field. */
export function ColumnPicker({ fields, chosen, onChange }: { fields: FieldDef[]; chosen: FieldDef[]; onChange: (keys: string[]) => void }) {
  if (!fields.length) return null;
  const keys = chosen.map((f) => f.key);
  return (
    <details className="column-picker">
      <summary className="btn btn-small">Columns{keys.length ? ` (${keys.length})` : ''}</summary>
      <fieldset className="checks">
        <legend>Field columns</legend>
        {fields.map((f) => (
          <label key={f.key} className="check">
            <input type="checkbox" checked={keys.includes(f.key)} onChange={(e) => onChange(e.target.checked ? [...keys, f.key] : keys.filter((k) => k !== f.key))} />
            {f.label}
          </label>
        ))}
      </fieldset>
    </details>
  );
}
