// The ticket's properties in the side panel: each change saves at once (PATCH with If-Match).
import type { UseMutationResult } from '@tanstack/react-query';
import { useState } from 'react';
import type { Ticket, TicketUpdate } from '../../api/client';
import { useLabels, useStatuses, useTeams, useUsers } from '../../api/queries';
import { useMe } from '../../auth/session';
import { LabelChip } from '../../components/ui';
import { PRIORITIES, TICKET_TYPES } from '../../lib/filters';
import { titleCase } from '../../lib/format';

type Update = UseMutationResult<Ticket, Error, TicketUpdate>;

export function PropertiesPanel({ ticket, update }: { ticket: Ticket; update: Update }) {
  const me = useMe();
  const statuses = useStatuses();
  const users = useUsers();
  const teams = useTeams();
  const labels = useLabels();
  const disabled = !me.canWrite || update.isPending;
  const save = (changes: TicketUpdate) => update.mutate(changes);
  const [newLabel, setNewLabel] = useState('');
  const id = (name: string) => `prop-${name}-${ticket.key}`;

  return (
    <section className="card props" aria-label="Properties">
      <h2>Properties</h2>
      <div className="prop-grid">
        <label className="prop" htmlFor={id('status')}>
          Status
        </label>
        <select id={id('status')} value={ticket.status} disabled={disabled} onChange={(e) => save({ status: e.target.value })}>
          {(statuses.data ?? [{ name: ticket.status, label: titleCase(ticket.status) }]).map((s) => (
            <option key={s.name} value={s.name}>
              {s.label}
            </option>
          ))}
        </select>
        <label className="prop" htmlFor={id('priority')}>
          Priority
        </label>
        <select id={id('priority')} value={ticket.priority} disabled={disabled} onChange={(e) => save({ priority: e.target.value as Ticket['priority'] })}>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {titleCase(p)}
            </option>
          ))}
        </select>
        <label className="prop" htmlFor={id('assignee')}>
          Assignee
        </label>
        <select id={id('assignee')} value={ticket.assignee?.id ?? ''} disabled={disabled} onChange={(e) => save({ assignee_id: e.target.value || null })}>
          <option value="">Unassigned</option>
          {(users.data ?? [])
            .filter((u) => (u.role !== 'viewer' && u.active) || u.id === ticket.assignee?.id)
            .map((u) => (
              <option key={u.id} value={u.id}>
                {u.id === me.userId ? `${u.name} (me)` : u.name}
              </option>
            ))}
        </select>
        <label className="prop" htmlFor={id('team')}>
          Team
        </label>
        <select id={id('team')} value={ticket.team?.id ?? ''} disabled={disabled} onChange={(e) => save({ team_id: e.target.value || null })}>
          <option value="">No team</option>
          {(teams.data ?? []).map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
        <label className="prop" htmlFor={id('type')}>
          Type
        </label>
        <select id={id('type')} value={ticket.type ?? ''} disabled={disabled} onChange={(e) => save({ type: e.target.value || null })}>
          <option value="">—</option>
          {[...new Set([...TICKET_TYPES, ...(ticket.type ? [ticket.type] : [])])].map((t) => (
            <option key={t} value={t}>
              {titleCase(t)}
            </option>
          ))}
        </select>
        <label className="prop" htmlFor={id('category')}>
          Category
        </label>
        <input
          id={id('category')}
          key={`${ticket.version}-category`}
          defaultValue={ticket.category ?? ''}
          disabled={disabled}
          maxLength={50}
          placeholder="e.g. billing"
          onBlur={(e) => {
            const value = e.target.value.trim().toLowerCase() || null;
            if (value !== ticket.category) save({ category: value });
          }}
          onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
        />
        <span className="prop">Labels</span>
        <div className="labels-edit">
          {ticket.labels.map((l) => (
            <LabelChip key={l} name={l} onRemove={me.canWrite ? () => save({ labels: ticket.labels.filter((x) => x !== l) }) : undefined} />
          ))}
          {me.canWrite && (
            <form
              className="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                const value = newLabel.trim().toLowerCase();
                if (value && !ticket.labels.includes(value)) save({ labels: [...ticket.labels, value] });
                setNewLabel('');
              }}
            >
              <input
                aria-label="Add label"
                list={`label-options-${ticket.key}`}
                placeholder="Add label"
                className="label-input"
                value={newLabel}
                maxLength={50}
                onChange={(e) => setNewLabel(e.target.value)}
              />
              <datalist id={`label-options-${ticket.key}`}>
                {(labels.data ?? []).map((l) => (
                  <option key={l.id} value={l.name} />
                ))}
              </datalist>
            </form>
          )}
        </div>
      </div>
      <CustomFields ticket={ticket} disabled={disabled} save={save} />
    </section>
  );
}

function fieldText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(String).join(', ');
  return JSON.stringify(value);
}

/** Custom fields the ticket has, editable as text; new ones can be added by name. */
function CustomFields({ ticket, disabled, save }: { ticket: Ticket; disabled: boolean; save: (c: TicketUpdate) => void }) {
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [adding, setAdding] = useState(false);
  const entries = Object.entries(ticket.custom_fields);
  if (entries.length === 0 && disabled) return null;
  return (
    <div className="custom-fields">
      {entries.length > 0 && (
        <>
          <h3 className="subhead">Custom fields</h3>
          <div className="prop-grid">
            {entries.map(([key, v]) => (
              <div key={key} className="prop-row">
                <label className="prop" htmlFor={`cf-${ticket.key}-${key}`}>
                  {titleCase(key)}
                </label>
                <span className="cf-value">
                  <input
                    id={`cf-${ticket.key}-${key}`}
                    key={`${ticket.version}-${key}`}
                    defaultValue={fieldText(v)}
                    disabled={disabled}
                    maxLength={500}
                    onBlur={(e) => e.target.value !== fieldText(v) && save({ custom_fields: { ...ticket.custom_fields, [key]: e.target.value } })}
                  />
                  {!disabled && (
                    <button
                      type="button"
                      className="btn-link"
                      aria-label={`Remove ${key}`}
                      onClick={() => {
                        const { [key]: _gone, ...rest } = ticket.custom_fields;
                        save({ custom_fields: rest });
                      }}
                    >
                      ×
                    </button>
                  )}
                </span>
              </div>
            ))}
          </div>
        </>
      )}
      {!disabled &&
        (adding ? (
          <form
            className="inline-form cf-add"
            onSubmit={(e) => {
              e.preventDefault();
              if (!name.trim()) return;
              save({ custom_fields: { ...ticket.custom_fields, [name.trim()]: value } });
              setName('');
              setValue('');
              setAdding(false);
            }}
          >
            <input aria-label="Field name" placeholder="field" value={name} maxLength={50} onChange={(e) => setName(e.target.value)} />
            <input aria-label="Field value" placeholder="value" value={value} maxLength={500} onChange={(e) => setValue(e.target.value)} />
            <button type="submit" className="btn btn-small">
              Add
            </button>
            <button type="button" className="btn-link" onClick={() => setAdding(false)}>
              Cancel
            </button>
          </form>
        ) : (
          <button type="button" className="btn-link cf-toggle" onClick={() => setAdding(true)}>
            + Custom field
          </button>
        ))}
    </div>
  );
}
