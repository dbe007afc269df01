// ⌘K / Ctrl-K: find a ticket by key or text (`GET /tickets?q=`), open a queue or saved view,
// or run an action ("New ticket", "Assign to me", "Reply"…). Arrow keys, Enter, Esc.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { matchPath, useLocation, useNavigate } from 'react-router-dom';
import { api, unwrap, type Ticket } from '../api/client';
import { useViews, viewSearch } from '../api/views';
import { useMe } from '../auth/session';
import { OPEN_PALETTE, OPEN_SHORTCUTS, sendPageCommand } from './shortcuts';
import { StatusBadge } from './ui';
import './palette.css';

export type Command = { id: string; group: 'Tickets' | 'Actions' | 'Views'; title: string; hint?: string; keywords?: string; run: () => void; ticket?: Ticket };

/** Commands whose title or keywords hold every word typed, titles starting with it first. */
export function filterCommands(commands: Command[], text: string): Command[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return commands;
  const scored = commands
    .map((c, index) => {
      const hay = `${c.title} ${c.keywords ?? ''}`.toLowerCase();
      if (!words.every((w) => hay.includes(w))) return null;
      const title = c.title.toLowerCase();
      const score = title.startsWith(words.join(' ')) ? 0 : words.every((w) => title.includes(w)) ? 1 : 2;
      return { c, score, index };
    })
    .filter((x): x is { c: Command; score: number; index: number } => x !== null);
  return scored.sort((a, b) => a.score - b.score || a.index - b.index).map((x) => x.c);
}

/** "42" → "TKT-42"; "tkt-42" → "TKT-42"; anything else stays as typed. */
export function ticketQuery(text: string, prefix: string): string {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return `${prefix}-${trimmed}`;
  if (/^[a-z][a-z0-9]*-\d+$/i.test(trimmed)) return trimmed.toUpperCase();
  return trimmed;
}

export function CommandPalette() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.metaKey || event.ctrlKey) && !event.altKey && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        setOpen((o) => !o);
      }
    };
    const onOpen = () => setOpen(true);
    window.addEventListener('keydown', onKey);
    window.addEventListener(OPEN_PALETTE, onOpen);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener(OPEN_PALETTE, onOpen);
    };
  }, []);
  if (!open) return null;
  return <Palette onClose={() => setOpen(false)} />;
}

