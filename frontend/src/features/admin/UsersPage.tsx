// Users and roles: add a user, change a role, deactivate.
import { useState, type FormEvent } from 'react';
import { api, unwrap, type User } from '../../api/client';
import { useUsers } from '../../api/queries';
import { ErrorState, Spinner } from '../../components/ui';
import { Failure, Page, useAdminMutation } from './shared';

export function UsersPage() {
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
        <Spinner label="Loading users…" />
      ) : users.isError ? (
        <ErrorState error={users.error} retry={() => void users.refetch()} />
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
