// The composer against a fake API (fetch): mention chips, "send and set status" in one action
// and what it says about email, and a macro found with `#`, previewed, edited and applied.
import { QueryClient } from '@tanstack/react-query';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setToken, type Status } from '../../api/client';
import { makeTicket } from '../../test/fixtures';
import { renderSignedIn } from '../../test/render';
import { Composer } from './Composer';
import { locate } from './queueNav';

type Call = { method: string; path: string; search: string; body: unknown; headers: Headers };
type Handler = (call: Call) => unknown;

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A fake API: `'POST /api/v1/tickets/TKT-1/comments'` → handler; records every call. */
function fakeApi(routes: Record<string, Handler>): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request | string, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(input, init);
      const url = new URL(request.url);
      const text = await request.text();
      const call = { method: request.method, path: url.pathname, search: url.search, body: text ? (JSON.parse(text) as unknown) : undefined, headers: request.headers };
      calls.push(call);
      const handler = routes[`${request.method} ${url.pathname}`];
      if (!handler) return json({ title: 'Not Found', status: 404, detail: `no route ${request.method} ${url.pathname}` }, 404);
      const result = handler(call);
      return result instanceof Response ? result : json(result);
    }),
  );
  return calls;
}

const me = {
  kind: 'user',
  role: 'agent',
  scopes: [],
  api_token: null,
  user: { id: 'me', name: 'Grace Hopper', email: 'grace@demo.test', role: 'agent', active: true, created_at: '2026-01-01T00:00:00Z' },
  workspace: { id: 'w', name: 'Demo', slug: 'demo', ticket_prefix: 'TKT', timezone: 'UTC' },
};
const users = [me.user, { id: 'ada', name: 'Ada Lovelace', email: 'ada@demo.test', role: 'agent', active: true, created_at: '2026-01-01T00:00:00Z' }];
const statuses: Status[] = [
  { name: 'open', label: 'Open', category: 'open', position: 1 } as Status,
  { name: 'waiting', label: 'Waiting', category: 'pending', position: 2 } as Status,
  { name: 'resolved', label: 'Resolved', category: 'solved', position: 3 } as Status,
];

const skipped = { id: 'mail-1', direction: 'out', kind: 'agent_reply', status: 'skipped', last_error: 'no SMTP server configured', to_address: 'pat@example.com', from_address: 'd', subject: 's', message_id: 'm', attempts: 0, created_at: '2026-11-21T09:00:00Z', sent_at: null };

