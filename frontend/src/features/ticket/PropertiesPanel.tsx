// The ticket's properties in the side panel: each change saves at once (PATCH with If-Match).
// The server's refusals (409 a move the lifecycle does not allow, 403 a role that may not,
// 422 a field that must be filled in or a bad value) show under the control concerned.
import type { UseMutationResult } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { ApiError, errorMessage, type Ticket, type TicketUpdate } from '../../api/client';
import { ApprovalRequested, TicketConflict, useCustomFields, useLabels, useStatuses, useTeams, useTicketTypes, useTransitions, useUsers } from '../../api/queries';
import { useMe } from '../../auth/session';
import { LabelChip } from '../../components/ui';
import { clearedHidden } from '../../lib/customFields';
import { PRIORITIES } from '../../lib/filters';
import { titleCase } from '../../lib/format';
import { placeErrors } from '../admin/fieldErrors';
import { CustomFields } from './CustomFields';

type Update = UseMutationResult<Ticket, Error, TicketUpdate>;

/** The control a body field is edited with (`assignee_id` → assignee). */
const CONTROL_OF: Record<string, string> = { assignee_id: 'assignee', team_id: 'team' };

/** The server's answer to the last change placed per control: 422s by `loc`; a 409 or 403
 *  (no field named) at the control that made the change. */
export function ticketErrors(error: unknown, changed: string | null, customKeys: readonly string[]): Record<string, string[]> {
  if (!error || error instanceof TicketConflict || error instanceof ApprovalRequested) return {};
  const known = ['status', 'priority', 'assignee_id', 'team_id', 'type', 'category', 'labels', 'description', ...customKeys.map((k) => `custom_fields.${k}`)];
  const placed = placeErrors(error, known);
  const out: Record<string, string[]> = {};
  for (const [path, messages] of Object.entries(placed.byPath)) out[CONTROL_OF[path] ?? path] = messages;
  if (placed.other.length) {
    const at = changed ?? 'status';
    const other = error instanceof ApiError && !error.errors.length ? [errorMessage(error)] : placed.other;
    out[at] = [...(out[at] ?? []), ...other];
  }
  return out;
}

function Err({ messages, id }: { messages?: string[]; id: string }): ReactNode {
  if (!messages?.length) return null;
  return (
    <span id={id} className="field-error prop-error" role="alert">
      {messages.join(' ')}
    </span>
  );
}

/** The requester's survey answer in words: "Good", "Bad", or "4 of 5". */
export function csatWords(csat: NonNullable<Ticket['csat']>): string {
  if (typeof csat.rating === 'number') return `${csat.rating} of 5${csat.rating >= 4 ? ' (good)' : ''}`;
  return csat.rating === 'good' ? 'Good' : 'Bad';
}

export function PropertiesPanel({ ticket, update }: { ticket: Ticket; update: Update }) {
  const me = useMe();
  const statuses = useStatuses();
  const users = useUsers();
  const teams = useTeams();
  const labels = useLabels();
  const types = useTicketTypes();
  const transitions = useTransitions(ticket);
  const disabled = !me.canWrite || update.isPending;
  const [changed, setChanged] = useState<string | null>(null);
  const save = (changes: TicketUpdate) => {
    const keys = Object.keys(changes);
    const control = keys[0] === 'custom_fields' ? `custom_fields.${Object.keys(changes.custom_fields ?? {})[0] ?? ''}` : (CONTROL_OF[keys[0] ?? ''] ?? keys[0] ?? null);
    setChanged(control);
    update.mutate(changes);
  };
  const [newLabel, setNewLabel] = useState('');
  const id = (name: string) => `prop-${name}-${ticket.key}`;
  const fieldDefs = useCustomFields();
  // a new type or category can hide fields (scope, conditions): their values go in the same change
  const withHiddenCleared = (changes: TicketUpdate): TicketUpdate => {
    const cleared = clearedHidden(fieldDefs.data ?? [], { ...ticket, ...changes }, ticket.custom_fields);
    return Object.keys(cleared).length ? { ...changes, custom_fields: cleared } : changes;
  };
  const errors = ticketErrors(update.error, changed, (fieldDefs.data ?? []).map((f) => f.key));
  const invalid = (name: string) => (errors[name] ? { 'aria-invalid': true as const, 'aria-describedby': `${id(name)}-error` } : {});
  // the statuses this caller may move the ticket to now, by its type's lifecycle
  const reachable = new Set([ticket.status, ...(transitions.data?.transitions ?? []).map((t) => t.status)]);
  const statusChoices = (statuses.data ?? [{ name: ticket.status, label: titleCase(ticket.status) }]).filter((s) => !transitions.data || reachable.has(s.name));
  const typeChoices = (types.data ?? []).filter((t) => !t.archived || t.key === ticket.type);

  return (
    <section className="card props" aria-label="Properties">
      <h2>Properties</h2>
      <div className="prop-grid">
        <label className="prop" htmlFor={id('status')}>
          Status
        </label>
        <span className="prop-control">
          <select id={id('status')} value={ticket.status} disabled={disabled} onChange={(e) => save({ status: e.target.value })} {...invalid('status')}>
            {statusChoices.map((s) => (
              <option key={s.name} value={s.name}>
                {s.label}
              </option>
            ))}
          </select>
          <Err id={`${id('status')}-error`} messages={errors.status} />
        </span>
        <label className="prop" htmlFor={id('priority')}>
          Priority
        </label>
        <span className="prop-control">
<select id={id('priority')} {...invalid('priority')} value={ticket.priority} disabled={disabled} onChange={(e) => save({ priority: e.target.value as Ticket['priority'] })}>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {titleCase(p)}
            </option>
          ))}
        </select>
