// Webhooks: the events to send as checkboxes (by family, or all), the signing secret shown once
// after create or rotate with a Copy button, and the delivery log per webhook with redeliver.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { EmptyState, ErrorState, Spinner } from '../../components/ui';
import { absolute } from '../../lib/format';
import { placeErrors } from './fieldErrors';
import { CopyButton, Field, FieldError, FormErrors } from './form';
import { Failure, Page } from './shared';

type Webhook = Schemas['WebhookRead'];

/** The event types the desk writes (src/ticketdesk/webhooks/schemas.py EVENT_TYPES). */
export const EVENT_FAMILIES = [
  {
    family: 'ticket',
    label: 'Ticket events',
    events: [
      'ticket.created',
      'ticket.subject_changed',
      'ticket.description_changed',
      'ticket.type_changed',
      'ticket.category_changed',
      'ticket.custom_fields_changed',
      'ticket.status_changed',
      'ticket.reopened',
      'ticket.priority_changed',
      'ticket.assigned',
      'ticket.team_changed',
      'ticket.labels_changed',
      'ticket.comment_added',
      'ticket.attachment_added',
      'ticket.merged',
      'ticket.split',
      'ticket.link_added',
      'ticket.link_removed',
      'ticket.watched',
      'ticket.unwatched',
      'ticket.sla_warning',
      'ticket.sla_breached',
      'ticket.automation_failed',
    ],
  },
  { family: 'conversation', label: 'Conversation events', events: ['conversation.created', 'conversation.messages_added', 'conversation.deleted'] },
] as const;

type EventName = (typeof EVENT_FAMILIES)[number]['events'][number] | 'ticket.*' | 'conversation.*' | '*';

/** Tick or untick one event pattern; a wildcard replaces what it covers. */
export function toggleEvent(selected: readonly string[], event: string, on: boolean): string[] {
  if (!on) return selected.filter((e) => e !== event);
  if (event === '*') return ['*'];
  if (event.endsWith('.*')) {
    const prefix = event.slice(0, -1);
    return [...selected.filter((e) => !e.startsWith(prefix)), event];
  }
  return [...selected, event];
}

/** Whether `event` is covered by the selection (itself, its family wildcard or `*`). */
export function covered(selected: readonly string[], event: string): boolean {
  return selected.includes('*') || selected.includes(event) || selected.includes(`${event.split('.')[0]}.*`);
}

function EventPicker({ value, onChange, errors }: { value: string[]; onChange: (v: string[]) => void; errors?: string[] }) {
  const all = value.includes('*');
  return (
    <fieldset className="event-picker" aria-invalid={errors?.length ? true : undefined}>
      <legend>Events</legend>
      <label className="check">
        <input type="checkbox" checked={all} onChange={(e) => onChange(toggleEvent(value, '*', e.target.checked))} />
        Every event (<code>*</code>)
      </label>
      {EVENT_FAMILIES.map((f) => {
        const wildcard = `${f.family}.*`;
        const whole = value.includes(wildcard);
        return (
          <fieldset key={f.family} className="checks event-family" disabled={all}>
            <legend>{f.label}</legend>
            <label className="check">
              <input type="checkbox" checked={all || whole} onChange={(e) => onChange(toggleEvent(value, wildcard, e.target.checked))} />
              All {f.family} events (<code>{wildcard}</code>)
            </label>
            <div className="event-grid">
              {f.events.map((event) => (
                <label key={event} className="check">
                  <input type="checkbox" disabled={whole} checked={covered(value, event)} onChange={(e) => onChange(toggleEvent(value, event, e.target.checked))} />
                  <code>{event}</code>
                </label>
              ))}
            </div>
          </fieldset>
        );
      })}
      <FieldError messages={errors} />
    </fieldset>
  );
}