describe('Composer', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setToken(null);
    localStorage.clear(); // drafts
  });

  it('shows who a note notifies as name chips and posts the name', async () => {
    const calls = fakeApi({
      'GET /api/v1/me': () => me,
      'GET /api/v1/users': () => users,
      'GET /api/v1/tickets/TKT-1/emails': () => [],
      'POST /api/v1/tickets/TKT-1/comments': ({ body }) => ({ id: 'c1', ...(body as object) }),
    });
    renderSignedIn(<Composer ticket={makeTicket()} statuses={statuses} onTyping={() => {}} />);
    await userEvent.click(await screen.findByRole('radio', { name: 'Internal note' }));
    const box = screen.getByPlaceholderText('Write an internal note…');
    await userEvent.type(box, 'Please look @ad');
    const menu = await screen.findByRole('listbox', { name: 'Mention a teammate' });
    // the menu comes after the reply/note toggle in the page, not over it
    expect(screen.getByRole('radiogroup', { name: 'Comment type' }).compareDocumentPosition(menu) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    await userEvent.keyboard('{Enter}');
    expect(box).toHaveValue('Please look @Ada Lovelace ');
    expect(screen.getByLabelText('Mentioned')).toHaveTextContent('@Ada Lovelace');
    await userEvent.keyboard('{Control>}{Enter}{/Control}');
    await screen.findByText('Internal note added.');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ body: 'Please look @Ada Lovelace ', visibility: 'internal' });
  });

  it('sends and sets the status in one action, and says no email went out when SMTP is off', async () => {
    let version = 1;
    let emails: unknown[] = [];
    const calls = fakeApi({
      'GET /api/v1/me': () => me,
      'GET /api/v1/users': () => users,
      'GET /api/v1/tickets/TKT-1/emails': () => emails,
      'POST /api/v1/tickets/TKT-1/comments': ({ body }) => {
        version = 2; // the reply moves the ticket on (first response)
        emails = [skipped];
        return { id: 'c1', ...(body as object) };
      },
      'GET /api/v1/tickets/TKT-1': () => makeTicket({ version }),
      'PATCH /api/v1/tickets/TKT-1': ({ body }) => makeTicket({ ...(body as object), version: 3 }),
    });
    renderSignedIn(<Composer ticket={makeTicket()} statuses={statuses} onTyping={() => {}} />);
    const box = await screen.findByPlaceholderText('Write your reply to the requester…');
    // nothing says yet whether email is set up: the hint promises no email
    expect(screen.getByText('Visible to pat@example.com; emailed when email is set up.')).toBeInTheDocument();
    await userEvent.type(box, 'All fixed.');
    await userEvent.click(screen.getByRole('button', { name: 'Send and set status' }));
    const items = screen.getAllByRole('menuitem').map((i) => i.textContent);
    expect(items).toEqual(['Send as Resolved', 'Send as Waiting']);
    await userEvent.click(screen.getByRole('menuitem', { name: 'Send as Resolved' }));
    await screen.findByText(/Status set to Resolved/);
    await screen.findByText('Reply saved, but not emailed to pat@example.com: email (SMTP) is not configured on this server.');
    const writes = calls.filter((c) => c.method !== 'GET' || c.path === '/api/v1/tickets/TKT-1').map((c) => `${c.method} ${c.path}`);
    expect(writes).toEqual(['POST /api/v1/tickets/TKT-1/comments', 'GET /api/v1/tickets/TKT-1', 'PATCH /api/v1/tickets/TKT-1']);
    const patch = calls.find((c) => c.method === 'PATCH')!;
    expect(patch.body).toEqual({ status: 'resolved' });
    expect(patch.headers.get('if-match')).toBe('"2"');
    expect(box).toHaveValue('');
  });

  it('tells an agent from /me that email is off, before and after the reply', async () => {
    fakeApi({
      'GET /api/v1/me': () => ({ ...me, email_sending: false }),
      'GET /api/v1/users': () => users,
      'GET /api/v1/tickets/TKT-1/emails': () => [],
      'POST /api/v1/tickets/TKT-1/comments': ({ body }) => ({ id: 'c1', ...(body as object) }),
    });
    renderSignedIn(<Composer ticket={makeTicket()} statuses={statuses} onTyping={() => {}} />);
    await screen.findByText('Visible to pat@example.com — email is not configured, so no email will be sent.');
    await userEvent.type(screen.getByPlaceholderText('Write your reply to the requester…'), 'Done.{Control>}{Enter}{/Control}');
    await screen.findByText('Reply saved, but not emailed to pat@example.com: email (SMTP) is not configured on this server.');
    expect(screen.queryByText(/Reply emailed|Sent to/)).toBeNull();
  });

  it('keeps the draft of a ticket when the composer goes away, until it is sent', async () => {
    fakeApi({
      'GET /api/v1/me': () => me,
      'GET /api/v1/users': () => users,
      'GET /api/v1/tickets/TKT-7/emails': () => [],
      'POST /api/v1/tickets/TKT-7/comments': ({ body }) => ({ id: 'c1', ...(body as object) }),
    });
    const first = renderSignedIn(<Composer ticket={makeTicket({ key: 'TKT-7' })} statuses={statuses} onTyping={() => {}} />);
    await userEvent.type(await screen.findByPlaceholderText('Write your reply to the requester…'), 'Half a thought');
    first.unmount();
    renderSignedIn(<Composer ticket={makeTicket({ key: 'TKT-7' })} statuses={statuses} onTyping={() => {}} />);
    const box = await screen.findByPlaceholderText('Write your reply to the requester…');
    expect(box).toHaveValue('Half a thought');
    await userEvent.type(box, '{Control>}{Enter}{/Control}');
    await waitFor(() => expect(box).toHaveValue(''));
    expect(localStorage.getItem('ticketdesk.draft.TKT-7')).toBeNull();
  });

  it('finds a macro with #, previews it, and applies it with the edited reply', async () => {
    const macro = { id: 'm1', name: 'Refund on its way', body: 'Hi {{ requester.first_name }}', visibility: 'public', actions: [{ type: 'add_labels', value: ['refund'] }], shared: true, owner_id: null };
    const calls = fakeApi({
      'GET /api/v1/me': () => me,
      'GET /api/v1/users': () => users,
      'GET /api/v1/tickets/TKT-1/emails': () => [skipped],
      'GET /api/v1/macros': ({ search }) => ({ items: new URLSearchParams(search).get('q')?.startsWith('ref') || !search.includes('q=') ? [macro] : [], next_cursor: null }),
      'POST /api/v1/tickets/TKT-1/macros/m1/preview': () => ({
        macro: { id: 'm1', name: macro.name },
        comment: { body: 'Hi Pat, your refund is on its way.', body_html: '<p>Hi Pat, your refund is on its way.</p>', visibility: 'public' },
        changes: { labels: { from: [], to: ['refund'], added: ['refund'], removed: [] } },
      }),
      'POST /api/v1/tickets/TKT-1/macros/m1/apply': ({ body }) => ({
        macro: { id: 'm1', name: macro.name },
        ticket: makeTicket({ labels: ['refund'], version: 2 }),
        comment: { id: 'c9', ...(body as object) },
        changes: {},
      }),
    });
    renderSignedIn(<Composer ticket={makeTicket({ version: 1 })} statuses={statuses} onTyping={() => {}} />);
    const box = await screen.findByPlaceholderText('Write your reply to the requester…');
    // the server already said SMTP is off for this ticket: the hint does not promise an email
    await screen.findByText(/email is not configured, so no email will be sent/);
    await screen.findByRole('button', { name: '# Macros' });
    await userEvent.type(box, '#ref');
    await screen.findByRole('option', { name: /Refund on its way/ });
    await userEvent.keyboard('{Enter}');
    expect(await screen.findByRole('group', { name: 'Preview of Refund on its way' })).toHaveTextContent('Hi Pat, your refund is on its way.');
    expect(screen.getByRole('list', { name: 'Changes' })).toHaveTextContent('Labels: + refund');
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(box).toHaveValue('Hi Pat, your refund is on its way.'));
    expect(screen.getByText(/Macro: Refund on its way/)).toBeInTheDocument();
    await userEvent.type(box, ' Thanks!');
    await userEvent.click(screen.getByRole('button', { name: 'Send reply' }));
    await screen.findByText(/Macro “Refund on its way” applied/);
    const apply = calls.find((c) => c.path.endsWith('/apply'))!;
    expect(apply.body).toEqual({ body: 'Hi Pat, your refund is on its way. Thanks!', visibility: 'public' });
    expect(apply.headers.get('if-match')).toBe('"1"');
    expect(calls.some((c) => c.method === 'POST' && c.path.endsWith('/comments'))).toBe(false);
  });
});

describe('queue order for next/previous', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    sessionStorage.clear();
  });

  it('walks the queue pages until it knows the ticket and the one after it, then remembers', async () => {
    const page = (keys: string[], next: string | null) => ({ items: keys.map((key) => makeTicket({ key })), next_cursor: next });
    const calls = fakeApi({
      'GET /api/v1/tickets': ({ search }) => (new URLSearchParams(search).get('cursor') ? page(['TKT-3', 'TKT-4'], null) : page(['TKT-1', 'TKT-2'], 'c2')),
    });
    const client = new QueryClient();
    expect(await locate(client, '?status=open', 'TKT-2')).toEqual({ prev: 'TKT-1', next: 'TKT-3', position: 2, count: 4, complete: true });
    expect(new URLSearchParams(calls[0]!.search).get('status')).toBe('open');
    expect(calls).toHaveLength(2);
    // known now: no more requests
    expect(await locate(client, '?status=open', 'TKT-3')).toMatchObject({ prev: 'TKT-2', next: 'TKT-4' });
    expect(calls).toHaveLength(2);
  });
});
