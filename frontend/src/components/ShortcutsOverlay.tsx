// `?` anywhere (outside a text field) lists the keyboard shortcuts of the queue and the ticket.
import { useEffect, useRef, useState } from 'react';
import { useLocation } from 'react-router-dom';
import { OPEN_SHORTCUTS, handleShortcut } from './shortcuts';
import './palette.css';

type Group = { id: string; title: string; keys: [string[], string][] };

export const SHORTCUT_GROUPS: Group[] = [
  {
    id: 'everywhere',
    title: 'Everywhere',
    keys: [
      [['Ctrl', 'K'], 'Command palette: find a ticket, open a view, run an action (⌘K on a Mac)'],
      [['?'], 'This list'],
    ],
  },
  {
    id: 'queue',
    title: 'Queue',
    keys: [
      [['j'], 'Next row'],
      [['k'], 'Previous row'],
      [['Enter'], 'Open the ticket'],
      [['x'], 'Select the row'],
      [['a'], 'Assign the row to me'],
      [['/'], 'Search'],
    ],
  },
  {
    id: 'ticket',
    title: 'Ticket',
    keys: [
      [['r'], 'Reply to the requester'],
      [['n'], 'Write an internal note'],
      [['s'], 'Change the status'],
      [['a'], 'Assign to me'],
      [['j', ']'], 'Next ticket in the queue'],
      [['k', '['], 'Previous ticket in the queue'],
      [['h'], 'History / conversation'],
      [['Ctrl', 'Enter'], 'Send (in the composer)'],
      [['Ctrl', 'B'], 'Bold · Ctrl I italic · Ctrl E code'],
      [['#'], 'Find a macro (in the composer)'],
      [['@'], 'Mention a teammate (in a note)'],
      [['Esc'], 'Leave the composer'],
    ],
  },
];

export function ShortcutsOverlay() {
  const [open, setOpen] = useState(false);
  const location = useLocation();
  const page = location.pathname === '/' ? 'queue' : location.pathname.startsWith('/tickets/') && location.pathname !== '/tickets/new' ? 'ticket' : null;

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => void handleShortcut(event, { '?': () => setOpen(true) });
    const onOpen = () => setOpen(true);
    window.addEventListener('keydown', onKey);
    window.addEventListener(OPEN_SHORTCUTS, onOpen);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener(OPEN_SHORTCUTS, onOpen);
    };
  }, []);

  if (!open) return null;
  return <Overlay page={page} onClose={() => setOpen(false)} />;
}

function Overlay({ page, onClose }: { page: string | null; onClose: () => void }) {
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    dialog.current?.querySelector<HTMLButtonElement>('button')?.focus();
    return () => before?.focus?.();
  }, []);
  const groups = [...SHORTCUT_GROUPS].sort((a, b) => Number(b.id === page) - Number(a.id === page));
  return (
    <div className="overlay-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="overlay shortcuts-overlay"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        ref={dialog}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Escape' || e.key === '?') {
            e.preventDefault();
            onClose();
          } else if (e.key === 'Tab') {
            e.preventDefault();
          }
        }}
      >
        <div className="overlay-head">
          <h2>Keyboard shortcuts</h2>
          <button type="button" className="btn btn-small" onClick={onClose}>
            Close
          </button>
        </div>
        <div className="shortcut-groups">
          {groups.map((group) => (
            <section key={group.id} className={group.id === page ? 'shortcut-group current' : 'shortcut-group'} aria-label={group.title}>
              <h3>
                {group.title}
                {group.id === page && <span className="muted"> · this page</span>}
              </h3>
              <dl>
                {group.keys.map(([keys, what]) => (
                  <div key={keys.join('+') + what} className="shortcut-row">
                    <dt>
                      {keys.map((k, i) => (
                        <span key={k}>
                          {i > 0 && <span className="muted">{keys[0] === 'Ctrl' ? '+' : ' or '}</span>}
                          <kbd>{k}</kbd>
                        </span>
                      ))}
                    </dt>
                    <dd>{what}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
      </div>
    </div>
  );
}
