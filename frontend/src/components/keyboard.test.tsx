// Single-key shortcuts, the ? overlay and the ⌘K palette.
import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, useLocation } from 'react-router-dom';
import { setToken } from '../api/client';
import { makeTicket } from '../test/fixtures';
import { renderSignedIn } from '../test/render';
import { CommandPalette, filterCommands, ticketQuery, type Command } from './CommandPalette';
import { handleShortcut, isTypingTarget, shortcutKey } from './shortcuts';
import { ShortcutsOverlay } from './ShortcutsOverlay';

function key(init: KeyboardEventInit, target?: EventTarget): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init });
  if (target) Object.defineProperty(event, 'target', { value: target });
  return event;
}

describe('the shortcut handler', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('runs the mapped key and consumes the event', () => {
    const reply = vi.fn();
    const event = key({ key: 'r' }, document.body);
    expect(handleShortcut(event, { r: reply })).toBe(true);
    expect(reply).toHaveBeenCalledOnce();
    expect(event.defaultPrevented).toBe(true);
    expect(handleShortcut(key({ key: 'q' }, document.body), { r: reply })).toBe(false);
  });

  it('leaves keys alone while typing, with a modifier, or under a dialog', () => {
    const reply = vi.fn();
    const textarea = document.createElement('textarea');
    const checkbox = Object.assign(document.createElement('input'), { type: 'checkbox' });
    const search = Object.assign(document.createElement('input'), { type: 'search' });
    expect(handleShortcut(key({ key: 'r' }, textarea), { r: reply })).toBe(false);
    expect(handleShortcut(key({ key: 'r' }, search), { r: reply })).toBe(false);
    expect(isTypingTarget(checkbox)).toBe(false);
    expect(shortcutKey(key({ key: 'r', ctrlKey: true }, document.body))).toBeNull();
    expect(shortcutKey(key({ key: 'r', metaKey: true }, document.body))).toBeNull();
    expect(shortcutKey(key({ key: 'ArrowDown' }, document.body))).toBeNull();
    expect(shortcutKey(key({ key: '?', shiftKey: true }, document.body))).toBe('?');
    document.body.innerHTML = '<div role="dialog" aria-modal="true"></div>';
    expect(handleShortcut(key({ key: 'r' }, document.body), { r: reply })).toBe(false);
    expect(reply).not.toHaveBeenCalled();
  });
});

describe('palette search', () => {
  const run = () => {};
  const commands: Command[] = [
    { id: 'new', group: 'Actions', title: 'New ticket', keywords: 'create', run },
    { id: 'mine', group: 'Views', title: 'My tickets', keywords: 'view mine assigned', run },
    { id: 'assign', group: 'Actions', title: 'Assign to me', keywords: 'take', run },
  ];

  it('matches every word in titles and keywords, title starts first', () => {
    expect(filterCommands(commands, 'ticket').map((c) => c.id)).toEqual(['new', 'mine']);
    expect(filterCommands(commands, 'my t').map((c) => c.id)).toEqual(['mine']);
    expect(filterCommands(commands, 'create').map((c) => c.id)).toEqual(['new']);
    expect(filterCommands(commands, 'zzz')).toEqual([]);
    expect(filterCommands(commands, '')).toHaveLength(3);
  });

  it('turns a number or a lower-case key into the ticket key', () => {
    expect(ticketQuery('42', 'TKT')).toBe('TKT-42');
    expect(ticketQuery(' tkt-7 ', 'TKT')).toBe('TKT-7');
    expect(ticketQuery('refund', 'TKT')).toBe('refund');
  });
});

const me = {
  kind: 'user',
  role: 'agent',
  scopes: [],
  api_token: null,
  user: { id: 'me', name: 'Grace Hopper', email: 'grace@demo.test', role: 'agent', active: true, created_at: '2026-01-01T00:00:00Z' },
  workspace: { id: 'w', name: 'Demo', slug: 'demo', ticket_prefix: 'TKT', timezone: 'UTC' },
};

/** Where the router is; shown, like the palette, once the agent is signed in. */
function Where() {
  return <output aria-label="where">{useLocation().pathname}</output>;
}

function renderPalette() {
  renderSignedIn(
    <>
      <CommandPalette />
      <Where />
    </>,
  );
}

describe('CommandPalette', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setToken(null);
  });

  it('opens with Ctrl-K, finds a ticket by its number and opens it', async () => {
    const searched: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) => {
        const url = new URL(request.url);
        if (url.pathname === '/api/v1/me') return new Response(JSON.stringify(me), { headers: { 'content-type': 'application/json' } });
        if (url.pathname === '/api/v1/views') return new Response('[]', { headers: { 'content-type': 'application/json' } });
        searched.push(url.searchParams.get('q') ?? '');
        const items = url.searchParams.get('q') === 'TKT-42' ? [makeTicket({ key: 'TKT-42', subject: 'Printer on fire' })] : [];
        return new Response(JSON.stringify({ items, next_cursor: null }), { headers: { 'content-type': 'application/json' } });
      }),
    );
    renderPalette();
    await screen.findByLabelText('where');
    fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    const dialog = await screen.findByRole('dialog', { name: 'Command palette' });
    const input = screen.getByRole('combobox');
    expect(input).toHaveFocus();
    await userEvent.type(input, '42');
    const option = await screen.findByRole('option', { name: /TKT-42 Printer on fire/ });
    expect(option).toHaveAttribute('aria-selected', 'true');
    expect(searched).toContain('TKT-42');
    await userEvent.keyboard('{Enter}');
    expect(dialog).not.toBeInTheDocument();
    expect(screen.getByLabelText('where')).toHaveTextContent('/tickets/TKT-42');
  });

  it('runs an action: "new" → New ticket', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) => {
        const path = new URL(request.url).pathname;
        const body = path === '/api/v1/me' ? me : path === '/api/v1/views' ? [] : { items: [], next_cursor: null };
        return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
      }),
    );
    renderPalette();
    await screen.findByLabelText('where');
    fireEvent.keyDown(window, { key: 'k', metaKey: true });
    await userEvent.type(await screen.findByRole('combobox'), 'new');
    expect(screen.getByRole('option', { name: 'New ticket' })).toHaveAttribute('aria-selected', 'true');
    await userEvent.keyboard('{Enter}');
    expect(screen.getByLabelText('where')).toHaveTextContent('/tickets/new');
  });
});

describe('ShortcutsOverlay', () => {
  it('opens with ? (not while typing) and closes with Esc', async () => {
    render(
      <MemoryRouter initialEntries={['/tickets/TKT-1']}>
        <input aria-label="somewhere to type" />
        <ShortcutsOverlay />
      </MemoryRouter>,
    );
    await userEvent.type(screen.getByLabelText('somewhere to type'), '?');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    await userEvent.click(document.body);
    await userEvent.keyboard('?');
    const dialog = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    // the open page's shortcuts come first
    expect(dialog.querySelector('.shortcut-group')).toHaveAccessibleName('Ticket');
    expect(dialog).toHaveTextContent('Reply to the requester');
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });
});
