// Reordering a list kept in `position` order (custom fields, ticket types, statuses, SLA
// policies, automations): the order after a move, the few PATCHes it takes, and what a screen
// reader hears. The list is changed at once in the query cache and put back if a save fails.
import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../api/client';

/** The list with the item at `from` moved to `to` (other items keep their relative order). */
export function moveItem<T>(items: readonly T[], from: number, to: number): T[] {
  const next = [...items];
  if (from < 0 || from >= next.length || to < 0 || to >= next.length) return next;
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item!);
  return next;
}

export interface PositionChange<T> {
  item: T;
  position: number;
  /** what it was (for putting it back) */
  previous: number | undefined;
}

/** Positions 0..n-1 for a list in its new order: only the items whose position changes. */
export function positionChanges<T extends { position?: number }>(ordered: readonly T[]): PositionChange<T>[] {
  return ordered.map((item, position) => ({ item, position, previous: item.position })).filter((c) => c.previous !== c.position);
}

/** "Refund moved to position 2 of 5." */
export function movedMessage(name: string, to: number, count: number): string {
  return `${name} moved to position ${to + 1} of ${count}.`;
}

/**
 * Reorder one cached list: `move(from, to)` shows the new order at once (the cache under
 * `queryKey`), saves each changed position in turn, and on a failure restores what was saved
 * already and the list as it was, saying so in `announcement` (read out by an aria-live region).
 */
export function useReorder<T extends { position?: number }>({
  queryKey,
  items,
  name,
  save,
}: {
  queryKey: QueryKey;
  items: readonly T[];
  name: (item: T) => string;
  save: (item: T, position: number) => Promise<unknown>;
}) {
  const queryClient = useQueryClient();
  const [announcement, setAnnouncement] = useState('');
  const mutation = useMutation({
    mutationFn: async ({ next }: { next: T[] }) => {
      const done: PositionChange<T>[] = [];
      try {
        for (const change of positionChanges(next)) {
          await save(change.item, change.position);
          done.push(change);
        }
      } catch (error) {
        // put back what was saved, so the server keeps the order the agent saw before
        for (const change of done.reverse()) if (change.previous !== undefined) await save(change.item, change.previous).catch(() => undefined);
        throw error;
      }
    },
    onMutate: async ({ next }) => {
      await queryClient.cancelQueries({ queryKey });
      const before = queryClient.getQueryData<T[]>(queryKey);
      queryClient.setQueryData<T[]>(queryKey, next.map((item, position) => ({ ...item, position })));
      return { before };
    },
    onError: (error, _vars, context) => {
      if (context?.before) queryClient.setQueryData(queryKey, context.before);
      setAnnouncement(`The new order was not saved (${errorMessage(error)}); it is back as it was.`);
    },
    // settled only once the list is fresh again, so the next move starts from the server's order
    onSettled: () => queryClient.invalidateQueries({ queryKey }),
  });
  const move = (from: number, to: number) => {
    const item = items[from];
    if (!item || from === to || to < 0 || to >= items.length || mutation.isPending) return;
    setAnnouncement(movedMessage(name(item), to, items.length));
    mutation.mutate({ next: moveItem(items, from, to) });
  };
  return { move, pending: mutation.isPending, error: mutation.error, announcement };
}
