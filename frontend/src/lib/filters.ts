// Queue filters live in the URL (bookmarkable, shareable); this maps URL <-> API query.
// Custom-field filters ride along under their API names (`cf.reason`, `cf.amount.gte`).
import type { TicketListQuery } from '../api/client';
import { isCfParam } from './customFields';

export const FILTER_KEYS = [
  'status',
  'status_category',
  'priority',
  'assignee',
  'team',
  'label',
  'type',
  'category',
  'channel',
  'sla',
  'watching',
  'requester',
  'organization',
  'q',
  'created_after',
  'created_before',
  'updated_after',
  'sort',
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type CfParam = `cf.${string}`;
export type Filters = Partial<Record<FilterKey, string>> & { [param: CfParam]: string | undefined };

/** The custom-field parameters set in `filters`, in the order they were added. */
export function cfEntries(filters: Filters): [CfParam, string][] {
  return Object.entries(filters).filter((e): e is [CfParam, string] => isCfParam(e[0]) && !!e[1]);
}

export const DEFAULT_SORT = '-updated_at';

export const SORTS: { value: string; label: string }[] = [
  { value: '-updated_at', label: 'Recently updated' },
  { value: 'updated_at', label: 'Least recently updated' },
  { value: '-created_at', label: 'Newest' },
  { value: 'created_at', label: 'Oldest' },
  { value: '-priority', label: 'Priority, highest first' },
  { value: 'priority', label: 'Priority, lowest first' },
  { value: 'due', label: 'Due soonest' },
];

export const SLA_FILTERS = [
  { value: 'overdue', label: 'Overdue' },
  { value: 'at_risk', label: 'At risk' },
  { value: 'due_today', label: 'Due today' },
  { value: 'due_this_week', label: 'Due this week' },
];

export const CHANNELS = ['chat', 'email', 'form', 'api', 'agent'] as const;
export const CHANNEL_LABELS: Record<string, string> = { chat: 'Chat', email: 'Email', form: 'Web form', api: 'API', agent: 'Agent' };
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export const TICKET_TYPES = ['question', 'incident', 'problem', 'task'];

export function parseFilters(params: URLSearchParams): Filters {
  const filters: Filters = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key)?.trim();
    if (value) filters[key] = value;
  }
  for (const [name, raw] of params) {
    const value = raw.trim();
    if (isCfParam(name) && value) filters[name as CfParam] = value;
  }
  return filters;
}

export function filtersToSearch(filters: Filters): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key]?.trim();
    if (value && !(key === 'sort' && value === DEFAULT_SORT)) params.set(key, value);
  }
  for (const [name, value] of cfEntries(filters)) params.set(name, value.trim());
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The list/stats query for these filters (the API takes comma = any-of as is). */
type Sort = NonNullable<TicketListQuery['sort']>;

export function filtersToQuery(filters: Filters): TicketListQuery {
  // An unknown sort in a hand-edited URL falls back to the default instead of a 422.
  const sort = (SORTS.some((s) => s.value === filters.sort) ? filters.sort : DEFAULT_SORT) as Sort;
  const query: TicketListQuery = { sort };
  for (const key of FILTER_KEYS) {
    if (key === 'sort') continue;
    const value = filters[key];
    if (value) query[key] = value;
  }
  // the list takes cf.<key> filters the schema cannot name one by one
  const extra = query as Record<string, string | undefined>;
  for (const [name, value] of cfEntries(filters)) extra[name] = value;
  return query;
}

export function withFilter(filters: Filters, key: FilterKey, value: string | undefined): Filters {
  const next = { ...filters };
  if (value) next[key] = value;
  else delete next[key];
  return next;
}

/** Toggle one value in a comma list (used by the stat bar). */
export function toggleListValue(list: string | undefined, value: string): string | undefined {
  const values = (list ?? '').split(',').filter(Boolean);
  const next = values.includes(value) ? values.filter((v) => v !== value) : [...values, value];
  return next.length ? next.join(',') : undefined;
}

