import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api, errorMessage, unwrap, type TicketCreate } from '../api/client';
import { useTeams, useUsers } from '../api/queries';
import { useMe } from '../auth/session';
import { PRIORITIES, TICKET_TYPES } from '../lib/filters';
import { relative, titleCase } from '../lib/format';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The customer behind an email, from their tickets (`GET /tickets?requester=`). */
function useKnownCustomer(email: string) {
  const [settled, setSettled] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setSettled(email.trim().toLowerCase()), 300);
    return () => clearTimeout(t);
  }, [email]);
  return useQuery({
    queryKey: ['requester-tickets', settled],
    queryFn: () => unwrap(api.GET('/api/v1/tickets', { params: { query: { requester: settled, sort: '-created_at', limit: 6 } } })),
    enabled: EMAIL.test(settled),
    staleTime: 30_000,
  });
}

export function NewTicketPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const users = useUsers();
  const teams = useTeams();
  const me = useMe();
  const [form, setForm] = useState({
    subject: '',
    description: '',
    email: '',
    name: '',
    priority: 'normal',
    type: '',
    category: '',
    labels: '',
    // the agent who opens a ticket owns it, as the API does for a session without assignee_id;
    // "Unassigned" sends null and leaves it in the queue
    assignee_id: me.userId ?? '',
    team_id: '',
  });
  const known = useKnownCustomer(form.email);
  const previous = known.data?.items ?? [];
  const knownName = previous.find((t) => t.requester?.name)?.requester?.name ?? null;
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  const create = useMutation({
    mutationFn: () => {
      const body: TicketCreate = {
        subject: form.subject.trim(),
        description: form.description,
        priority: form.priority as TicketCreate['priority'],
        channel: 'agent',
        labels: form.labels.split(',').map((l) => l.trim().toLowerCase()).filter(Boolean),
        custom_fields: {},
        requester: form.email.trim() ? { email: form.email.trim(), name: form.name.trim() || null } : null,
        type: form.type || null,
        category: form.category.trim().toLowerCase() || null,
        assignee_id: form.assignee_id || null,
        team_id: form.team_id || null,
      };
      return unwrap(api.POST('/api/v1/tickets', { body }));
    },
    onSuccess: (ticket) => {
      void queryClient.invalidateQueries({ queryKey: ['tickets'] });
      void queryClient.invalidateQueries({ queryKey: ['stats'] });
      void navigate(`/tickets/${ticket.key}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <div className="form-page">
      <Link to="/" className="back">
        ← Back to queue
      </Link>
      <h1>New ticket</h1>
      <p className="muted">Open a ticket on behalf of a customer who called, wrote or stopped by.</p>
      <form className="card form-grid" onSubmit={submit}>
        <label className="field">
          <span>Customer email</span>
          <input type="email" value={form.email} onChange={set('email')} maxLength={320} placeholder="customer@example.com" />
        </label>
        <label className="field">
          <span>Customer name</span>
          <input value={form.name} onChange={set('name')} maxLength={200} placeholder={knownName ?? undefined} />
        </label>
        {previous.length > 0 && (
          <div className="field-wide notice known-customer" role="status">
            <strong>{knownName ?? form.email.trim()}</strong> has {previous.length === 6 ? 'at least 6' : previous.length} earlier ticket{previous.length === 1 ? '' : 's'}:{' '}
            {previous.slice(0, 5).map((t, i) => (
              <span key={t.key}>
                {i > 0 && ', '}
                <Link to={`/tickets/${t.key}`}>{t.key}</Link> {t.subject} <span className="muted">({relative(t.created_at)})</span>
              </span>
            ))}
            {knownName && !form.name.trim() && (
              <>
                {' '}
                <button type="button" className="btn-link" onClick={() => setForm({ ...form, name: knownName })}>
                  Use the name “{knownName}”
                </button>
              </>
            )}
          </div>
        )}
        <label className="field field-wide">
          <span>Subject</span>
          <input value={form.subject} onChange={set('subject')} required maxLength={300} />
        </label>
        <label className="field field-wide">
          <span>Description</span>
          <textarea rows={6} value={form.description} onChange={set('description')} maxLength={100000} />
        </label>
        <label className="field">
          <span>Priority</span>
          <select value={form.priority} onChange={set('priority')}>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {titleCase(p)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Type</span>
          <select value={form.type} onChange={set('type')}>
            <option value="">—</option>
            {TICKET_TYPES.map((t) => (
              <option key={t} value={t}>
                {titleCase(t)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Category</span>
          <input value={form.category} onChange={set('category')} maxLength={50} placeholder="billing" />
        </label>
        <label className="field">
          <span>Labels (comma separated)</span>
          <input value={form.labels} onChange={set('labels')} maxLength={500} />
        </label>
        <label className="field">
          <span>Assignee</span>
          <select value={form.assignee_id} onChange={set('assignee_id')}>
            <option value="">Unassigned</option>
            {(users.data ?? []).filter((u) => u.role !== 'viewer' && u.active).map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Team</span>
          <select value={form.team_id} onChange={set('team_id')}>
            <option value="">No team</option>
            {(teams.data ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        {create.isError && (
          <p className="form-error field-wide" role="alert">
            {errorMessage(create.error)}
          </p>
        )}
        <div className="field-wide">
          <button type="submit" className="btn btn-primary" disabled={!form.subject.trim() || create.isPending}>
            {create.isPending ? 'Creating…' : 'Create ticket'}
          </button>
        </div>
      </form>
    </div>
  );
}
