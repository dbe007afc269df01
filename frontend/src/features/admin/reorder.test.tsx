// Reordering an admin list: the order logic, and the list as an admin sees it (the new order
// at once, the PATCHes it takes, what is read out, and the old order back when a save fails).
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Collection } from './Collection';
import { movedMessage, moveItem, positionChanges } from './reorder';

describe('the order logic', () => {
  const items = ['a', 'b', 'c', 'd'].map((id, position) => ({ id, position }));

  it('moves one item and keeps the others in their order', () => {
    expect(moveItem(items, 0, 2).map((i) => i.id)).toEqual(['b', 'c', 'a', 'd']);
    expect(moveItem(items, 3, 0).map((i) => i.id)).toEqual(['d', 'a', 'b', 'c']);
    expect(moveItem(items, 1, 1).map((i) => i.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(moveItem(items, 0, 9).map((i) => i.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('saves only the positions that change, 0..n-1', () => {
    expect(positionChanges(moveItem(items, 0, 2)).map((c) => [c.item.id, c.previous, c.position])).toEqual([
      ['b', 1, 0],
      ['c', 2, 1],
      ['a', 0, 2],
    ]);
    expect(positionChanges(moveItem(items, 2, 3)).map((c) => c.item.id)).toEqual(['d', 'c']);
    // sparse or tied positions (an older list) are renumbered once
    expect(positionChanges([{ position: 0 }, { position: 0 }, { position: 7 }]).map((c) => c.position)).toEqual([1, 2]);
    expect(movedMessage('Refund', 1, 4)).toBe('Refund moved to position 2 of 4.');
  });
});

// generous: these click through whole forms, slow on a loaded machine
describe('an ordered admin list', { timeout: 20_000 }, () => {
  type Row = { id: string; name: string; position: number };
  function setup(fail: (id: string, position: number) => boolean) {
    let stored: Row[] = ['Reason', 'Refund', 'Order'].map((name, position) => ({ id: name.toLowerCase(), name, position }));
    const patches: [string, number][] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((ok) => (release = ok));
    const calls = {
      list: async () => [...stored].sort((a, b) => a.position - b.position).map((r) => ({ ...r })),
      update: async (id: string, body: { position?: number }) => {
        await gate; // held, so the optimistic order can be seen before the server answers
        if (fail(id, body.position!)) throw new Error('Validation failed');
        patches.push([id, body.position!]);
        stored = stored.map((r) => (r.id === id ? { ...r, position: body.position! } : r));
      },
      remove: async () => undefined,
    };
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <Collection<Row> queryKey="things" noun="field" plural="fields" ordered empty="none" calls={calls} summary={() => ''} renderForm={() => null} />
      </QueryClientProvider>,
    );
    return { patches, release };
  }

  const names = () => [...document.querySelectorAll('table tr strong')].map((e) => e.textContent);

  it('shows the new order at once, saves it, says so, and offers a drag handle per row', async () => {
    const { patches, release } = setup(() => false);
    await screen.findByRole('button', { name: 'Move Reason down' }, { timeout: 5000 });
    expect(screen.getByRole('button', { name: 'Drag Refund to reorder' })).toHaveAttribute('aria-roledescription', 'sortable');
    await userEvent.click(screen.getByRole('button', { name: 'Move Reason down' }));
    expect(names()).toEqual(['Refund', 'Reason', 'Order']);
    expect(screen.getByText('Reason moved to position 2 of 3.')).toHaveAttribute('aria-live', 'polite');
    release();
    await waitFor(() => expect(patches).toEqual([['refund', 0], ['reason', 1]]));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Move Order up' })).toBeEnabled());
    expect(names()).toEqual(['Refund', 'Reason', 'Order']);
  });

  it('puts the order back, on the server too, when a save fails', async () => {
    const { patches, release } = setup((id) => id === 'reason');
    await screen.findByRole('button', { name: 'Move Order up' }, { timeout: 5000 });
    await userEvent.click(screen.getByRole('button', { name: 'Move Reason down' }));
    expect(names()).toEqual(['Refund', 'Reason', 'Order']);
    release();
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('Validation failed'));
    expect(screen.getByText('The new order was not saved (Validation failed); it is back as it was.')).toHaveAttribute('aria-live', 'polite');
    // refund was saved at 0 before reason failed: it was put back at 1
    expect(patches).toEqual([['refund', 0], ['refund', 1]]);
    await waitFor(() => expect(names()).toEqual(['Reason', 'Refund', 'Order']));
  });
});
