import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import type { Contact } from './api';
import { ContactLookup } from './ContactLookup';

function contact(email: string, name: string | null, tickets = 0): Contact {
  return {
    id: `id-${email}`,
    email,
    name,
    organization: email.split('@')[1] ?? null,
    tickets_open: 0,
    tickets_total: tickets,
    last_ticket_at: null,
    created_at: '2026-12-01T00:00:00Z',
  };
}

const PEOPLE = [contact('ada@acme.com', 'Ada Lovelace', 3), contact('alan@bletchley.uk', 'Alan Turing'), contact('grace@navy.mil', 'Grace Hopper', 1)];

/** Matches as the API gives them: name or email starting with what was typed. */
async function lookup(q: string): Promise<Contact[]> {
  const wanted = q.toLowerCase();
  return PEOPLE.filter((c) => c.email.startsWith(wanted) || (c.name ?? '').toLowerCase().startsWith(wanted));
}

function Form({ onSubmit, onPick, find = lookup, delay = 0 }: { onSubmit: () => void; onPick: (c: Contact) => void; find?: (q: string) => Promise<Contact[]>; delay?: number }) {
  const [email, setEmail] = useState('');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <ContactLookup
        value={email}
        onChange={setEmail}
        onPick={(c) => {
          setEmail(c.email);
          onPick(c);
        }}
        lookup={find}
        delay={delay}
      />
      <button type="submit">Create</button>
    </form>
  );
}

function renderForm(props: Parameters<typeof Form>[0]) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <Form {...props} />
    </QueryClientProvider>,
  );
}

describe('the requester lookup on New ticket', () => {
  it('is a combobox that lists matches and picks one with the keyboard', async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    const onPick = vi.fn();
    renderForm({ onSubmit, onPick });
    const input = screen.getByRole('combobox', { name: 'Customer email' });
    expect(input).toHaveAttribute('aria-expanded', 'false');
    expect(input).toHaveAttribute('aria-autocomplete', 'list');

    await user.type(input, 'a');
    const list = await screen.findByRole('listbox', { name: 'Matching customers' });
    expect(input).toHaveAttribute('aria-expanded', 'true');
    expect(input).toHaveAttribute('aria-controls', list.id);
    const options = screen.getAllByRole('option');
    expect(options.map((o) => o.textContent)).toEqual(['Ada Lovelaceada@acme.com · 3 tickets', 'Alan Turingalan@bletchley.uk']);
    expect(screen.getByRole('status')).toHaveTextContent('2 customers found');

    await user.keyboard('{ArrowDown}');
    expect(options[0]).toHaveAttribute('aria-selected', 'true');
    expect(input).toHaveAttribute('aria-activedescendant', options[0]!.id);
    await user.keyboard('{ArrowDown}');
    expect(input).toHaveAttribute('aria-activedescendant', options[1]!.id);
    expect(options[0]).toHaveAttribute('aria-selected', 'false');
    await user.keyboard('{ArrowDown}'); // wraps around
    expect(input).toHaveAttribute('aria-activedescendant', options[0]!.id);
    await user.keyboard('{ArrowUp}');
    expect(input).toHaveAttribute('aria-activedescendant', options[1]!.id);

    await user.keyboard('{Enter}');
    expect(onPick).toHaveBeenCalledWith(PEOPLE[1]);
    expect(onSubmit).not.toHaveBeenCalled(); // Enter picked, it did not submit the form
    expect(input).toHaveValue('alan@bletchley.uk');
    expect(input).toHaveAttribute('aria-expanded', 'false');
    expect(input).not.toHaveAttribute('aria-activedescendant');
    expect(input).toHaveFocus();
  });

  it('closes on Escape, keeps typed text, and Enter without a choice submits', async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    renderForm({ onSubmit, onPick: vi.fn() });
    const input = screen.getByRole('combobox');
    await user.type(input, 'gr');
    await screen.findByRole('option', { name: /Grace Hopper/ });
    await user.keyboard('{Escape}');
    expect(input).toHaveAttribute('aria-expanded', 'false');
    expect(input).toHaveValue('gr');
    await user.clear(input);
    await user.type(input, 'new@customer.example');
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('No customer matches; a new one is created.'));
    await user.keyboard('{Enter}');
    expect(onSubmit).toHaveBeenCalledTimes(1);
  });

  it('picks with the mouse', async () => {
    const user = userEvent.setup();
    const onPick = vi.fn();
    renderForm({ onSubmit: vi.fn(), onPick });
    await user.type(screen.getByRole('combobox'), 'ada');
    await user.click(await screen.findByRole('option', { name: /Ada Lovelace/ }));
    expect(onPick).toHaveBeenCalledWith(PEOPLE[0]);
    expect(screen.getByRole('combobox')).toHaveValue('ada@acme.com');
  });

  it('asks once typing stops, not once per key', async () => {
    const find = vi.fn(lookup);
    renderForm({ onSubmit: vi.fn(), onPick: vi.fn(), find, delay: 5_000 });
    const input = screen.getByRole('combobox');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      for (const typed of ['a', 'ad', 'ada']) fireEvent.change(input, { target: { value: typed } });
      await act(async () => {
        vi.advanceTimersByTime(4_999);
      });
      expect(find).not.toHaveBeenCalled();
      await act(async () => {
        vi.advanceTimersByTime(1);
      });
      // the answer's notification is scheduled on a timer too
      await act(async () => {
        await vi.advanceTimersByTimeAsync(10);
      });
    } finally {
      vi.useRealTimers();
    }
    await waitFor(() => expect(find).toHaveBeenCalledTimes(1));
    expect(find).toHaveBeenCalledWith('ada');
    expect(await screen.findByRole('option', { name: /Ada Lovelace/ })).toBeInTheDocument();
  });
});
