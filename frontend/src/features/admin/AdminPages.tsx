// Admin pages for what the API has today: users and roles, teams, labels, statuses, API tokens,
// workspace. SLA policies, business hours, automations, webhooks and email are in MoreAdmin.tsx.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { api, errorMessage, unwrap, type User } from '../../api/client';
import { useLabels, useStatuses, useTeams, useUsers } from '../../api/queries';
import { EmptyState, ErrorState, LabelChip, Spinner, StatusBadge } from '../../components/ui';
import { absolute } from '../../lib/format';

function useAdminMutation<T>(fn: (arg: T) => Promise<unknown>, invalidate: string) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => void queryClient.invalidateQueries({ queryKey: [invalidate] }) });
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

export function UsersAdmin() {
  const users = useUsers();
  const [form, setForm] = useState({ email: '', name: '', role: 'agent', password: '' });
  const create = useAdminMutation(
    () => unwrap(api.POST('/api/v1/users', { body: { ...form, role: form.role as User['role'], password: form.password || null } })),
    'users',
  );
  const update = useAdminMutation(
    ({ id, ...body }: { id: string; role?: User['role']; active?: boolean }) =>
      unwrap(api.PATCH('/api/v1/users/{user_id}', { params: { path: { user_id: id } }, body })),
    'users',
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(undefined, { onSuccess: () => setForm({ email: '', name: '', role: 'agent', password: '' }) });
  };
  return (
    <Page title="Users & roles" intro="Admins manage everything, agents work tickets, viewers read only.">
      <form className="card inline-form admin-form" onSubmit={submit}>
        <input aria-label="Name" placeholder="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required maxLength={200} />
        <input aria-label="Email" type="email" placeholder="Email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} required maxLength={320} />
        <select aria-label="Role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })}>
          <option value="agent">Agent</option>
          <option value="admin">Admin</option>
          <option value="viewer">Viewer</option>
        </select>
        <input aria-label="Initial password" type="password" placeholder="Initial password (8+)" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} maxLength={200} />
        <button type="submit" className="btn btn-primary">
          Add user
        </button>
      </form>
      <Failure error={create.error ?? update.error} />
      {users.isPending ? (
        <Spinner />
      ) : users.isError ? (
        <ErrorState error={users.error} />
      ) : (
        <table className="admin-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Email</th>
              <th>Role</th>
              <th>Active</th>
            </tr>
          </thead>
          <tbody>
            {users.data.map((u) => (
              <tr key={u.id}>
                <td>{u.name}</td>
                <td>{u.email}</td>
                <td>
                  <select aria-label={`Role of ${u.name}`} value={u.role} onChange={(e) => update.mutate({ id: u.id, role: e.target.value as User['role'] })}>
                    <option value="admin">Admin</option>
                    <option value="agent">Agent</option>
                    <option value="viewer">Viewer</option>
                  </select>
                </td>
                <td>
                  <input type="checkbox" aria-label={`${u.name} active`} checked={u.active} onChange={(e) => update.mutate({ id: u.id, active: e.target.checked })} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

export function TeamsAdmin() {
  const teams = useTeams();
  const users = useUsers();
  const [name, setName] = useState('');
  const create = useAdminMutation(() => unwrap(api.POST('/api/v1/teams', { body: { name, member_ids: [] } })), 'teams');
  const update = useAdminMutation(
    ({ id, member_ids }: { id: string; member_ids: string[] }) =>
      unwrap(api.PATCH('/api/v1/teams/{team_id}', { params: { path: { team_id: id } }, body: { member_ids } })),
    'teams',
  );
  const agents = (users.data ?? []).filter((u) => u.role !== 'viewer');
  return (
    <Page title="Teams" intro="Group agents so tickets can be routed to a team.">
      <form className="card inline-form admin-form" onSubmit={(e) => { e.preventDefault(); create.mutate(undefined, { onSuccess: () => setName('') }); }}>
        <input aria-label="Team name" placeholder="Team name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
        <button type="submit" className="btn btn-primary">Add team</button>
      </form>
      <Failure error={create.error ?? update.error} />
      {teams.isPending ? <Spinner /> : teams.isError ? <ErrorState error={teams.error} /> : teams.data.length === 0 ? (
        <EmptyState title="No teams yet.">Add one above, then pick its members.</EmptyState>
      ) : (
        teams.data.map((team) => (
          <section key={team.id} className="card">
            <h2>{team.name}</h2>
            <div className="member-grid">
              {agents.map((u) => (
                <label key={u.id} className="check">
                  <input
                    type="checkbox"
                    checked={team.member_ids.includes(u.id)}
                    onChange={(e) =>
                      update.mutate({ id: team.id, member_ids: e.target.checked ? [...team.member_ids, u.id] : team.member_ids.filter((m) => m !== u.id) })
                    }
                  />
                  {u.name}
                </label>
              ))}
            </div>
          </section>
        ))
      )}
    </Page>
  );
}

export function LabelsAdmin() {
  const labels = useLabels();
  const [name, setName] = useState('');
  const create = useAdminMutation(() => unwrap(api.POST('/api/v1/labels', { body: { name: name.trim().toLowerCase() } })), 'labels');
  return (
    <Page title="Labels" intro="Labels are also created on the fly when an agent types a new one on a ticket.">
      <form className="card inline-form admin-form" onSubmit={(e) => { e.preventDefault(); create.mutate(undefined, { onSuccess: () => setName('') }); }}>
        <input aria-label="Label name" placeholder="Label name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={50} />
        <button type="submit" className="btn btn-primary">Add label</button>
      </form>
      <Failure error={create.error} />
      {labels.isPending ? <Spinner /> : labels.isError ? <ErrorState error={labels.error} /> : (
        <div className="card">{labels.data.map((l) => <LabelChip key={l.id} name={l.name} />)}</div>
      )}
    </Page>
  );
}

export function StatusesAdmin() {
  const statuses = useStatuses();
  const [form, setForm] = useState({ name: '', label: '', category: 'open' });
  const create = useAdminMutation(
    () => unwrap(api.POST('/api/v1/statuses', { body: { ...form, category: form.category as 'open' } })),
    'statuses',
  );
  const rename = useAdminMutation(
    ({ name, label }: { name: string; label: string }) => unwrap(api.PATCH('/api/v1/statuses/{name}', { params: { path: { name } }, body: { label } })),
    'statuses',
  );
  return (
    <Page title="Statuses" intro="Every status maps to a category (open, pending, solved, closed) that drives SLA clocks and reporting.">
      <form className="card inline-form admin-form" onSubmit={(e) => { e.preventDefault(); create.mutate(undefined, { onSuccess: () => setForm({ name: '', label: '', category: 'open' }) }); }}>
        <input aria-label="Status key" placeholder="key (e.g. on_hold)" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required maxLength={50} />
        <input aria-label="Status label" placeholder="Label" value={form.label} onChange={(e) => setForm({ ...form, label: e.target.value })} required maxLength={80} />
        <select aria-label="Category" value={form.category} onChange={(e) => setForm({ ...form, category: e.target.value })}>
          {['open', 'pending', 'solved', 'closed'].map((c) => <option key={c} value={c}>{c}</option>)}
        </select>
        <button type="submit" className="btn btn-primary">Add status</button>
      </form>
      <Failure error={create.error ?? rename.error} />
      {statuses.isPending ? <Spinner /> : statuses.isError ? <ErrorState error={statuses.error} /> : (
        <table className="admin-table">
          <thead><tr><th>Status</th><th>Key</th><th>Category</th><th>Label</th></tr></thead>
          <tbody>
            {statuses.data.map((s) => (
              <tr key={s.id}>
                <td><StatusBadge status={s.name} category={s.category} label={s.label} /></td>
                <td><code>{s.name}</code></td>
                <td>{s.category}</td>
                <td>
                  <input aria-label={`Label of ${s.name}`} defaultValue={s.label} maxLength={80} onBlur={(e) => e.target.value.trim() && e.target.value !== s.label && rename.mutate({ name: s.name, label: e.target.value.trim() })} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

const SCOPES = ['tickets:read', 'tickets:write', 'conversations:write', 'email:inbound', 'webhooks:manage', 'admin'];

export function TokensAdmin() {
  const tokens = useQuery({ queryKey: ['api-tokens'], queryFn: () => unwrap(api.GET('/api/v1/api-tokens')) });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['tickets:read']);
  const [secret, setSecret] = useState<string | null>(null);
  const create = useAdminMutation(
    () => unwrap(api.POST('/api/v1/api-tokens', { body: { name, scopes: scopes as never } })).then((t) => setSecret(t.token)),
    'api-tokens',
  );
  const revoke = useAdminMutation(
    (id: string) => unwrap(api.DELETE('/api/v1/api-tokens/{token_id}', { params: { path: { token_id: id } } })),
    'api-tokens',
  );
  return (
    <Page title="API tokens" intro="Tokens let integrations call the API. The secret is shown once.">
      <form className="card admin-form" onSubmit={(e) => { e.preventDefault(); create.mutate(undefined, { onSuccess: () => setName('') }); }}>
        <div className="inline-form">
          <input aria-label="Token name" placeholder="Token name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
          <button type="submit" className="btn btn-primary" disabled={!scopes.length}>Create token</button>
        </div>
        <div className="member-grid">
          {SCOPES.map((s) => (
            <label key={s} className="check">
              <input type="checkbox" checked={scopes.includes(s)} onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))} />
              {s}
            </label>
          ))}
        </div>
      </form>
      {secret && (
        <div className="notice" role="status">
          Copy this token now; it will not be shown again: <code className="secret">{secret}</code>
        </div>
      )}
      <Failure error={create.error ?? revoke.error} />
      {tokens.isPending ? <Spinner /> : tokens.isError ? <ErrorState error={tokens.error} /> : tokens.data.length === 0 ? (
        <EmptyState title="No API tokens yet.">Create one above for your chat widget, mail gateway or scripts.</EmptyState>
      ) : (
        <table className="admin-table">
          <thead><tr><th>Name</th><th>Prefix</th><th>Scopes</th><th>Last used</th><th /></tr></thead>
          <tbody>
            {tokens.data.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td><code>{t.token_prefix}…</code></td>
                <td>{t.scopes.join(', ')}</td>
                <td>{t.revoked_at ? `revoked ${absolute(t.revoked_at)}` : absolute(t.last_used_at)}</td>
                <td>{!t.revoked_at && <button type="button" className="btn btn-small btn-danger" onClick={() => revoke.mutate(t.id)}>Revoke</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

export function WorkspaceAdmin() {
  const workspace = useQuery({ queryKey: ['workspace'], queryFn: () => unwrap(api.GET('/api/v1/workspace')) });
  const update = useAdminMutation(
    (body: { name?: string; timezone?: string }) => unwrap(api.PATCH('/api/v1/workspace', { body })),
    'workspace',
  );
  if (workspace.isPending) return <Spinner />;
  if (workspace.isError) return <ErrorState error={workspace.error} />;
  const w = workspace.data;
  return (
    <Page title="Workspace" intro={`Slug ${w.slug} · ticket keys look like ${w.ticket_prefix}-42.`}>
      <form
        className="card form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          update.mutate({ name: String(data.get('name')), timezone: String(data.get('timezone')) });
        }}
      >
        <label className="field"><span>Name</span><input name="name" defaultValue={w.name} maxLength={200} /></label>
        <label className="field"><span>Time zone</span><input name="timezone" defaultValue={w.timezone} maxLength={64} /></label>
        <div className="field-wide"><button type="submit" className="btn btn-primary">Save</button> {update.isSuccess && <span className="muted">Saved.</span>}</div>
      </form>
      <Failure error={update.error} />
    </Page>
  );
}
