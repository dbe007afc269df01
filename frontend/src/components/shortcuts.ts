// Single-key shortcuts (`r`, `j`, `?`…) for a page: ignored while the agent types in a field,
// with a modifier held (the browser's and the palette's), or while a dialog is open on top.
import { useEffect, useRef } from 'react';

export type ShortcutMap = Record<string, (event: KeyboardEvent) => void>;

/** Events that let any page ask for the palette or the shortcuts overlay. */
export const OPEN_PALETTE = 'ticketdesk:palette';
export const OPEN_SHORTCUTS = 'ticketdesk:shortcuts';
/** A command from the palette for the page that is open (`{ detail: 'reply' }`). */
export const PAGE_COMMAND = 'ticketdesk:command';

export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.tagName !== 'string') return false;
  if (el.isContentEditable) return true;
  if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  if (el.tagName !== 'INPUT') return false;
  const type = (el as HTMLInputElement).type;
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'range', 'color'].includes(type);
}

/** A modal dialog (palette, shortcuts, a menu that traps keys) is open over the page. */
export function modalOpen(doc: Document = document): boolean {
  return !!doc.querySelector('[aria-modal="true"]');
}

/** The map key for an event, or null when the page should not act on it. */
export function shortcutKey(event: Pick<KeyboardEvent, 'key' | 'metaKey' | 'ctrlKey' | 'altKey' | 'target' | 'defaultPrevented' | 'isComposing'>): string | null {
  if (event.defaultPrevented || event.isComposing) return null;
  if (event.metaKey || event.ctrlKey || event.altKey) return null;
  if (isTypingTarget(event.target)) return null;
  if (event.key.length !== 1 && event.key !== 'Escape') return null;
  return event.key;
}

/** Run the handler mapped to this key; true when one ran (the event is then consumed). */
export function handleShortcut(event: KeyboardEvent, map: ShortcutMap, doc: Document = document): boolean {
  const key = shortcutKey(event);
  if (key === null || modalOpen(doc)) return false;
  const run = map[key];
  if (!run) return false;
  event.preventDefault();
  run(event);
  return true;
}

/** Listen on the window while mounted; the latest map is used without re-subscribing. */
export function useShortcuts(map: ShortcutMap, enabled = true): void {
  const current = useRef(map);
  useEffect(() => {
    current.current = map;
  });
  useEffect(() => {
    if (!enabled) return;
    const onKey = (event: KeyboardEvent) => void handleShortcut(event, current.current);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}

/** Commands the palette sends to the open page ("reply", "assign"…), as `PAGE_COMMAND` events. */
export function usePageCommands(commands: Record<string, () => void>): void {
  const current = useRef(commands);
  useEffect(() => {
    current.current = commands;
  });
  useEffect(() => {
    const onCommand = (event: Event) => current.current[(event as CustomEvent<string>).detail]?.();
    window.addEventListener(PAGE_COMMAND, onCommand);
    return () => window.removeEventListener(PAGE_COMMAND, onCommand);
  }, []);
}

export function sendPageCommand(name: string): void {
  window.dispatchEvent(new CustomEvent(PAGE_COMMAND, { detail: name }));
}
