import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { formatSize, uploadUrl } from '../api/attachments';
import { bulkUpdate } from '../api/bulk';
import { setToken } from '../api/client';
import { NotificationBell } from '../components/NotificationBell';
import { mergeTarget } from './ticket/MergeDialog';

function wrap(children: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return (
    <QueryClientProvider client={client}>
      <MemoryRouter>{children}</MemoryRouter>
    </QueryClientProvider>
  );
}

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('bulk through POST /tickets/bulk', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('sends one request with the changes and reports each ticket', async () => {
    const seen: { url: string; body: unknown }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) => {
        seen.push({ url: request.url, body: await request.json() });
        return json({
          results: [
            { ticket: 'TKT-1', ok: true, version: 3 },
            { ticket: 'TKT-2', ok: false, error: { type: 'about:blank', title: 'Not Found', status: 404, detail: 'No such ticket.' } },
          ],
        });
      }),
    );
    const results = await bulkUpdate(['TKT-1', 'TKT-2'], { assignee_id: null });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toMatch(/\/api\/v1\/tickets\/bulk$/);
    expect(seen[0]!.body).toEqual({ tickets: ['TKT-1', 'TKT-2'], changes: { add_labels: [], remove_labels: [], assignee_id: null } });
    expect(results).toEqual([
      { ticket: 'TKT-1', ok: true, waiting: false, error: null },
      { ticket: 'TKT-2', ok: false, waiting: false, error: { detail: 'No such ticket.', status: 404 } },
    ]);
  });
});

describe('merge, attachments', () => {
  it('only merges into another ticket, by its key', () => {
    expect(mergeTarget(' tkt-7 ', 'TKT-3')).toBe('TKT-7');
    expect(mergeTarget('tkt-3', 'TKT-3')).toBeNull();
    expect(mergeTarget('  ', 'TKT-3')).toBeNull();
  });
  it('uploads to the ticket or the comment, and sizes files for people', () => {
    expect(uploadUrl('TKT-3')).toBe('/api/v1/tickets/TKT-3/attachments');
    expect(uploadUrl('TKT-3', 'c1')).toBe('/api/v1/tickets/TKT-3/comments/c1/attachments');
    expect(formatSize(900)).toBe('900 B');
    expect(formatSize(2048)).toBe('2.0 KB');
    expect(formatSize(3 * 1024 * 1024)).toBe('3.0 MB');
  });
});

describe('NotificationBell', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setToken(null);
  });

  it('shows the unread count, lists notifications and marks all read', async () => {
    let unread = 2;
    const calls: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) => {
        const url = new URL(request.url);
        calls.push(`${request.method} ${url.pathname}`);
        if (url.pathname.endsWith('/read-all')) {
          unread = 0;
          return json({ marked: 2 });
        }
        const read = unread === 0;
        return json({
          unread_count: unread,
          next_cursor: null,
          items: [
            { id: 'n1', kind: 'mention', ticket: 'TKT-4', ticket_id: null, data: { by: 'Ada' }, read, read_at: null, created_at: new Date().toISOString() },
            { id: 'n2', kind: 'assigned', ticket: 'TKT-5', ticket_id: null, data: {}, read, read_at: null, created_at: new Date().toISOString() },
          ],
        });
      }),
    );
    setToken('t');
    render(wrap(<NotificationBell />));
    const bell = await screen.findByRole('button', { name: 'Notifications (2 unread)' });
    await userEvent.click(bell);
    expect(screen.getByRole('link', { name: 'Ada mentioned you on TKT-4' })).toHaveAttribute('href', '/tickets/TKT-4');
    await userEvent.click(screen.getByRole('button', { name: 'Mark all read' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Notifications (0 unread)' })).toBeInTheDocument());
    expect(calls).toContain('POST /api/v1/notifications/read-all');
  });
});

describe('saved view order', () => {
  it('swaps a view with its neighbour and renumbers only what changed', async () => {
    const { reorder } = await import('./ViewsPage');
    const views = [
      { id: 'a', position: 1 },
      { id: 'b', position: 2 },
      { id: 'c', position: 3 },
    ];
    expect(reorder(views, 'c', -1)).toEqual([
      { id: 'c', position: 2 },
      { id: 'b', position: 3 },
    ]);
    expect(reorder(views, 'a', -1)).toEqual([]);
    // equal positions (e.g. views created concurrently) still end up strictly ordered
    expect(reorder([{ id: 'x', position: 5 }, { id: 'y', position: 5 }], 'y', -1)).toEqual([
      { id: 'y', position: 1 },
      { id: 'x', position: 2 },
    ]);
  });
});
