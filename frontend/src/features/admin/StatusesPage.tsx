// Statuses: add one in a category, rename its label.
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { useStatuses } from '../../api/queries';
import { ErrorState, Spinner, StatusBadge } from '../../components/ui';
import { Failure, Page, useAdminMutation } from './shared';

type Category = Schemas['StatusCreate']['category'];

const CATEGORIES: Category[] = ['open', 'pending', 'solved', 'closed'];

export function StatusesPage() {
  const statuses = useStatuses();
  const [form, setForm] = useState<{ name: string; label: string; category: Category }>({ name: '', label: '', category: 'open' });
  const create = useAdminMutation(
    () => unwrap(api.POST('/api/v1/statuses', { body: form })),
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
        <select aria-label="Category" value={form.category} onChange={(e) => setForm({ ...form, category: e.target.value as Category })}>
          {CATEGORIES.map((c) => <option key={c} value={c}>{c}</option>)}
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