export function activeFilterCount(filters: Filters): number {
  const fields = new Set(cfEntries(filters).map(([name]) => name.split('.')[1]));
  const dates = DATE_FILTERS.filter((d) => d.keys.some((k) => filters[k])).length;
  return FILTER_KEYS.filter((k) => k !== 'sort' && filters[k] && !DATE_KEYS.includes(k)).length + fields.size + dates;
}

/** The time filters (a link from the Reports dashboard sets them), shown as one chip each. */
export const DATE_FILTERS: { label: string; keys: FilterKey[] }[] = [
  { label: 'Created', keys: ['created_after', 'created_before'] },
  { label: 'Updated', keys: ['updated_after'] },
];
const DATE_KEYS: FilterKey[] = DATE_FILTERS.flatMap((d) => d.keys);

function shortDate(value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) return value;
  return new Date(time).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** "Created: from 2 Nov, 00:00 to 9 Nov, 00:00" (the second bound is exclusive). */
export function dateChipText(label: string, keys: FilterKey[], filters: Filters): string {
  const [after, before] = keys.map((k) => filters[k]);
  const parts = [after && `from ${shortDate(after)}`, before && `before ${shortDate(before)}`].filter(Boolean);
  return `${label}: ${parts.join(' ') || 'any'}`;
}

/** The filters the queue offers as chips ("+ Filter"), in the order chips are shown. */
export const CHIP_FILTERS: { key: FilterKey; label: string; kind: 'list' | 'text'; allOf?: boolean; placeholder?: string; maxLength?: number }[] = [
  { key: 'status', label: 'Status', kind: 'list' },
  { key: 'status_category', label: 'Status group', kind: 'list' },
  { key: 'priority', label: 'Priority', kind: 'list' },
  { key: 'assignee', label: 'Assignee', kind: 'list' },
  { key: 'team', label: 'Team', kind: 'list' },
  { key: 'label', label: 'Label', kind: 'list', allOf: true },
  { key: 'channel', label: 'Channel', kind: 'list' },
  { key: 'sla', label: 'SLA', kind: 'list' },
  { key: 'type', label: 'Type', kind: 'list' },
  { key: 'category', label: 'Category', kind: 'text' },
  { key: 'watching', label: 'Watching', kind: 'list' },
  { key: 'requester', label: 'Requester', kind: 'text', placeholder: 'customer@example.com', maxLength: 2000 },
  { key: 'organization', label: 'Organisation', kind: 'text', placeholder: 'acme.com', maxLength: 2000 },
];

/** The values of a comma list filter. */
export function listOf(value: string | undefined): string[] {
  return (value ?? '').split(',').map((v) => v.trim()).filter(Boolean);
}

/** A list filter set to `values` (none: removed). */
export function withList(filters: Filters, key: FilterKey, values: readonly string[]): Filters {
  return withFilter(filters, key, values.length ? values.join(',') : undefined);
}

/** The chips to show: every set filter, plus one being added (`pending`), in chip order. */
export function chipKeys(filters: Filters, pending?: FilterKey | null): FilterKey[] {
  return CHIP_FILTERS.map((f) => f.key).filter((k) => filters[k] || k === pending);
}

/** The filters "+ Filter" still offers (status group only when it came from a link). */
export function addableFilters(filters: Filters, pending?: FilterKey | null): FilterKey[] {
  const shown = new Set(chipKeys(filters, pending));
  return CHIP_FILTERS.map((f) => f.key).filter((k) => !shown.has(k) && k !== 'status_category');
}

/** "Priority: Urgent, High", "Label: all of vip, billing", "Status: Open, Waiting +2". */
export function chipText(key: FilterKey, value: string | undefined, name: (key: FilterKey, value: string) => string = (_k, v) => v): string {
  const meta = CHIP_FILTERS.find((f) => f.key === key);
  const label = meta?.label ?? key;
  const values = meta?.kind === 'text' ? (value ? [value] : []) : listOf(value);
  if (!values.length) return `${label}: any`;
  const names = values.map((v) => name(key, v));
  const shown = names.length > 3 ? `${names.slice(0, 2).join(', ')} +${names.length - 2}` : names.join(', ');
  return `${label}: ${meta?.allOf && values.length > 1 ? 'all of ' : ''}${shown}`;
}