export function WebhooksPage() {
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: ['webhooks'], queryFn: () => unwrap(api.GET('/api/v1/webhooks', { params: { query: { limit: 100 } } })) });
  const [secret, setSecret] = useState<{ url: string; secret: string; rotated: boolean } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['webhooks'] });
  const toggle = useMutation({
    mutationFn: (w: Webhook) => unwrap(api.PATCH('/api/v1/webhooks/{webhook_id}', { params: { path: { webhook_id: w.id } }, body: { active: !w.active } })),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (w: Webhook) => unwrap(api.DELETE('/api/v1/webhooks/{webhook_id}', { params: { path: { webhook_id: w.id } } })),
    onSettled: refresh,
  });
  const rotate = useMutation({
    mutationFn: (w: Webhook) => unwrap(api.POST('/api/v1/webhooks/{webhook_id}/rotate-secret', { params: { path: { webhook_id: w.id } } })),
    onSuccess: (hook) => {
      setSecret({ url: hook.url, secret: hook.secret, rotated: true });
      refresh();
    },
  });
  return (
    <Page title="Webhooks" intro="Events are POSTed to your URL as they happen, signed with the webhook's secret (Standard Webhooks); failed deliveries are retried.">
      {secret && (
        <div className="secret-once" role="status">
          <strong>{secret.rotated ? 'New signing secret' : 'Signing secret'} for {secret.url}</strong>
          <span>Copy it now: it is not shown again.{secret.rotated ? ' The old secret keeps working for a while.' : ''}</span>
          <span className="secret-row">
            <code className="secret">{secret.secret}</code>
            <CopyButton text={secret.secret} what="signing secret" />
          </span>
          <button type="button" className="btn-link" onClick={() => setSecret(null)}>
            Done
          </button>
        </div>
      )}
      {list.isPending ? (
        <Spinner label="Loading webhooks…" />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <EmptyState title="No webhooks yet.">Add an endpoint below to get ticket events as they happen.</EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="admin-table" aria-label="Webhooks">
            <tbody>
              {list.data.items.map((w) => (
                <WebhookRow
                  key={w.id}
                  hook={w}
                  open={open === w.id}
                  editing={editing === w.id}
                  onOpen={() => setOpen(open === w.id ? null : w.id)}
                  onEdit={() => setEditing(editing === w.id ? null : w.id)}
                  onToggle={() => toggle.mutate(w)}
                  onRotate={() => window.confirm(`Make a new signing secret for ${w.url}?`) && rotate.mutate(w)}
                  onDelete={() => window.confirm(`Delete the webhook to ${w.url}?`) && remove.mutate(w)}
                  onSaved={() => {
                    setEditing(null);
                    refresh();
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Failure error={toggle.error ?? remove.error ?? rotate.error} />
      <WebhookForm
        onCreated={(hook) => {
          setSecret({ url: hook.url, secret: hook.secret, rotated: false });
          refresh();
        }}
      />
    </Page>
  );
}

function WebhookForm({ onCreated }: { onCreated: (hook: Schemas['WebhookWithSecret']) => void }) {
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[]>(['ticket.created', 'ticket.status_changed']);
  const create = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/v1/webhooks', { body: { url: url.trim(), events: events as EventName[], description: description.trim() || null, active: true } })),
    onSuccess: (hook) => {
      setUrl('');
      setDescription('');
      onCreated(hook);
    },
  });
  const errors = placeErrors(create.error, ['url', 'events', ...events.map((_, i) => `events.${i}`), 'description']);
  const eventErrors = [...(errors.byPath.events ?? []), ...events.flatMap((_, i) => errors.byPath[`events.${i}`] ?? [])];
  return (
    <form
      className="card admin-form"
      aria-label="Add a webhook"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <h2>Add a webhook</h2>
      <Field label="URL" errors={errors.byPath.url}>
        <input type="url" required maxLength={2000} value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.com/hooks/ticketdesk" />
      </Field>
      <Field label="Description" errors={errors.byPath.description}>
        <input value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} placeholder="CRM sync" />
      </Field>
      <EventPicker value={events} onChange={setEvents} errors={eventErrors.length ? eventErrors : undefined} />
      <FormErrors messages={errors.other} />
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={create.isPending || !url.trim() || events.length === 0}>
          {create.isPending ? 'Creating…' : 'Create webhook'}
        </button>
        {events.length === 0 && <span className="muted">Pick at least one event.</span>}
      </div>
    </form>
  );
}

function EventsEditor({ hook, onSaved, onCancel }: { hook: Webhook; onSaved: () => void; onCancel: () => void }) {
  const [events, setEvents] = useState<string[]>(hook.events);
  const [url, setUrl] = useState(hook.url);
  const [description, setDescription] = useState(hook.description ?? '');
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH('/api/v1/webhooks/{webhook_id}', {
          params: { path: { webhook_id: hook.id } },
          body: { url: url.trim(), events: events as EventName[], description: description.trim() || null },
        }),
      ),
    onSuccess: onSaved,
  });
  const errors = placeErrors(save.error, ['url', 'events', 'description']);
  return (
    <form
      className="admin-form"
      aria-label={`Edit webhook ${hook.url}`}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Field label="URL" errors={errors.byPath.url}>
        <input type="url" required maxLength={2000} value={url} onChange={(e) => setUrl(e.target.value)} />
      </Field>
      <Field label="Description" errors={errors.byPath.description}>
        <input value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      <EventPicker value={events} onChange={setEvents} errors={errors.byPath.events} />
      <FormErrors messages={errors.other} />
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={save.isPending || events.length === 0}>
          Save webhook
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function WebhookRow(props: {
  hook: Webhook;
  open: boolean;
  editing: boolean;
  onOpen: () => void;
  onEdit: () => void;
  onToggle: () => void;
  onRotate: () => void;
  onDelete: () => void;
  onSaved: () => void;
}) {
  const { hook } = props;
  const state = hook.disabled_reason ? `disabled: ${hook.disabled_reason}` : hook.failing_since ? `failing since ${absolute(hook.failing_since)}` : null;
  return (
    <>
      <tr>
        <td>
          <strong className="wrap">{hook.url}</strong>
          <div className="muted small">
            {hook.events.join(', ')}
            {hook.description ? ` · ${hook.description}` : ''}
          </div>
          {state && <div className="small text-danger">{state}</div>}
        </td>
        <td className="actions">
          <label className="check">
            <input type="checkbox" checked={hook.active} onChange={props.onToggle} aria-label={`Active: ${hook.url}`} /> active
          </label>
          <button type="button" className="btn btn-small" aria-expanded={props.open} onClick={props.onOpen}>
            Deliveries
          </button>
          <button type="button" className="btn btn-small" aria-expanded={props.editing} onClick={props.onEdit}>
            Edit
          </button>
          <button type="button" className="btn btn-small" onClick={props.onRotate}>
            Rotate secret
          </button>
          <button type="button" className="btn btn-small btn-danger" onClick={props.onDelete}>
            Delete
          </button>
        </td>
      </tr>
      {props.editing && (
        <tr>
          <td colSpan={2}>
            <EventsEditor hook={hook} onSaved={props.onSaved} onCancel={props.onEdit} />
          </td>
        </tr>
      )}
      {props.open && (
        <tr>
          <td colSpan={2}>
            <Deliveries hookId={hook.id} />
          </td>
        </tr>
      )}
    </>
  );
}

function Deliveries({ hookId }: { hookId: string }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState('');
  const list = useQuery({
    queryKey: ['deliveries', hookId, status],
    queryFn: () =>
      unwrap(api.GET('/api/v1/webhooks/{webhook_id}/deliveries', { params: { path: { webhook_id: hookId }, query: { limit: 50, status: status || undefined } } })),
    refetchInterval: 10_000,
  });
  const redeliver = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST('/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver', { params: { path: { webhook_id: hookId, delivery_id: id } } })),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['deliveries', hookId] }),
  });
  return (
    <div className="deliveries-panel">
      <div className="row">
        <label className="inline-label">
          Show{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">every delivery</option>
            <option value="pending">pending</option>
            <option value="delivered">delivered</option>
            <option value="failed">failed</option>
          </select>
        </label>
        <button type="button" className="btn btn-small" onClick={() => void list.refetch()} disabled={list.isFetching}>
          {list.isFetching ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {list.isPending ? (
        <Spinner label="Loading deliveries…" />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <p className="muted">No deliveries yet: they appear here as subscribed events happen.</p>
      ) : (
        <div className="table-scroll">
          <table className="admin-table deliveries" aria-label="Deliveries">
            <thead>
              <tr>
                <th>When</th>
                <th>Event</th>
                <th>Status</th>
                <th>Code</th>
                <th>Latency</th>
                <th>Attempts</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((d) => (
                <tr key={d.id} data-status={d.status}>
                  <td>{absolute(d.created_at)}</td>
                  <td>
                    <code>{d.event_type}</code>
                  </td>
                  <td>
                    <span className={`badge delivery-${d.status}`}>{d.status}</span>
                    {d.last_error && <div className="small muted wrap">{d.last_error}</div>}
                  </td>
                  <td>{d.last_status_code ?? '—'}</td>
                  <td>{d.last_latency_ms === null ? '—' : `${d.last_latency_ms} ms`}</td>
                  <td>{d.attempts}</td>
                  <td>
                    <button type="button" className="btn btn-small" disabled={redeliver.isPending} onClick={() => redeliver.mutate(d.id)}>
                      Redeliver
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Failure error={redeliver.error} />
    </div>
  );
}
