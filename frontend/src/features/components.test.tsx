import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { SessionProvider } from '../auth/session';
import { makeTicket } from '../test/fixtures';
import { LoginPage } from './LoginPage';
import { TicketTable } from './queue/TicketTable';

function wrap(children: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return (
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <SessionProvider>{children}</SessionProvider>
      </MemoryRouter>
    </QueryClientProvider>
  );
}

describe('LoginPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('says so clearly when the credentials are wrong', async () => {
    const problem = { type: 'about:blank', title: 'Not authenticated', status: 401, detail: 'Wrong email or password.' };
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(problem), { status: 401, headers: { 'content-type': 'application/problem+json' } })));
    render(wrap(<LoginPage />));
    await userEvent.type(screen.getByLabelText('Email'), 'ada@demo.test');
    await userEvent.type(screen.getByLabelText('Password'), 'nope');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong email or password');
  });
});

describe('TicketTable', () => {
  const props = {
    loading: false,
    statusLabels: { open: 'Open' },
    selected: new Set<string>(),
    allSelected: false,
    onToggle: () => {},
    onToggleAll: () => {},
    cursorIndex: 0,
    onCursor: () => {},
    hasMore: false,
    loadingMore: false,
    loadMore: () => {},
    filtered: false,
    onClearFilters: () => {},
    selectable: true,
  };

  it('highlights urgent rows and shows overdue due times in red', () => {
    const past = new Date(Date.now() - 3 * 3600_000).toISOString();
    const tickets = [
      makeTicket({ key: 'TKT-1', priority: 'urgent', sla: { first_response_due_at: past, next_response_due_at: null, resolution_due_at: null, first_responded_at: null, state: 'breached' } }),
      makeTicket({ id: '2', key: 'TKT-2', priority: 'low' }),
    ];
    const { container } = render(wrap(<TicketTable {...props} tickets={tickets} />));
    const urgent = container.querySelector('tr[data-key="TKT-1"]')!;
    expect(urgent).toHaveClass('urgent');
    expect(urgent.querySelector('.due')).toHaveClass('overdue');
    expect(urgent.querySelector('.due')).toHaveTextContent(/overdue/);
    expect(container.querySelector('tr[data-key="TKT-2"]')).not.toHaveClass('urgent');
    expect(screen.getAllByText('Urgent')[0]).toHaveClass('tone-red');
  });

  it('tells the agent what to do when filters match nothing', () => {
    render(wrap(<TicketTable {...props} tickets={[]} filtered />));
    expect(screen.getByText('No tickets match these filters.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'clear them all' })).toBeInTheDocument();
  });
});
