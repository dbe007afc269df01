import { useQuery, type UseMutationResult } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage, unwrap, type Ticket, type TicketUpdate } from '../../api/client';
import { useLabels, useStatuses, useTeams, useUsers } from '../../api/queries';
import { useMe } from '../../auth/session';
import { LabelChip, Spinner } from '../../components/ui';
import { useNow } from '../../lib/clock';
import { PRIORITIES, TICKET_TYPES } from '../../lib/filters';
import { absolute, countdown, titleCase } from '../../lib/format';
import { RelationsPanel } from './RelationsPanel';
import { TicketAttachments } from './Attachments';

type Update = UseMutationResult<Ticket, Error, TicketUpdate>;

export function DetailsTab({ ticket, update }: { ticket: Ticket; update: Update }) {
  const me = useMe();
  const statuses = useStatuses();
  const users = useUsers();
  const teams = useTeams();
  const labels = useLabels();
  const disabled = !me.canWrite || update.isPending;
  const save = (changes: TicketUpdate) => update.mutate(changes);
  const [newLabel, setNewLabel] = useState('');
  const [copied, setCopied] = useState(false);

  return (
    <div className="details">
      <div className="details-main">
        <div className="description">
          <h2>Description</h2>
          <p className="prewrap">{ticket.description || <span className="muted">No description.</span>}</p>
        </div>
        <div className="fields">
          <label className="field">
            <span>Status</span>
            <select value={ticket.status} disabled={disabled} onChange={(e) => save({ status: e.target.value })}>
              {(statuses.data ?? [{ name: ticket.status, label: titleCase(ticket.status) }]).map((s) => (
                <option key={s.name} value={s.name}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Priority</span>
            <select value={ticket.priority} disabled={disabled} onChange={(e) => save({ priority: e.target.value as Ticket['priority'] })}>
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {titleCase(p)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Type</span>
            <select value={ticket.type ?? ''} disabled={disabled} onChange={(e) => save({ type: e.target.value || null })}>
              <option value="">—</option>
              {[...new Set([...TICKET_TYPES, ...(ticket.type ? [ticket.type] : [])])].map((t) => (
                <option key={t} value={t}>
                  {titleCase(t)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Category</span>
            <input
              key={`${ticket.version}-category`}
              defaultValue={ticket.category ?? ''}
              disabled={disabled}
              maxLength={50}
              placeholder="e.g. billing"
              onBlur={(e) => {
                const value = e.target.value.trim().toLowerCase() || null;
                if (value !== ticket.category) save({ category: value });
              }}
            />
          </label>
          <div className="field">
            <label htmlFor="assignee">Assignee</label>
            <div className="field-row">
              <select id="assignee" value={ticket.assignee?.id ?? ''} disabled={disabled} onChange={(e) => save({ assignee_id: e.target.value || null })}>
                <option value="">Unassigned</option>
                {(users.data ?? [])
                  .filter((u) => (u.role !== 'viewer' && u.active) || u.id === ticket.assignee?.id)
                  .map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.name}
                    </option>
                  ))}
              </select>
              {me.userId && ticket.assignee?.id !== me.userId && (
                <button type="button" className="btn btn-small" disabled={disabled} onClick={() => save({ assignee_id: me.userId })}>
                  Assign to me
                </button>
              )}
            </div>
          </div>
          <label className="field">
            <span>Team</span>
            <select value={ticket.team?.id ?? ''} disabled={disabled} onChange={(e) => save({ team_id: e.target.value || null })}>
              <option value="">No team</option>
              {(teams.data ?? []).map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
          <div className="field field-wide">
            <span className="field-label">Labels</span>
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
                  <input aria-label="Add label" list="label-options" placeholder="Add label" value={newLabel} maxLength={50} onChange={(e) => setNewLabel(e.target.value)} />
                  <datalist id="label-options">
                    {(labels.data ?? []).map((l) => (
                      <option key={l.id} value={l.name} />
                    ))}
                  </datalist>
                </form>
              )}
            </div>
          </div>
          <CustomFields ticket={ticket} disabled={disabled} save={save} />
        </div>
      </div>
      <aside className="details-side">
        <SlaClocks ticket={ticket} />
        <section className="card">
          <h2>Requester</h2>
          {ticket.requester ? (
            <>
              <div>{ticket.requester.name ?? <span className="muted">No name</span>}</div>
              <div className="copy-row">
                <a href={`mailto:${ticket.requester.email}`}>{ticket.requester.email}</a>
                <button
                  type="button"
                  className="btn btn-small"
                  aria-label="Copy email"
                  onClick={() => {
                    void navigator.clipboard?.writeText(ticket.requester!.email).then(() => setCopied(true));
                    setTimeout(() => setCopied(false), 1500);
                  }}
                >
                  {copied ? 'Copied' : 'Copy'}
                </button>
              </div>
            </>
          ) : (
            <span className="muted">No requester.</span>
          )}
        </section>
        <section className="card">
          <h2>Info</h2>
          <dl className="meta">
            <dt>Channel</dt>
            <dd>{titleCase(ticket.channel)}</dd>
            <dt>Created</dt>
            <dd>{absolute(ticket.created_at)}</dd>
            <dt>Updated</dt>
            <dd>{absolute(ticket.updated_at)}</dd>
            {ticket.resolved_at && (
              <>
                <dt>Resolved</dt>
                <dd>{absolute(ticket.resolved_at)}</dd>
              </>
            )}
            <dt>Version</dt>
            <dd>{ticket.version}</dd>
          </dl>
        </section>
        <TicketAttachments ticket={ticket} />
        <RelationsPanel ticket={ticket} />
      </aside>
    </div>
  );
}

function SlaClocks({ ticket }: { ticket: Ticket }) {
  const now = useNow();
  const clock = (label: string, due: string | null | undefined, done?: string | null) => (
    <>
      <dt>{label}</dt>
      <dd>
        {done ? (
          <span className="tone-text-green">met {absolute(done)}</span>
        ) : due ? (
          <span className={countdown(due, now).overdue ? 'due overdue' : 'due'}>
            {countdown(due, now).text} <span className="muted">({absolute(due)})</span>
          </span>
        ) : (
          <span className="muted">no target</span>
        )}
      </dd>
    </>
  );
  return (
    <section className="card">
      <h2>
        SLA <span className={`badge sla-${ticket.sla.state}`}>{titleCase(ticket.sla.state)}</span>
      </h2>
      <dl className="meta">
        {clock('First response', ticket.sla.first_response_due_at, ticket.sla.first_responded_at)}
        {clock('Next response', ticket.sla.next_response_due_at)}
        {clock('Resolution', ticket.sla.resolution_due_at, ticket.resolved_at)}
      </dl>
      <SlaExplanation ticket={ticket} />
    </section>
  );
}

function CustomFields({ ticket, disabled, save }: { ticket: Ticket; disabled: boolean; save: (c: TicketUpdate) => void }) {
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const entries = Object.entries(ticket.custom_fields);
  return (
    <div className="field field-wide">
      <span className="field-label">Custom fields</span>
      <table className="kv">
        <tbody>
          {entries.length === 0 && (
            <tr>
              <td className="muted" colSpan={3}>
                None yet.
              </td>
            </tr>
          )}
          {entries.map(([key, v]) => (
            <tr key={key}>
              <th scope="row">{key}</th>
              <td>
                <input
                  aria-label={key}
                  key={`${ticket.version}-${key}`}
                  defaultValue={typeof v === 'string' ? v : JSON.stringify(v)}
                  disabled={disabled}
                  maxLength={500}
                  onBlur={(e) => e.target.value !== v && save({ custom_fields: { ...ticket.custom_fields, [key]: e.target.value } })}
                />
              </td>
              <td>
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
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!disabled && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!name.trim()) return;
            save({ custom_fields: { ...ticket.custom_fields, [name.trim()]: value } });
            setName('');
            setValue('');
          }}
        >
          <input aria-label="Field name" placeholder="field" value={name} maxLength={50} onChange={(e) => setName(e.target.value)} />
          <input aria-label="Field value" placeholder="value" value={value} maxLength={500} onChange={(e) => setValue(e.target.value)} />
          <button type="submit" className="btn btn-small">
            Add field
          </button>
        </form>
      )}
    </div>
  );
}

/** "Why these times?": `GET /tickets/{t}/sla` — the policy that applies and how each clock ran. */
function SlaExplanation({ ticket }: { ticket: Ticket }) {
  const [open, setOpen] = useState(false);
  const explanation = useQuery({
    queryKey: ['sla', ticket.key, ticket.version],
    queryFn: () => unwrap(api.GET('/api/v1/tickets/{ticket}/sla', { params: { path: { ticket: ticket.key } } })),
    enabled: open,
  });
  return (
    <>
      <button type="button" className="btn-link" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Hide explanation' : 'Why these times?'}
      </button>
      {open && explanation.isPending && <Spinner />}
      {open && explanation.isError && <p className="form-error">{errorMessage(explanation.error)}</p>}
      {open && explanation.data && (
        <div className="sla-why" aria-label="SLA explanation">
          <p>{explanation.data.why_policy}</p>
          <ul>
            {explanation.data.clocks.map((c) => (
              <li key={c.metric}>
                <strong>{titleCase(c.metric)}</strong> ({c.state}): {c.why}
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}
