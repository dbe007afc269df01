// Composer drafts kept per ticket in localStorage until the reply is sent, so leaving a ticket
// (next ticket, the queue, a reload) loses nothing. The newest MAX_DRAFTS are kept.
import type { Mode } from './Composer';

const PREFIX = 'ticketdesk.draft.';
export const MAX_DRAFTS = 50;

export interface Draft {
  body: string;
  mode: Mode;
  savedAt: number;
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage refused (privacy settings): drafts live only as long as the page
  }
}

export function loadDraft(ticketKey: string): Draft | null {
  const raw = storage()?.getItem(PREFIX + ticketKey);
  if (!raw) return null;
  try {
    const draft = JSON.parse(raw) as Partial<Draft>;
    if (typeof draft.body !== 'string' || !draft.body) return null;
    return { body: draft.body, mode: draft.mode === 'internal' ? 'internal' : 'public', savedAt: Number(draft.savedAt) || 0 };
  } catch {
    return null;
  }
}

export function clearDraft(ticketKey: string): void {
  storage()?.removeItem(PREFIX + ticketKey);
}

/** Keep the text (an empty text removes the draft); the oldest drafts go past MAX_DRAFTS. */
export function saveDraft(ticketKey: string, body: string, mode: Mode, now = Date.now()): void {
  const store = storage();
  if (!store) return;
  if (!body.trim()) return clearDraft(ticketKey);
  const known = store.getItem(PREFIX + ticketKey) !== null;
  try {
    store.setItem(PREFIX + ticketKey, JSON.stringify({ body, mode, savedAt: now } satisfies Draft));
  } catch {
    return; // full: the draft stays in the page only
  }
  if (known) return; // only a new draft can push the count past the limit
  const keys: { key: string; savedAt: number }[] = [];
  for (let i = 0; i < store.length; i++) {
    const key = store.key(i);
    if (key?.startsWith(PREFIX)) keys.push({ key, savedAt: loadDraft(key.slice(PREFIX.length))?.savedAt ?? 0 });
  }
  if (keys.length <= MAX_DRAFTS) return;
  keys.sort((a, b) => b.savedAt - a.savedAt);
  for (const old of keys.slice(MAX_DRAFTS)) store.removeItem(old.key);
}
