// The ticket's custom fields, each edited by its kind (date, decimal kept as an exact string,
// dropdown, multi-select chips, user picker, checkbox, email, url, text). Which fields show
// follows the type's scope and each field's condition, live on the values being edited; a
// change to a field that hides others clears them in the same PATCH.
import { useState } from 'react';
import type { Ticket, TicketUpdate } from '../../api/client';
import { useCustomFields, useUsers } from '../../api/queries';
import { clearedHidden, displayValue, hasValue, valueText, visibleFields, type CfValue, type FieldDef } from '../../lib/customFields';
import { titleCase } from '../../lib/format';

type Values = Record<string, CfValue>;

/** A typed editor for one field; `commit` saves (select-like kinds at once, text on blur). */
export function FieldInput({
  field,
  value,
  onChange,
  commit,
  disabled,
  id,
  describedBy,
  invalid,
  people,
  ariaLabel,
}: {
  ariaLabel?: string;
  field: FieldDef;
  value: CfValue;
  onChange: (v: CfValue) => void;
  commit: (v: CfValue) => void;
  disabled: boolean;
  id: string;
  describedBy?: string;
  invalid: boolean;
  people: { value: string; label: string }[];
}) {
  const aria = { id, 'aria-label': ariaLabel, 'aria-describedby': describedBy, 'aria-invalid': invalid || undefined, 'aria-required': field.required || undefined, disabled: disabled || field.archived };
  const str = valueText(value);
  const textProps = {
    ...aria,
    value: str,
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
    onBlur: (e: { target: { value: string } }) => commit(e.target.value.trim() === '' ? null : e.target.value.trim()),
    maxLength: typeof field.validation.max_length === 'number' ? field.validation.max_length : 10_000,
  };
  const bound = (k: 'min' | 'max') => (field.validation[k] === null || field.validation[k] === undefined ? undefined : valueText(field.validation[k]));
  switch (field.kind) {
    case 'long_text':
      return <textarea rows={3} {...textProps} />;
    case 'email':
      return <input type="email" {...textProps} />;
    case 'url':
      return <input type="url" placeholder="https://" {...textProps} />;
    case 'integer':
      return (
        <input
          type="number"
          step={1}
          min={bound('min')}
          max={bound('max')}
          {...aria}
          value={str}
          onChange={(e) => onChange(e.target.value)}
          onBlur={(e) => commit(e.target.value === '' ? null : Number.isFinite(Number(e.target.value)) ? Number(e.target.value) : e.target.value)}
        />
      );
    case 'decimal':
      // kept as text: "89.99" stays exact (a number input would round-trip through a float)
      return <input inputMode="decimal" pattern="-?\d+(\.\d+)?" placeholder="0.00" {...textProps} maxLength={40} />;
    case 'date':
      return <input type="date" min={bound('min')} max={bound('max')} {...aria} value={str} onChange={(e) => commit(e.target.value || null)} />;
    case 'checkbox':
      return <input type="checkbox" {...aria} checked={value === true} onChange={(e) => commit(e.target.checked)} />;
    case 'dropdown':
      return (
        <select {...aria} value={str} onChange={(e) => commit(e.target.value || null)}>
          <option value="">—</option>
          {!field.options.some((o) => o.value === str) && str && <option value={str}>{str}</option>}
          {field.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
    case 'user':
      return (
        <select {...aria} value={str} onChange={(e) => commit(e.target.value || null)}>
          <option value="">Nobody</option>
          {!people.some((p) => p.value === str) && str && <option value={str}>{str}</option>}
          {people.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
      );
    case 'multi_select': {
      const chosen = Array.isArray(value) ? value.map(String) : [];
      const rest = field.options.filter((o) => !chosen.includes(o.value));
      const label = (v: string) => field.options.find((o) => o.value === v)?.label ?? v;
      return (
        <div className="tokens" id={id} aria-describedby={describedBy} aria-invalid={invalid || undefined} role="group" aria-label={field.label}>
          {chosen.map((v) => (
            <span key={v} className="chip">
              {label(v)}
              {!aria.disabled && (
                <button type="button" className="chip-x" aria-label={`Remove ${label(v)}`} onClick={() => commit(chosen.filter((x) => x !== v))}>
                  ×
                </button>
              )}
            </span>
          ))}
          {!aria.disabled && rest.length > 0 && (
            <select aria-label={`Add to ${field.label}`} value="" onChange={(e) => e.target.value && commit([...chosen, e.target.value])}>
              <option value="">+ Add</option>
              {rest.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          )}
        </div>
      );
    }
    default:
      return <input {...textProps} />;
  }
}

/** Values equal for saving purposes (a number typed as "12" is still 12). */
const same = (a: CfValue, b: CfValue) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function CustomFields({ ticket, disabled, save, errors }: { ticket: Ticket; disabled: boolean; save: (c: TicketUpdate) => void; errors: Record<string, string[]> }) {
  const defs = useCustomFields();
  const users = useUsers();
  const [draft, setDraft] = useState<{ version: number; values: Values }>({ version: ticket.version, values: ticket.custom_fields });
  // a new version from the server replaces the draft (what was typed was saved or refused)
  const values = draft.version === ticket.version ? draft.values : ticket.custom_fields;
  const fields = defs.data ?? [];
  const shown = visibleFields(fields, ticket, values);
  const known = new Set(fields.map((f) => f.key));
  const legacy = Object.entries(ticket.custom_fields).filter(([k, v]) => !known.has(k) && hasValue(v));
  const people = (users.data ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: u.name }));
  const setValue = (key: string, v: CfValue) => setDraft({ version: ticket.version, values: { ...values, [key]: v } });
  const commit = (key: string, v: CfValue) => {
    const next = { ...values, [key]: v };
    const cleared = clearedHidden(fields, ticket, next);
    setDraft({ version: ticket.version, values: { ...next, ...cleared } });
    if (same(v, ticket.custom_fields[key]) && !Object.keys(cleared).length) return;
    save({ custom_fields: { [key]: v as never, ...cleared } });
  };
  if (!shown.length && !legacy.length) return null;
  return (
    <div className="custom-fields">
      <h3 className="subhead">Fields</h3>
      <div className="prop-grid">
        {shown.map((f) => {
          const id = `cf-${ticket.key}-${f.key}`;
          const messages = errors[`custom_fields.${f.key}`];
          return (
            <div key={f.key} className="prop-row" data-field={f.key} data-invalid={messages ? true : undefined}>
              <label className="prop" htmlFor={id}>
                {f.label}
                {f.required && (
                  <span className="required" title="Required">
                    {' '}
                    *
                  </span>
                )}
                {f.archived && <span className="tag">archived</span>}
              </label>
              <span className="cf-value">
                {disabled && f.kind !== 'multi_select' && f.kind !== 'checkbox' ? (
                  <span id={id}>{displayValue(f, values[f.key], (uid) => people.find((p) => p.value === uid)?.label ?? uid)}</span>
                ) : (
                  <FieldInput
                    field={f}
                    value={values[f.key]}
                    onChange={(v) => setValue(f.key, v)}
                    commit={(v) => commit(f.key, v)}
                    disabled={disabled}
                    id={id}
                    describedBy={messages ? `${id}-error` : f.description ? `${id}-hint` : undefined}
                    invalid={!!messages}
                    people={people}
                  />
                )}
                {f.description && (
                  <span id={`${id}-hint`} className="hint">
                    {f.description}
                  </span>
                )}
                {messages && (
                  <span id={`${id}-error`} className="field-error" role="alert">
                    {messages.join(' ')}
                  </span>
                )}
              </span>
            </div>
          );
        })}
        {legacy.map(([key, v]) => (
          <div key={key} className="prop-row">
            <span className="prop">{titleCase(key)}</span>
            <span className="cf-value muted" title="Not a defined field: read only">
              {valueText(v)}
            </span>
          </div>
        ))}
      </div>
    </div>
  );
}
