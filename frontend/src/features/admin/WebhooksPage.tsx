// Webhooks: the signing secret shown once after create, the delivery log per webhook (status,
// code, latency) and redeliver.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { EmptyState, ErrorState, Spinner } from '../../components/ui';
import { absolute } from '../../lib/format';
import { Failure, Page } from './shared';

type Webhook = Schemas['WebhookRead'];

export function WebhooksPage() {
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: ['webhooks'], queryFn: () => unwrap(api.GET('/api/v1/webhooks', { params: { query: { limit: 100 } } })) });
  const [form, setForm] = useState({ url: '', events: 'ticket.created, ticket.status_changed', description: '' });
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['webhooks'] });
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/webhooks', {
          body: {
            url: form.url.trim(),
            events: form.events.split(',').map((e) => e.trim()).filter(Boolean),
            description: form.description.trim() || null,
            active: true,
          },
        }),
      ),
    onSuccess: (hook) => {
      setSecret({ url: hook.url, secret: hook.secret });
      setForm({ ...form, url: '', description: '' });
      refresh();
    },
  });
  const toggle = useMutation({
    mutationFn: (w: Webhook) => unwrap(api.PATCH('/api/v1/webhooks/{webhook_id}', { params: { path: { webhook_id: w.id } }, body: { active: !w.active } })),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (w: Webhook) => unwrap(api.DELETE('/api/v1/webhooks/{webhook_id}', { params: { path: { webhook_id: w.id } } })),
    onSettled: refresh,
  });
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
    queryFn: () => unwrap(api.GET('/api/v1/webhooks/{webhook_id}/deliveries', { params: { path: { webhook_id: hookId }, query: { limit: 50 } } })),
    refetchInterval: 10_000,
  });
  const redeliver = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST('/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver', { params: { path: { webhook_id: hookId, delivery_id: id } } })),
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
