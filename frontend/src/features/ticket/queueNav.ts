// Next/previous ticket in the queue the agent came from. The queue's URL (its filters and sort)
// is remembered per browser tab; the order is a snapshot of that queue's keys taken when the
// agent starts walking it, so replying and solving (which may drop a ticket from a filtered
// queue) never skips or repeats a ticket.
import { useQuery, useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useLocation } from 'react-router-dom';
import { api, unwrap, type Ticket } from '../../api/client';
import { filtersToQuery, parseFilters } from '../../lib/filters';

const STORE = 'ticketdesk.queue';
const PAGE = 100;
/** How far to look for a ticket that is not in the snapshot (opened from elsewhere). */
const MAX_PAGES = 3;

export type QueueSnapshot = { search: string; keys: string[]; cursor: string | null; complete: boolean };
export type Neighbours = { prev: string | null; next: string | null; position: number; count: number; complete: boolean };

function read(): QueueSnapshot | null {
  try {
    const raw = globalThis.sessionStorage?.getItem(STORE);
    return raw ? (JSON.parse(raw) as QueueSnapshot) : null;
  } catch {
    return null;
  }
}

function write(snapshot: QueueSnapshot): void {
  try {
    globalThis.sessionStorage?.setItem(STORE, JSON.stringify(snapshot));
  } catch {
    /* storage full or disabled: navigation just starts over next time */
  }
}

/** The queue's URL search ("?status=open&sort=due"), "" for all tickets. */
export function rememberedQueue(): string {
  return read()?.search ?? '';
}

/** Each visit to the queue starts a new snapshot (the list the agent just saw). */
export function rememberQueue(search: string): void {
  write({ search, keys: [], cursor: null, complete: false });
}

/** Mounted once in the app: remembers the queue URL whenever the queue is shown. */
export function QueueMemory() {
  const location = useLocation();
  useEffect(() => {
    if (location.pathname === '/') rememberQueue(location.search);
  }, [location.pathname, location.search]);
  return null;
}

/** Where `key` sits in the snapshot's order. */
export function neighboursIn(snapshot: Pick<QueueSnapshot, 'keys' | 'complete'>, key: string): Neighbours | null {
  const index = snapshot.keys.indexOf(key);
  if (index === -1) return null;
  return {
    prev: snapshot.keys[index - 1] ?? null,
    next: snapshot.keys[index + 1] ?? null,
    position: index + 1,
    count: snapshot.keys.length,
    complete: snapshot.complete,
  };
}

/** Neighbours from the stored snapshot, at once (for a key press while a page is changing). */
export function storedNeighbours(key: string): Neighbours | null {
  const snapshot = read();
  return snapshot ? neighboursIn(snapshot, key) : null;
}

function listQuery(search: string) {
  return filtersToQuery(parseFilters(new URLSearchParams(search)));
}

/** The keys the queue page already loaded for this search, if it is still in the cache. */
function cachedKeys(queryClient: QueryClient, search: string): QueueSnapshot | null {
  const data = queryClient.getQueryData<InfiniteData<{ items: Ticket[]; next_cursor?: string | null }>>(['tickets', listQuery(search)]);
  if (!data?.pages?.length) return null;
  const last = data.pages[data.pages.length - 1];
  return { search, keys: data.pages.flatMap((p) => p.items.map((t) => t.key)), cursor: last?.next_cursor ?? null, complete: !last?.next_cursor };
}

export async function locate(queryClient: QueryClient, search: string, key: string): Promise<Neighbours | null> {
  let snapshot: QueueSnapshot | null = read();
  if (!snapshot || snapshot.search !== search || !snapshot.keys.includes(key)) {
    const cached = cachedKeys(queryClient, search);
    snapshot = cached?.keys.includes(key) ? cached : { search, keys: [], cursor: null, complete: false };
  }
  const query = listQuery(search);
  for (let pages = 0; pages < MAX_PAGES && !snapshot.complete; pages++) {
    const index = snapshot.keys.indexOf(key);
    if (index !== -1 && index < snapshot.keys.length - 1) break;
    const page: { items: Ticket[]; next_cursor?: string | null } = await unwrap(api.GET('/api/v1/tickets', { params: { query: { ...query, limit: PAGE, cursor: snapshot.cursor ?? undefined } } }));
    const known: string[] = snapshot.keys;
    const seen = new Set<string>(known);
    const added: string[] = page.items.map((t) => t.key).filter((k) => !seen.has(k));
    snapshot = { search, keys: [...known, ...added], cursor: page.next_cursor ?? null, complete: !page.next_cursor };
  }
  write(snapshot);
  return neighboursIn(snapshot, key);
}

/** Previous and next ticket for the ticket page's header and its j/k shortcuts. */
export function useQueueNeighbours(key: string) {
  const queryClient = useQueryClient();
  const search = rememberedQueue();
  return useQuery({
    queryKey: ['queue-nav', search, key],
    queryFn: () => locate(queryClient, search, key),
    staleTime: Infinity,
    gcTime: 60_000,
    retry: false,
  });
}
