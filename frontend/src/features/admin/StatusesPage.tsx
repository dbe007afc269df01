// Statuses: add one in a category, rename its label, and mark pending ones as waiting on the
// customer (auto-close reminds, then closes, tickets in them).
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { useStatuses } from '../../api/queries';
import { ErrorState, Spinner, StatusBadge } from '../../components/ui';
import { placeErrors } from './fieldErrors';
import { Field, FormErrors } from './form';
import { useReorder } from './reorder';
import { Failure, Page, useAdminMutation } from './shared';
import { SortableList, SortableRow } from './Sortable';

type Category = Schemas['StatusCreate']['category'];

const CATEGORIES: Category[] = ['open', 'pending', 'solved', 'closed'];
const blank = { name: '', label: '', category: 'open' as Category, waits_on_customer: false };

export function StatusesPage() {
  const statuses = useStatuses();
  const [form, setForm] = useState(blank);
  const create = useAdminMutation(() => unwrap(api.POST('/api/v1/statuses', { body: { ...form, waits_on_customer: form.category === 'pending' && form.waits_on_customer } })), 'statuses');
  const update = useAdminMutation(
    ({ name, ...body }: { name: string; label?: string; waits_on_customer?: boolean }) => unwrap(api.PATCH('/api/v1/statuses/{name}', { params: { path: { name } }, body })),
    'statuses',
  );
  const errors = placeErrors(create.error, ['name', 'label', 'category', 'waits_on_customer']);
  const list = statuses.data ?? [];
  // the order menus, the queue's stat bar and the lifecycle grid show statuses in
  const move = useReorder({
    queryKey: ['statuses'],
    items: list,
    name: (s) => s.label,
    save: (s, position) => unwrap(api.PATCH('/api/v1/statuses/{name}', { params: { path: { name: s.name } }, body: { position } })),
  });
  return (
    <Page title="Statuses" intro="Every status maps to a category (open, pending, solved, closed) that drives SLA clocks and reporting. Drag a status (or use its arrows) to change the order menus show them in.">
      <form
        className="card admin-form"
        aria-label="Add a status"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(undefined, { onSuccess: () => setForm(blank) });
        }}
      >
        <div className="form-grid">
          <Field label="Key" errors={errors.byPath.name} hint="Lower case, e.g. on_hold">
            <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value.trim().toLowerCase() })} required maxLength={50} />
          </Field>
          <Field label="Label" errors={errors.byPath.label}>
            <input value={form.label} onChange={(e) => setForm({ ...form, label: e.target.value })} required maxLength={80} placeholder="On hold" />
          </Field>
          <Field label="Category" errors={errors.byPath.category}>
            <select value={form.category} onChange={(e) => setForm({ ...form, category: e.target.value as Category })}>
              {CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </Field>
          <div className="field">
            <label className="check">
              <input type="checkbox" disabled={form.category !== 'pending'} checked={form.category === 'pending' && form.waits_on_customer} onChange={(e) => setForm({ ...form, waits_on_customer: e.target.checked })} />
              Waits on the customer (auto-close)
            </label>
            <span className="hint">Only pending statuses can.</span>
          </div>
        </div>
        <FormErrors messages={[...errors.other, ...(errors.byPath.waits_on_customer ?? [])]} />
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            Add status
          </button>
        </div>
      </form>
      <Failure error={update.error ?? move.error} />
      <p className="sr-only" aria-live="polite" role="status">
        {move.announcement}
      </p>
      {statuses.isPending ? (
        <Spinner label="Loading statuses…" />
      ) : statuses.isError ? (
        <ErrorState error={statuses.error} retry={() => void statuses.refetch()} />
      ) : (
        <SortableList ids={list.map((s) => s.name)} names={Object.fromEntries(list.map((s) => [s.name, s.label]))} onMove={move.move} disabled={move.pending}>
          <div className="table-scroll">
            <table className="admin-table" aria-label="Statuses">
              <thead>
                <tr>
                  <th>Status</th>
                  <th>Key</th>
                  <th>Category</th>
                  <th>Label</th>
                  <th>Waits on customer</th>
                  <th>Order</th>
                </tr>
              </thead>
              <tbody>
                {list.map((s, i) => (
                  <SortableRow key={s.id} id={s.name} name={s.label}>
                    {(handle) => (
                      <>
                        <td>
                          {handle}
                          <StatusBadge status={s.name} category={s.category} label={s.label} />
                        </td>
                        <td>
                          <code>{s.name}</code>
                        </td>
                        <td>{s.category}</td>
                        <td>
                          <input
                            aria-label={`Label of ${s.name}`}
                            defaultValue={s.label}
                            maxLength={80}
                            onBlur={(e) => e.target.value.trim() && e.target.value !== s.label && update.mutate({ name: s.name, label: e.target.value.trim() })}
                          />
                        </td>
                        <td>
                          {s.category === 'pending' ? (
                            <input type="checkbox" aria-label={`${s.label} waits on the customer`} checked={s.waits_on_customer} onChange={(e) => update.mutate({ name: s.name, waits_on_customer: e.target.checked })} />
                          ) : (
                            <span className="muted">—</span>
                          )}
                        </td>
                        <td className="actions">
                          <button type="button" className="btn btn-small" aria-label={`Move ${s.label} up`} disabled={i === 0 || move.pending} onClick={() => move.move(i, i - 1)}>
                            ↑
                          </button>
                          <button type="button" className="btn btn-small" aria-label={`Move ${s.label} down`} disabled={i === list.length - 1 || move.pending} onClick={() => move.move(i, i + 1)}>
                            ↓
                          </button>
                        </td>
                      </>
                    )}
                  </SortableRow>
                ))}
              </tbody>
            </table>
          </div>
        </SortableList>
      )}
    </Page>
  );
}