<Err id={`${id('priority')}-error`} messages={errors.priority} />
</span>
        <label className="prop" htmlFor={id('assignee')}>
          Assignee
        </label>
        <span className="prop-control">
<select id={id('assignee')} {...invalid('assignee')} value={ticket.assignee?.id ?? ''} disabled={disabled} onChange={(e) => save({ assignee_id: e.target.value || null })}>
          <option value="">Unassigned</option>
          {(users.data ?? [])
            .filter((u) => (u.role !== 'viewer' && u.active) || u.id === ticket.assignee?.id)
            .map((u) => (
              <option key={u.id} value={u.id}>
                {u.id === me.userId ? `${u.name} (me)` : u.name}
              </option>
            ))}
        </select>
<Err id={`${id('assignee')}-error`} messages={errors.assignee} />
</span>
        <label className="prop" htmlFor={id('team')}>
          Team
        </label>
        <span className="prop-control">
<select id={id('team')} {...invalid('team')} value={ticket.team?.id ?? ''} disabled={disabled} onChange={(e) => save({ team_id: e.target.value || null })}>
          <option value="">No team</option>
          {(teams.data ?? []).map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
<Err id={`${id('team')}-error`} messages={errors.team} />
</span>
        <label className="prop" htmlFor={id('type')}>
          Type
        </label>
        <span className="prop-control">
<select id={id('type')} {...invalid('type')} value={ticket.type ?? ''} disabled={disabled} onChange={(e) => save(withHiddenCleared({ type: e.target.value || null }))}>
          <option value="">—</option>
          {!typeChoices.some((t) => t.key === ticket.type) && ticket.type && <option value={ticket.type}>{titleCase(ticket.type)}</option>}
          {typeChoices.map((t) => (
            <option key={t.key} value={t.key}>
              {t.name}
            </option>
          ))}
        </select>
<Err id={`${id('type')}-error`} messages={errors.type} />
</span>
        <label className="prop" htmlFor={id('category')}>
          Category
        </label>
        <span className="prop-control">
        <input
          id={id('category')}
          {...invalid('category')}
          key={`${ticket.version}-category`}
          defaultValue={ticket.category ?? ''}
          disabled={disabled}
          maxLength={50}
          placeholder="e.g. billing"
          onBlur={(e) => {
            const value = e.target.value.trim().toLowerCase() || null;
            if (value !== ticket.category) save(withHiddenCleared({ category: value }));
          }}
          onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
        />
        <Err id={`${id('category')}-error`} messages={errors.category} />
        </span>
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
        {ticket.csat && (
          <>
            <span className="prop">Satisfaction</span>
            <span className="prop-control" aria-label="Customer satisfaction">
              {csatWords(ticket.csat)}
              {ticket.csat.comment && <q className="muted csat-comment">{ticket.csat.comment}</q>}
            </span>
          </>
        )}
      </div>
      <CustomFields ticket={ticket} disabled={disabled} save={save} errors={errors} />
    </section>
  );
}
