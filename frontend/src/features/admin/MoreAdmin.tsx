// Admin pages for the APIs that landed after the first pass: SLA policies, business hours,
// automations (JSON editors for their structured fields), webhooks (secret shown once,
// delivery log, redeliver), email templates (edit + preview) and email settings.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { ApiError, errorMessage, getToken } from '../../api/client';
import { EmptyState, ErrorState, Spinner } from '../../components/ui';
import { absolute } from '../../lib/format';

/** A JSON call to the API with the session token (for the admin editors' free-form bodies). */
export async function adminCall<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const token = getToken();
  const response = await globalThis.fetch(`${globalThis.location?.origin ?? ''}/api/v1${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return data as T;
}

/** Parse the editor's text; a readable error instead of a SyntaxError. */
export function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`Not valid JSON: ${(error as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('The JSON must be an object ({ … }).');
  return value as Record<string, unknown>;
}

/** The fields of a read model an editor may send back (ids and timestamps dropped). */
export function editable(item: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  return Object.fromEntries(fields.filter((f) => f in item).map((f) => [f, item[f]]));
}

function Page({ title, intro, children }: { title: string; intro: string; children: ReactNode }) {
  return (
    <div className="admin-page">
      <h1>{title}</h1>
      <p className="muted">{intro}</p>
      {children}
    </div>
  );
}

function Failure({ error }: { error: unknown }) {
  return error ? (
    <p className="form-error" role="alert">
      {errorMessage(error)}
    </p>
  ) : null;
}

interface Item {
  id: string;
  name: string;
  active?: boolean;
  [key: string]: unknown;
}

/** List + create/edit as JSON + toggle + delete, for one collection endpoint. */
function JsonCollection(props: {
  path: string;
  queryKey: string;
  fields: string[];
  template: Record<string, unknown>;
  summary: (item: Item) => string;
  noun: string;
  plural?: string;
}) {
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: [props.queryKey], queryFn: () => adminCall<Item[]>('GET', props.path) });
  const [editing, setEditing] = useState<{ id: string | null; text: string } | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: [props.queryKey] });
  const save = useMutation({
    mutationFn: async ({ id, text }: { id: string | null; text: string }) => {
      const body = parseJsonObject(text);
      return id ? adminCall('PATCH', `${props.path}/${id}`, body) : adminCall('POST', props.path, body);
    },
    onSuccess: () => {
      setEditing(null);
      refresh();
    },
  });
  const toggle = useMutation({ mutationFn: (item: Item) => adminCall('PATCH', `${props.path}/${item.id}`, { active: !item.active }), onSettled: refresh });
  const remove = useMutation({ mutationFn: (item: Item) => adminCall('DELETE', `${props.path}/${item.id}`), onSettled: refresh });

  return (
    <>
      {list.isPending ? (
        <Spinner />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : list.data.length === 0 ? (
        <EmptyState title={`No ${props.plural ?? `${props.noun}s`} yet.`}>Create one below.</EmptyState>
      ) : (
        <table className="admin-table">
          <tbody>
            {list.data.map((item) => (
              <tr key={item.id}>
                <td>
                  <strong>{item.name}</strong>
                  <div className="muted small">{props.summary(item)}</div>
                </td>
                <td className="actions">
                  {'active' in item && (
                    <label>
                      <input type="checkbox" checked={!!item.active} onChange={() => toggle.mutate(item)} aria-label={`Active: ${item.name}`} /> active
                    </label>
                  )}{' '}
                  <button type="button" className="btn btn-small" onClick={() => setEditing({ id: item.id, text: JSON.stringify(editable(item, props.fields), null, 2) })}>
                    Edit
                  </button>{' '}
                  <button type="button" className="btn btn-small" onClick={() => window.confirm(`Delete ${item.name}?`) && remove.mutate(item)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Failure error={toggle.error ?? remove.error} />
      {editing ? (
        <form
          className="card json-editor"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate(editing);
          }}
        >
          <label>
            {editing.id ? `Edit ${props.noun} (JSON)` : `New ${props.noun} (JSON)`}
            <textarea rows={14} spellCheck={false} value={editing.text} onChange={(e) => setEditing({ ...editing, text: e.target.value })} />
          </label>
          <Failure error={save.error} />
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={save.isPending}>
              Save
            </button>
            <button type="button" className="btn-link" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <div className="row">
          <button type="button" className="btn" onClick={() => setEditing({ id: null, text: JSON.stringify(props.template, null, 2) })}>
            New {props.noun}
          </button>
        </div>
      )}
    </>
  );
}

export function SlaAdmin() {
  return (
    <Page title="SLA policies" intro="The first active policy whose match fits a ticket sets its targets (minutes), counted in its business hours.">
      <JsonCollection
        path="/sla-policies"
        queryKey="sla-policies"
        noun="policy"
        plural="policies"
        fields={['name', 'match', 'targets', 'business_hours_id', 'escalation', 'active', 'position']}
        template={{ name: 'Urgent tickets', match: { priority: ['urgent'] }, targets: { urgent: { first_response_minutes: 30, resolution_minutes: 240 } }, active: true }}
        summary={(p) => `targets ${JSON.stringify(p.targets)} · match ${JSON.stringify(p.match)}`}
      />
      <h2>Business hours</h2>
      <JsonCollection
        path="/business-hours"
        queryKey="business-hours"
        noun="schedule"
        fields={['name', 'timezone', 'weekly', 'holidays']}
        template={{ name: 'Office', timezone: 'Europe/Berlin', weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']] }, holidays: [] }}
        summary={(h) => `${String(h.timezone)} · ${Object.keys((h.weekly as object) ?? {}).join(', ')}`}
      />
    </Page>
  );
}

export function AutomationsAdmin() {
  return (
    <Page title="Automations" intro="When the trigger fires and the conditions hold, the actions run, in order of position.">
      <JsonCollection
        path="/automations"
        queryKey="automations"
        noun="automation"
        fields={['name', 'trigger', 'conditions', 'actions', 'active', 'position']}
        template={{ name: 'Urgent to the on-call team', trigger: 'ticket.created', conditions: { all: [{ field: 'priority', op: 'is', value: 'urgent' }] }, actions: [{ type: 'add_labels', value: ['oncall'] }], active: true }}
        summary={(a) => `on ${String(a.trigger)} · ${Array.isArray(a.actions) ? a.actions.length : 0} action(s)`}
      />
    </Page>
  );
}

interface Webhook {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  active: boolean;
  failing_since: string | null;
  disabled_reason: string | null;
  secret?: string;
}
interface Delivery {
  id: string;
  event_type: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_latency_ms: number | null;
  last_error: string | null;
  created_at: string;
}

export function WebhooksAdmin() {
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: ['webhooks'], queryFn: () => adminCall<{ items: Webhook[] }>('GET', '/webhooks?limit=100') });
  const [form, setForm] = useState({ url: '', events: 'ticket.created, ticket.status_changed', description: '' });
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['webhooks'] });
  const create = useMutation({
    mutationFn: () =>
      adminCall<Webhook>('POST', '/webhooks', {
        url: form.url.trim(),
        events: form.events.split(',').map((e) => e.trim()).filter(Boolean),
        description: form.description.trim() || null,
      }),
    onSuccess: (hook) => {
      setSecret({ url: hook.url, secret: hook.secret ?? '' });
      setForm({ ...form, url: '', description: '' });
      refresh();
    },
  });
  const toggle = useMutation({ mutationFn: (w: Webhook) => adminCall('PATCH', `/webhooks/${w.id}`, { active: !w.active }), onSettled: refresh });
  const remove = useMutation({ mutationFn: (w: Webhook) => adminCall('DELETE', `/webhooks/${w.id}`), onSettled: refresh });
  return (
    <Page title="Webhooks" intro="Events are POSTed to your URL, signed with the webhook's secret; failed deliveries are retried.">
      {secret && (
        <div className="secret-once" role="status">
          <strong>Signing secret for {secret.url}</strong> — copy it now, it is not shown again:
          <code className="secret">{secret.secret}</code>
          <button type="button" className="btn-link" onClick={() => setSecret(null)}>
            Done
          </button>
        </div>
      )}
      {list.isPending ? (
        <Spinner />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <EmptyState title="No webhooks yet.">Add an endpoint below.</EmptyState>
      ) : (
        <table className="admin-table">
          <tbody>
            {list.data.items.map((w) => (
              <WebhookRow key={w.id} hook={w} open={open === w.id} onOpen={() => setOpen(open === w.id ? null : w.id)} onToggle={() => toggle.mutate(w)} onDelete={() => window.confirm(`Delete the webhook to ${w.url}?`) && remove.mutate(w)} />
            ))}
          </tbody>
        </table>
      )}
      <Failure error={toggle.error ?? remove.error} />
      <form
        className="card admin-form stacked"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <h2>Add a webhook</h2>
        <label>
          URL
          <input type="url" required maxLength={2000} value={form.url} onChange={(e) => setForm({ ...form, url: e.target.value })} placeholder="https://example.com/hooks/ticketdesk" />
        </label>
        <label>
          Events (comma separated)
          <input value={form.events} maxLength={2000} onChange={(e) => setForm({ ...form, events: e.target.value })} />
        </label>
        <label>
          Description
          <input value={form.description} maxLength={200} onChange={(e) => setForm({ ...form, description: e.target.value })} />
        </label>
        <Failure error={create.error} />
        <button type="submit" className="btn btn-primary" disabled={create.isPending || !form.url.trim()}>
          Create webhook
        </button>
      </form>
    </Page>
  );
}

function WebhookRow(props: { hook: Webhook; open: boolean; onOpen: () => void; onToggle: () => void; onDelete: () => void }) {
  const { hook } = props;
  return (
    <>
      <tr>
        <td>
          <strong className="wrap">{hook.url}</strong>
          <div className="muted small">
            {hook.events.join(', ')}
            {hook.description ? ` · ${hook.description}` : ''}
            {hook.disabled_reason ? ` · disabled: ${hook.disabled_reason}` : hook.failing_since ? ` · failing since ${absolute(hook.failing_since)}` : ''}
          </div>
        </td>
        <td className="actions">
          <label>
            <input type="checkbox" checked={hook.active} onChange={props.onToggle} aria-label={`Active: ${hook.url}`} /> active
          </label>{' '}
          <button type="button" className="btn btn-small" aria-expanded={props.open} onClick={props.onOpen}>
            Deliveries
          </button>{' '}
          <button type="button" className="btn btn-small" onClick={props.onDelete}>
            Delete
          </button>
        </td>
      </tr>
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
  const list = useQuery({
    queryKey: ['deliveries', hookId],
    queryFn: () => adminCall<{ items: Delivery[] }>('GET', `/webhooks/${hookId}/deliveries?limit=50`),
    refetchInterval: 10_000,
  });
  const redeliver = useMutation({
    mutationFn: (id: string) => adminCall('POST', `/webhooks/${hookId}/deliveries/${id}/redeliver`),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['deliveries', hookId] }),
  });
  if (list.isPending) return <Spinner />;
  if (list.isError) return <ErrorState error={list.error} retry={() => void list.refetch()} />;
  if (list.data.items.length === 0) return <p className="muted">No deliveries yet.</p>;
  return (
    <>
      <table className="admin-table deliveries" aria-label="Deliveries">
        <thead>
          <tr>
            <th>When</th>
            <th>Event</th>
            <th>Status</th>
            <th>Code</th>
            <th>Latency</th>
            <th>Attempts</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.data.items.map((d) => (
            <tr key={d.id} data-status={d.status}>
              <td>{absolute(d.created_at)}</td>
              <td>{d.event_type}</td>
              <td title={d.last_error ?? undefined}>{d.status}</td>
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
      <Failure error={redeliver.error} />
    </>
  );
}

interface Template {
  kind: string;
  subject: string;
  text: string;
  html: string;
  is_default: boolean;
}

export function EmailAdmin() {
  const templates = useQuery({ queryKey: ['email-templates'], queryFn: () => adminCall<Template[]>('GET', '/email/templates') });
  const [kind, setKind] = useState<string | null>(null);
  const current = templates.data?.find((t) => t.kind === kind) ?? templates.data?.[0];
  return (
    <Page title="Email" intro="What customers receive by email: the templates per kind of message, and the sender settings.">
      {templates.isPending ? (
        <Spinner />
      ) : templates.isError ? (
        <ErrorState error={templates.error} retry={() => void templates.refetch()} />
      ) : (
        <>
          <div className="row">
            <label>
              Template{' '}
              <select value={current?.kind ?? ''} onChange={(e) => setKind(e.target.value)}>
                {templates.data.map((t) => (
                  <option key={t.kind} value={t.kind}>
                    {t.kind}
                    {t.is_default ? ' (default)' : ''}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {current && <TemplateEditor key={current.kind} template={current} />}
        </>
      )}
      <h2>Settings</h2>
      <EmailSettings />
    </Page>
  );
}

function TemplateEditor({ template }: { template: Template }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState({ subject: template.subject, text: template.text, html: template.html });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['email-templates'] });
  const save = useMutation({ mutationFn: () => adminCall('PUT', `/email/templates/${template.kind}`, draft), onSuccess: refresh });
  const reset = useMutation({ mutationFn: () => adminCall('DELETE', `/email/templates/${template.kind}`), onSuccess: refresh });
  const preview = useMutation({ mutationFn: () => adminCall<{ subject: string; text: string; html: string }>('POST', `/email/templates/${template.kind}/preview`, draft) });
  return (
    <div className="template-editor">
      <form
        className="card admin-form stacked"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <label>
          Subject
          <input value={draft.subject} onChange={(e) => setDraft({ ...draft, subject: e.target.value })} />
        </label>
        <label>
          Text body
          <textarea rows={6} value={draft.text} onChange={(e) => setDraft({ ...draft, text: e.target.value })} />
        </label>
        <label>
          HTML body
          <textarea rows={6} spellCheck={false} value={draft.html} onChange={(e) => setDraft({ ...draft, html: e.target.value })} />
        </label>
        <Failure error={save.error ?? reset.error ?? preview.error} />
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            Save template
          </button>
          <button type="button" className="btn" onClick={() => preview.mutate()}>
            Preview
          </button>
          {!template.is_default && (
            <button type="button" className="btn-link" onClick={() => reset.mutate()}>
              Reset to default
            </button>
          )}
          {save.isSuccess && <span className="muted">Saved.</span>}
        </div>
      </form>
      {preview.data && (
        <section className="card" aria-label="Preview">
          <h2>Preview: {preview.data.subject}</h2>
          {/* rendered by the server from sample data; shown sandboxed, scripts never run */}
          <iframe title="HTML preview" className="email-preview" sandbox="" srcDoc={preview.data.html} />
          <pre className="prewrap">{preview.data.text}</pre>
        </section>
      )}
    </div>
  );
}

function EmailSettings() {
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: ['email-settings'], queryFn: () => adminCall<Record<string, unknown>>('GET', '/settings/email') });
  const [text, setText] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () => adminCall('PUT', '/settings/email', parseJsonObject(text ?? '{}')),
    onSuccess: () => {
      setText(null);
      void queryClient.invalidateQueries({ queryKey: ['email-settings'] });
    },
  });
  if (settings.isPending) return <Spinner />;
  if (settings.isError) return <ErrorState error={settings.error} retry={() => void settings.refetch()} />;
  const { smtp_configured, ...rest } = settings.data;
  return (
    <form
      className="card json-editor"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <p className="muted">SMTP {smtp_configured ? 'is configured' : 'is not configured: outgoing mail is not sent'}.</p>
      <label>
        Email settings (JSON)
        <textarea rows={12} spellCheck={false} value={text ?? JSON.stringify(rest, null, 2)} onChange={(e) => setText(e.target.value)} />
      </label>
      <Failure error={save.error} />
      <button type="submit" className="btn btn-primary" disabled={save.isPending || text === null}>
        Save settings
      </button>
    </form>
  );
}
