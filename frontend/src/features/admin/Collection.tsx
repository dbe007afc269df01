// A list of configured things (SLA policies, schedules, automations) with a summary in words,
// an active switch, reordering, edit and delete; the page brings the form.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { EmptyState, ErrorState, Spinner } from '../../components/ui';
import { useReorder } from './reorder';
import { Failure } from './shared';
import { SortableList, SortableRow } from './Sortable';

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

/** Drag and drop around the table only when the list is ordered. */
function SortableWhen({ ordered, children, ...rest }: { ordered: boolean; ids: string[]; names: Record<string, string>; onMove: (from: number, to: number) => void; disabled: boolean; children: ReactNode }) {
  return ordered ? <SortableList {...rest}>{children}</SortableList> : <>{children}</>;
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
  const done = () => {
    setEditing(null);
    void refresh();
  };
  const items = list.data ?? [];
  const move = useReorder({ queryKey: [props.queryKey], items, name: (item) => item.name, save: (item, position) => calls.update(item.id, { position }) });
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
        <SortableWhen ordered={!!props.ordered} ids={items.map((i) => i.id)} names={Object.fromEntries(items.map((i) => [i.id, i.name]))} onMove={move.move} disabled={move.pending}>
          <div className="table-scroll">
            <table className="admin-table" aria-label={props.plural[0]!.toUpperCase() + props.plural.slice(1)}>
              <tbody>
                {items.map((item, i) => {
                  const cells = (handle: ReactNode) => (
                    <>
                      <td>
                        {handle}
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
                            <button type="button" className="btn btn-small" aria-label={`Move ${item.name} up`} disabled={i === 0 || move.pending} onClick={() => move.move(i, i - 1)}>
                              ↑
                            </button>
                            <button type="button" className="btn btn-small" aria-label={`Move ${item.name} down`} disabled={i === items.length - 1 || move.pending} onClick={() => move.move(i, i + 1)}>
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
                    </>
                  );
                  const className = item.active === false ? 'inactive' : undefined;
                  return props.ordered ? (
                    <SortableRow key={item.id} id={item.id} name={item.name} className={className}>
                      {cells}
                    </SortableRow>
                  ) : (
                    <tr key={item.id} className={className}>
                      {cells(null)}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </SortableWhen>
      )}
      {props.ordered && (
        <p className="sr-only" aria-live="polite" role="status">
          {move.announcement}
        </p>
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
