// Saved views through `/views`: personal or shared, pinned ones in the sidebar, ordered by
// `position`. A view stores the queue's filters and sort; opening it rebuilds the queue URL.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from './client';
import { isCfParam } from '../lib/customFields';
import { DEFAULT_SORT, cfEntries, filtersToQuery, filtersToSearch, parseFilters, type CfParam, type Filters, type FilterKey } from '../lib/filters';

export type SavedView = Schemas['ViewRead'];
type ViewCreate = Schemas['ViewCreate'];

/** The filter keys a view carries (the queue's, minus sort which is its own field). */
const VIEW_KEYS = ['status', 'status_category', 'priority', 'assignee', 'team', 'label', 'type', 'category', 'channel', 'sla', 'watching', 'q'] as const;

export function viewBody(name: string, filters: Filters): Pick<ViewCreate, 'name' | 'filters' | 'sort'> {
  const stored: Record<string, string> = {};
  for (const key of VIEW_KEYS) if (filters[key]) stored[key] = filters[key]!;
  for (const [name, value] of cfEntries(filters)) stored[name] = value;
  return { name, filters: stored, sort: filters.sort || DEFAULT_SORT };
}

/** The queue's URL search for a view. */
export function viewSearch(view: Pick<SavedView, 'filters' | 'sort'>): string {
  const filters: Filters = {};
  for (const key of VIEW_KEYS) {
    const value = view.filters[key];
    if (typeof value === 'string' && value) filters[key as FilterKey] = value;
  }
  for (const [name, value] of Object.entries(view.filters)) if (isCfParam(name) && typeof value === 'string' && value) filters[name as CfParam] = value;
  if (view.sort) filters.sort = view.sort;
  return filtersToSearch(filters);
}

export function useViews() {
  return useQuery({ queryKey: ['views'], queryFn: () => unwrap(api.GET('/api/v1/views')), staleTime: 30_000 });
}

export function useSavedViews() {
  const queryClient = useQueryClient();
  const views = useViews();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['views'] });
  const save = useMutation({
    mutationFn: (input: { name: string; filters: Filters; shared?: boolean; pinned?: boolean }) =>
      unwrap(
        api.POST('/api/v1/views', {
          body: { ...viewBody(input.name, input.filters), shared: input.shared ?? false, pinned: input.pinned ?? true },
        }),
      ),
    onSettled: refresh,
  });
  const update = useMutation({
    mutationFn: ({ id, ...body }: { id: string } & Schemas['ViewUpdate']) =>
      unwrap(api.PATCH('/api/v1/views/{view_id}', { params: { path: { view_id: id } }, body })),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/views/{view_id}', { params: { path: { view_id: id } } })),
    onSettled: refresh,
  });
  return { views: views.data ?? [], loading: views.isPending, error: views.error, retry: () => void views.refetch(), save, update, remove };
}

/**
 * How many tickets a queue link (`?status=open…`) holds, for the sidebar: one stats request per
 * link, cached for a minute (not refreshed by every live event, unlike the queue itself).
 */
export function useViewCount(search: string) {
  const { sort: _sort, ...query } = filtersToQuery(parseFilters(new URLSearchParams(search)));
  return useQuery({
    queryKey: ['view-count', query],
    queryFn: () => unwrap(api.GET('/api/v1/tickets/stats', { params: { query } })).then((s) => s.total),
    staleTime: 60_000,
    refetchInterval: 120_000,
    refetchOnWindowFocus: false,
  });
}
