// Saved views. SEAM (capabilities.savedViewsApi): the `/views` API is not in openapi.json on
// this branch, so views live in localStorage per user; swap the store for the API when it lands.
import { useCallback, useEffect, useState } from 'react';

export interface SavedView {
  id: string;
  name: string;
  /** The queue's URL search (`?status=open&priority=urgent`). */
  search: string;
}

const EVENT = 'ticketdesk:views';

function storageKey(userId: string | null): string {
  return `ticketdesk.views.${userId ?? 'anonymous'}`;
}

export function loadViews(userId: string | null): SavedView[] {
  try {
    const raw = localStorage.getItem(storageKey(userId));
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? (parsed as SavedView[]) : [];
  } catch {
    return [];
  }
}

function storeViews(userId: string | null, views: SavedView[]): void {
  localStorage.setItem(storageKey(userId), JSON.stringify(views));
  window.dispatchEvent(new Event(EVENT));
}

export function useSavedViews(userId: string | null) {
  const [views, setViews] = useState<SavedView[]>(() => loadViews(userId));
  useEffect(() => {
    const reload = () => setViews(loadViews(userId));
    reload();
    window.addEventListener(EVENT, reload);
    window.addEventListener('storage', reload);
    return () => {
      window.removeEventListener(EVENT, reload);
      window.removeEventListener('storage', reload);
    };
  }, [userId]);

  const save = useCallback(
    (name: string, search: string) => {
      const view = { id: `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`, name, search };
      storeViews(userId, [...loadViews(userId), view]);
      return view;
    },
    [userId],
  );
  const remove = useCallback(
    (id: string) => storeViews(userId, loadViews(userId).filter((v) => v.id !== id)),
    [userId],
  );
  return { views, save, remove };
}
