// Manage saved views (`/views`): rename, pin to the sidebar, share with the workspace, reorder
// (`position`), delete. Views others shared can be pinned for oneself only by their owner's
// setting; they are listed here to open.
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { errorMessage } from '../api/client';
import { useSavedViews, viewSearch, type SavedView } from '../api/views';
import { EmptyState, ErrorState, Spinner } from '../components/ui';

/** Positions after moving `id` one place up or down among `views` (already in display order). */
export function reorder(views: Pick<SavedView, 'id' | 'position'>[], id: string, delta: -1 | 1): { id: string; position: number }[] {
  const index = views.findIndex((v) => v.id === id);
  const target = index + delta;
  if (index < 0 || target < 0 || target >= views.length) return [];
  const ordered = [...views];
  [ordered[index], ordered[target]] = [ordered[target]!, ordered[index]!];
  // renumber 1..n so equal or gapped positions still give a strict order
  return ordered.map((v, i) => ({ id: v.id, position: i + 1 })).filter((p, i) => views.find((v) => v.id === p.id)!.position !== i + 1);
}

export function ViewsPage() {
  const { views, loading, error: loadError, retry, update, remove } = useSavedViews();
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const mine = views.filter((v) => v.mine);
  const shared = views.filter((v) => !v.mine);
  const move = async (id: string, delta: -1 | 1) => {
    for (const change of reorder(mine, id, delta)) await update.mutateAsync(change);
  };
  const error = update.error ?? remove.error;
  return (
    <div className="admin-page">
      <h1>Saved views</h1>
      <p className="muted">Your views, in sidebar order. Pinned views are in the sidebar; shared views are visible to every agent.</p>
      {loading ? (
        <Spinner label="Loading views…" />
      ) : loadError ? (
        <ErrorState error={loadError} retry={retry} />
      ) : mine.length === 0 ? (
        <EmptyState title="No views yet.">Filter the queue, then “Save view”.</EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="admin-table" aria-label="My views">
            <tbody>
              {mine.map((view, i) => (
                <tr key={view.id}>
                  <td>
                    {renaming?.id === view.id ? (
                      <form
                        className="inline-form"
                        onSubmit={(e) => {
                          e.preventDefault();
                          if (renaming.name.trim()) update.mutate({ id: view.id, name: renaming.name.trim() }, { onSuccess: () => setRenaming(null) });
                        }}
                      >
                        <input aria-label="View name" value={renaming.name} maxLength={100} onChange={(e) => setRenaming({ ...renaming, name: e.target.value })} />
                        <button type="submit" className="btn btn-small">
                          Rename
                        </button>
                      </form>
                    ) : (
                      <Link to={`/${viewSearch(view)}`}>{view.name}</Link>
                    )}
                    <div className="muted small">{viewSearch(view) || 'all tickets'}</div>
                  </td>
                  <td className="actions">
                    <label>
                      <input type="checkbox" checked={view.pinned} aria-label={`Pinned: ${view.name}`} onChange={() => update.mutate({ id: view.id, pinned: !view.pinned })} /> pinned
                    </label>{' '}
                    <label>
                      <input type="checkbox" checked={view.shared} aria-label={`Shared: ${view.name}`} onChange={() => update.mutate({ id: view.id, shared: !view.shared })} /> shared
                    </label>{' '}
                    <button type="button" className="btn btn-small" aria-label={`Move ${view.name} up`} disabled={i === 0} onClick={() => void move(view.id, -1)}>
                      ↑
                    </button>
                    <button type="button" className="btn btn-small" aria-label={`Move ${view.name} down`} disabled={i === mine.length - 1} onClick={() => void move(view.id, 1)}>
                      ↓
                    </button>{' '}
                    <button type="button" className="btn btn-small" onClick={() => setRenaming({ id: view.id, name: view.name })}>
                      Rename
                    </button>{' '}
                    <button type="button" className="btn btn-small btn-danger" onClick={() => window.confirm(`Delete “${view.name}”?`) && remove.mutate(view.id)}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {error && (
        <p className="form-error" role="alert">
          {errorMessage(error)}
        </p>
      )}
      <h2>Shared with you</h2>
      {loading ? null : shared.length === 0 ? (
        <p className="muted">Nobody has shared a view yet.</p>
      ) : (
        <ul className="plain-list">
          {shared.map((view) => (
            <li key={view.id}>
              <Link to={`/${viewSearch(view)}`}>{view.name}</Link> <span className="muted">by {view.owner.name}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
