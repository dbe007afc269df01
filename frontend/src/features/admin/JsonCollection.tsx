// A collection edited as JSON (SLA policies, business hours, automations): list, create and
// edit in a JSON editor, toggle `active`, delete. The page passes its generated-client calls.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { EmptyState, ErrorState, Spinner } from '../../components/ui';
import { Failure } from './shared';

/** A JSON object from an editor: the server validates it (a 422 shows as the field errors). */
export type JsonObject = Record<string, unknown>;

/**
 * A request body as an editor's starting text: fields the server defaults may be left out
 * (the generated types mark defaulted fields required), at any depth.
 */
export type Draft<T> = T extends readonly (infer U)[] ? Draft<U>[] : T extends object ? { [K in keyof T]?: Draft<T[K]> } : T;

/**
 * The editor's JSON object as an operation's request body: typed for the generated client,
 * checked by the server (a 422 shows as the field errors).
 */
export function asBody<T>(json: JsonObject): T {
  return json as T;
}

/** Parse the editor's text; a readable error instead of a SyntaxError. */
export function parseJsonObject(text: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`Not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('The JSON must be an object ({ … }).');
  return value as JsonObject;
}

/** The fields of a read model an editor may send back (ids and timestamps dropped). */
export function editable(item: object, fields: readonly string[]): JsonObject {
  const record = item as JsonObject;
  return Object.fromEntries(fields.filter((f) => f in record).map((f) => [f, record[f]]));
}

interface CollectionItem {
  id: string;
  name: string;
  active?: boolean;
}

/** The collection's endpoints, through the generated client. */
export interface CollectionCalls<T> {
  list: () => Promise<T[]>;
  create: (body: JsonObject) => Promise<unknown>;
  update: (id: string, body: JsonObject) => Promise<unknown>;
  remove: (id: string) => Promise<unknown>;
}

/** List + create/edit as JSON + toggle + delete, for one collection endpoint. */
export function JsonCollection<T extends CollectionItem>(props: {
  calls: CollectionCalls<T>;
  queryKey: string;
  fields: readonly (keyof T & string)[];
  template: JsonObject;
  summary: (item: T) => string;
  noun: string;
  plural?: string;
}) {
  const { calls } = props;
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: [props.queryKey], queryFn: calls.list });
  const [editing, setEditing] = useState<{ id: string | null; text: string } | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: [props.queryKey] });
  const save = useMutation({
    mutationFn: async ({ id, text }: { id: string | null; text: string }) => {
      const body = parseJsonObject(text);
      return id ? calls.update(id, body) : calls.create(body);
    },
    onSuccess: () => {
      setEditing(null);
      refresh();
    },
  });
  const toggle = useMutation({ mutationFn: (item: T) => calls.update(item.id, { active: !item.active }), onSettled: refresh });
  const remove = useMutation({ mutationFn: (item: T) => calls.remove(item.id), onSettled: refresh });

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
