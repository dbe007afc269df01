// "Save view": a dialog naming the queue's current filters as a saved view, pinned to the
// sidebar and optionally shared with the workspace. The server's 422 shows at the name.
import { useEffect, useId, useRef, useState } from 'react';
import type { SavedView } from '../../api/views';
import { useSavedViews } from '../../api/views';
import { chipKeys, chipText, type FilterKey, type Filters } from '../../lib/filters';
import { placeErrors } from '../admin/fieldErrors';
import { Field, FormErrors } from '../admin/form';

export function SaveViewDialog({
  filters,
  suggested,
  name: nameOf,
  onClose,
  onSaved,
}: {
  filters: Filters;
  suggested: string;
  name: (key: FilterKey, value: string) => string;
  onClose: () => void;
  onSaved: (view: SavedView) => void;
}) {
  const { save } = useSavedViews();
  const [name, setName] = useState(suggested);
  const [pinned, setPinned] = useState(true);
  const [shared, setShared] = useState(false);
  const titleId = useId();
  const dialog = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    dialog.current?.querySelector<HTMLInputElement>('input')?.select();
    return () => opener?.focus?.();
  }, []);
  const errors = placeErrors(save.error, ['name', 'filters', 'sort', 'shared', 'pinned']);
  const summary = [...chipKeys(filters).map((k) => chipText(k, filters[k], nameOf)), ...(filters.q ? [`Search: “${filters.q}”`] : [])];
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <form
        ref={dialog}
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          } else if (e.key === 'Tab') {
            // keep focus inside the dialog
            const items = [...e.currentTarget.querySelectorAll<HTMLElement>('input, button, select, textarea')].filter((el) => !(el as HTMLButtonElement).disabled);
            const first = items[0];
            const last = items[items.length - 1];
            if (e.shiftKey && document.activeElement === first) {
              e.preventDefault();
              last?.focus();
            } else if (!e.shiftKey && document.activeElement === last) {
              e.preventDefault();
              first?.focus();
            }
          }
        }}
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({ name: name.trim().slice(0, 100), filters, pinned, shared }, { onSuccess: onSaved });
        }}
      >
        <h2 id={titleId}>Save this view</h2>
        {summary.length > 0 && (
          <ul className="view-summary" aria-label="Filters in this view">
            {summary.map((s) => (
              <li key={s} className="chip">
                {s}
              </li>
            ))}
          </ul>
        )}
        <Field label="View name" errors={errors.byPath.name}>
          <input value={name} required maxLength={100} onChange={(e) => setName(e.target.value)} />
        </Field>
        <label className="check">
          <input type="checkbox" checked={pinned} onChange={(e) => setPinned(e.target.checked)} /> Pin to the sidebar
        </label>
        <label className="check">
          <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} /> Share with everyone in the workspace
        </label>
        <FormErrors messages={[...errors.other, ...(errors.byPath.filters ?? []), ...(errors.byPath.sort ?? [])]} />
        <div className="row modal-buttons">
          <button type="submit" className="btn btn-primary" disabled={save.isPending || !name.trim()}>
            {save.isPending ? 'Saving…' : 'Save view'}
          </button>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