function useDebounced<T>(value: T, ms: number): T {
  const [current, setCurrent] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setCurrent(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return current;
}

function Palette({ onClose }: { onClose: () => void }) {
  const me = useMe();
  const navigate = useNavigate();
  const location = useLocation();
  const views = useViews();
  const listId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const search = useDebounced(ticketQuery(text, me.workspace.ticket_prefix), 150);
  const onTicket = matchPath('/tickets/:key', location.pathname);
  const openKey = onTicket && onTicket.params.key !== 'new' ? onTicket.params.key!.toUpperCase() : null;

  const tickets = useQuery({
    queryKey: ['palette', search],
    queryFn: () => unwrap(api.GET('/api/v1/tickets', { params: { query: { q: search, limit: 8 } } })),
    enabled: search.length >= 2,
    staleTime: 10_000,
  });

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    input.current?.focus();
    return () => before?.focus?.();
  }, []);

  const commands = useMemo(() => {
    const go = (to: string) => () => void navigate(to);
    const list: Command[] = [];
    if (openKey && me.canWrite) {
      list.push(
        { id: 'reply', group: 'Actions', title: `Reply to ${openKey}`, hint: 'r', keywords: 'reply answer respond', run: () => sendPageCommand('reply') },
        { id: 'note', group: 'Actions', title: `Internal note on ${openKey}`, hint: 'n', keywords: 'note comment internal', run: () => sendPageCommand('note') },
        { id: 'assign', group: 'Actions', title: 'Assign to me', hint: 'a', keywords: `take mine ${openKey}`, run: () => sendPageCommand('assign') },
        { id: 'status', group: 'Actions', title: 'Change status', hint: 's', keywords: 'solve resolve close status', run: () => sendPageCommand('status') },
      );
    }
    if (me.canWrite) list.push({ id: 'new', group: 'Actions', title: 'New ticket', keywords: 'create open add', run: go('/tickets/new') });
    if (me.canWrite && me.userId) list.push({ id: 'macros', group: 'Actions', title: 'My macros', keywords: 'canned replies templates responses', run: go('/macros') });
    if (me.isAdmin) list.push({ id: 'shared-macros', group: 'Actions', title: 'Shared macros', keywords: 'canned replies templates admin', run: go('/admin/macros') });
    list.push({ id: 'shortcuts', group: 'Actions', title: 'Keyboard shortcuts', hint: '?', keywords: 'help keys', run: () => window.dispatchEvent(new CustomEvent(OPEN_SHORTCUTS)) });
    const queues: [string, string, string][] = [
      ['All tickets', '/', 'queue everything'],
      ['My tickets', '/?assignee=me', 'mine assigned'],
      ['Unassigned', '/?assignee=none', 'nobody'],
      ['Watching', '/?watching=me', 'watched'],
      ['Urgent', '/?priority=urgent', 'priority'],
      ['Overdue', '/?sla=overdue', 'sla breached late'],
    ];
    for (const [title, to, keywords] of queues) list.push({ id: `queue-${to}`, group: 'Views', title, keywords: `view ${keywords}`, run: go(to) });
    for (const view of views.data ?? []) {
      list.push({ id: `view-${view.id}`, group: 'Views', title: view.name, keywords: `view saved ${view.shared ? 'shared' : ''}`, run: go(`/${viewSearch(view)}`) });
    }
    return list;
  }, [openKey, me.canWrite, me.userId, me.isAdmin, navigate, views.data]);

  const found: Command[] = (search.length >= 2 ? (tickets.data?.items ?? []) : []).map((t) => ({
    id: `ticket-${t.key}`,
    group: 'Tickets',
    title: `${t.key} ${t.subject}`,
    run: () => void navigate(`/tickets/${t.key}`),
    ticket: t,
  }));
  const results = [...found, ...filterCommands(commands, text).slice(0, 12)];
  const current = Math.min(active, Math.max(results.length - 1, 0));

  const run = (command: Command | undefined) => {
    if (!command) return;
    onClose();
    command.run();
  };

  return (
    <div className="overlay-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="overlay palette" role="dialog" aria-modal="true" aria-label="Command palette">
        <input
          ref={input}
          className="palette-input"
          role="combobox"
          aria-expanded="true"
          aria-controls={listId}
          aria-activedescendant={results[current] ? `${listId}-${current}` : undefined}
          aria-label="Search tickets, views and actions"
          placeholder="Find a ticket by key or text, a view, or an action…"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            e.stopPropagation();
            if (e.key === 'ArrowDown') setActive((current + 1) % Math.max(results.length, 1));
            else if (e.key === 'ArrowUp') setActive((current - 1 + results.length) % Math.max(results.length, 1));
            else if (e.key === 'Enter') run(results[current]);
            else if (e.key === 'Escape' || ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === 'k')) onClose();
            else return;
            e.preventDefault();
          }}
        />
        <ul className="palette-list" role="listbox" id={listId} aria-label="Results">
          {results.map((c, index) => {
            const first = index === 0 || results[index - 1]!.group !== c.group;
            return (
              <li key={c.id} role="presentation">
                {first && (
                  <div className="palette-group" aria-hidden="true">
                    {c.group}
                  </div>
                )}
                <div
                  id={`${listId}-${index}`}
                  role="option"
                  aria-selected={index === current}
                  className={index === current ? 'palette-item active' : 'palette-item'}
                  onMouseMove={() => setActive(index)}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    run(c);
                  }}
                >
                  {c.ticket ? (
                    <>
                      <strong className="palette-key">{c.ticket.key}</strong>{' '}
                      <span className="palette-title">{c.ticket.subject}</span>{' '}
                      <StatusBadge status={c.ticket.status} category={c.ticket.status_category} />
                    </>
                  ) : (
                    <>
                      <span className="palette-title">{c.title}</span>
                      {c.hint && <kbd>{c.hint}</kbd>}
                    </>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
        <p className="palette-note muted" aria-live="polite">
          {search.length >= 2 && tickets.isFetching && found.length === 0
            ? 'Searching tickets…'
            : search.length >= 2 && tickets.isSuccess && found.length === 0
              ? `No ticket matches “${search}”.`
              : results.length === 0
                ? 'Nothing matches.'
                : ''}
        </p>
        <div className="palette-foot muted">
          <kbd>↑</kbd>
          <kbd>↓</kbd> move · <kbd>Enter</kbd> open · <kbd>Esc</kbd> close
        </div>
      </div>
    </div>
  );
}
