// A list of configured things (SLA policies, schedules, automations) with a summary in words,
// an active switch, reordering, edit and delete; the page brings the form.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { EmptyState, ErrorState, Spinner } from '../../components/ui';
import { Failure } from './shared';

interface Item {
  id: string;
  name: string;
  active?: boolean;
  position?: number;
}

export interface CollectionCalls<T> {
  list: () => Promise<T[]>;
  update: (id: string, body: { active?: boolean; position?: number }) => Promise<unknown>;
  remove: (id: string) => Promise<unknown>;
}

/** New positions after moving `id` one place (0..n-1 renumbered; only what changed). */
export function moved<T extends { id: string; position?: number }>(items: readonly T[], id: string, delta: -1 | 1): { id: string; position: number }[] {
  const index = items.findIndex((i) => i.id === id);
  const target = index + delta;
  if (index < 0 || target < 0 || target >= items.length) return [];
  const ordered = [...items];
  [ordered[index], ordered[target]] = [ordered[target]!, ordered[index]!];
  return ordered.map((item, i) => ({ id: item.id, position: i, before: item.position })).filter((p) => p.before !== p.position).map(({ id: itemId, position }) => ({ id: itemId, position }));
}

export function Collection<T extends Item>(props: {
  queryKey: string;
  calls: CollectionCalls<T>;
  noun: string;
  plural: string;
  empty: ReactNode;
  summary: (item: T) => ReactNode;
  ordered?: boolean;
  renderForm: (item: T | null, done: () => void) => ReactNode;
  /** what removing does, when it is not deleting (e.g. "Archive") */
  removeLabel?: string;
}) {
  const { calls } = props;
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: [props.queryKey], queryFn: calls.list });
  const [editing, setEditing] = useState<string | null>(null); // an item id, 'new', or nothing
  // returned to onSettled: a mutation stays pending until the list is fresh again, so the next
  // click (another move) works on the order the server has
  const refresh = () => queryClient.invalidateQueries({ queryKey: [props.queryKey] });
  const toggle = useMutation({ mutationFn: (item: T) => calls.update(item.id, { active: !item.active }), onSettled: refresh });
  const remove = useMutation({ mutationFn: (item: T) => calls.remove(item.id), onSettled: refresh });
  const move = useMutation({
    mutationFn: async ({ id, delta }: { id: string; delta: -1 | 1 }) => {
      for (const change of moved(list.data ?? [], id, delta)) await calls.update(change.id, { position: change.position });
    },
    onSettled: refresh,
  });
  const done = () => {
    setEditing(null);
    void refresh();
  };
  const items = list.data ?? [];
  const editingItem = editing && editing !== 'new' ? items.find((i) => i.id === editing) ?? null : null;

  return (
    <>
      {list.isPending ? (
        <Spinner label={`Loading ${props.plural}…`} />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        editing !== 'new' && <EmptyState title={`No ${props.plural} yet.`}>{props.empty}</EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="admin-table" aria-label={props.plural[0]!.toUpperCase() + props.plural.slice(1)}>
            <tbody>
              {items.map((item, i) => (
                <tr key={item.id} className={item.active === false ? 'inactive' : undefined}>
                  <td>
                    <strong>{item.name}</strong>
                    {item.active === false && <span className="tag">off</span>}
                    <div className="muted small">{props.summary(item)}</div>
                  </td>
                  <td className="actions">
                    {'active' in item && (
                      <label className="check">
                        <input type="checkbox" checked={!!item.active} onChange={() => toggle.mutate(item)} aria-label={`Active: ${item.name}`} /> active
                      </label>
                    )}
                    {props.ordered && (
                      <>
                        <button type="button" className="btn btn-small" aria-label={`Move ${item.name} up`} disabled={i === 0 || move.isPending} onClick={() => move.mutate({ id: item.id, delta: -1 })}>
                          ↑
                        </button>
                        <button
                          type="button"
                          className="btn btn-small"
                          aria-label={`Move ${item.name} down`}
                          disabled={i === items.length - 1 || move.isPending}
                          onClick={() => move.mutate({ id: item.id, delta: 1 })}
                        >
                          ↓
                        </button>
                      </>
                    )}
                    <button type="button" className="btn btn-small" aria-label={`Edit ${item.name}`} aria-expanded={editing === item.id} onClick={() => setEditing(editing === item.id ? null : item.id)}>
                      Edit
                    </button>
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      aria-label={`${props.removeLabel ?? 'Delete'} ${item.name}`}
                      onClick={() => window.confirm(`${props.removeLabel ?? 'Delete'} ${props.noun} “${item.name}”?`) && remove.mutate(item)}
                    >
                      {props.removeLabel ?? 'Delete'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Failure error={toggle.error ?? remove.error ?? move.error} />
      {editing === 'new' || editingItem ? (
        <div key={editing}>{props.renderForm(editingItem, done)}</div>
      ) : (
        <div className="row">
          <button type="button" className="btn" onClick={() => setEditing('new')}>
            New {props.noun}
          </button>
        </div>
      )}
    </>
  );
}

/** The Save / Cancel row of an admin form. */
export function FormButtons({ saving, onCancel, label = 'Save' }: { saving: boolean; onCancel: () => void; label?: string }) {
  return (
    <div className="row form-buttons">
      <button type="submit" className="btn btn-primary" disabled={saving}>
        {saving ? 'Saving…' : label}
      </button>
      <button type="button" className="btn" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
