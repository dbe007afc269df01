import type { Activity, Ticket, User } from '../api/client';
import { describeActivity } from '../features/ticket/HistoryTab';
import { priorityTone, statusTone } from '../components/ui';
import { ticketOfEvent } from '../live/live';
import { exportUrl } from '../api/export';
import { viewSearch, viewBody } from '../api/views';
import { filtersToQuery, filtersToSearch, parseFilters, toggleListValue } from './filters';
import { countdown, nextDue } from './format';
import { insertMention, mentionCandidates, mentionQuery } from './mentions';
import { makeTicket } from '../test/fixtures';

describe('filters in the URL', () => {
  it('round-trips through the search string and drops the default sort', () => {
    const filters = parseFilters(new URLSearchParams('status=open,waiting&assignee=me&sort=-updated_at&bogus=1&q=%20refund%20'));
    expect(filters).toEqual({ status: 'open,waiting', assignee: 'me', sort: '-updated_at', q: 'refund' });
    expect(filtersToSearch(filters)).toBe('?status=open%2Cwaiting&assignee=me&q=refund');
    expect(parseFilters(new URLSearchParams(filtersToSearch(filters)))).toEqual({ status: 'open,waiting', assignee: 'me', q: 'refund' });
  });

  it('maps to the API query with a sort', () => {
    expect(filtersToQuery({ sla: 'overdue', label: 'vip' })).toEqual({ sort: '-updated_at', sla: 'overdue', label: 'vip' });
  });

  it('keeps the watch-list filter of the sidebar', () => {
    const filters = parseFilters(new URLSearchParams('watching=me&status=open'));
    expect(filters).toEqual({ watching: 'me', status: 'open' });
    expect(filtersToQuery(filters)).toEqual({ sort: '-updated_at', watching: 'me', status: 'open' });
  });

  it('toggles values in a comma list', () => {
    expect(toggleListValue(undefined, 'open')).toBe('open');
    expect(toggleListValue('open', 'waiting')).toBe('open,waiting');
    expect(toggleListValue('open,waiting', 'open')).toBe('waiting');
    expect(toggleListValue('open', 'open')).toBeUndefined();
  });
});

describe('colours support teams expect', () => {
  it('colours priorities', () => {
    expect(['urgent', 'high', 'normal', 'low'].map(priorityTone)).toEqual(['red', 'orange', 'teal', 'slate']);
  });
  it('colours statuses, custom ones by category', () => {
    expect(['open', 'in_progress', 'waiting', 'resolved', 'closed'].map((s) => statusTone(s))).toEqual(['blue', 'amber', 'purple', 'green', 'grey']);
    expect(statusTone('on_hold', 'pending')).toBe('purple');
  });
});

describe('SLA countdown', () => {
  const now = Date.parse('2026-11-21T09:00:00Z');
  it('counts down and marks overdue', () => {
    expect(countdown('2026-11-21T11:05:00Z', now)).toEqual({ text: 'in 2h 5m', overdue: false });
    expect(countdown('2026-11-21T08:30:00Z', now)).toEqual({ text: '30m overdue', overdue: true });
    expect(countdown('2026-11-23T12:00:00Z', now).text).toBe('in 2d 3h');
  });
  it('races first response until answered, then resolution; nothing once solved', () => {
    const sla = { first_response_due_at: 'A', resolution_due_at: 'B', first_responded_at: null, next_response_due_at: null, state: 'ok' as const };
    expect(nextDue(makeTicket({ sla }))).toBe('A');
    expect(nextDue(makeTicket({ sla: { ...sla, first_responded_at: 'x' } }))).toBe('B');
    expect(nextDue(makeTicket({ sla, status_category: 'solved' }))).toBeNull();
  });
});

describe('CSV export', () => {
  it('asks the server for every matching ticket with the current filters, without paging', () => {
    expect(exportUrl({ status: 'open', priority: 'urgent', limit: 50, cursor: 'abc' }, 'http://x')).toBe(
      'http://x/api/v1/tickets/export.csv?status=open&priority=urgent',
    );
    expect(exportUrl({}, 'http://x')).toBe('http://x/api/v1/tickets/export.csv');
  });
});

describe('saved views', () => {
  it('stores the filters and sort, and rebuilds the queue URL from them', () => {
    const body = viewBody('Urgent open', { status: 'open', priority: 'urgent', sort: 'created_at' });
    expect(body).toEqual({ name: 'Urgent open', filters: { status: 'open', priority: 'urgent' }, sort: 'created_at' });
    expect(viewSearch({ filters: { status: 'open', priority: 'urgent' }, sort: 'created_at' })).toBe('?status=open&priority=urgent&sort=created_at');
    expect(viewSearch({ filters: {}, sort: '-updated_at' })).toBe('');
    // filters the queue does not know are dropped, not sent to the list endpoint
    expect(viewSearch({ filters: { requester: 'x@y' }, sort: '-updated_at' })).toBe('');
  });
});

describe('mentions', () => {
  const users = [
    { id: '1', name: 'Ada Lovelace', email: 'ada@demo.test', active: true },
    { id: '2', name: 'Grace Hopper', email: 'grace@demo.test', active: true },
    { id: '3', name: 'Gone Adams', email: 'gone@demo.test', active: false },
  ] as User[];
  it('finds the query before the caret, not inside emails', () => {
    expect(mentionQuery('hi @ad', 6)).toEqual({ start: 3, query: 'ad' });
    expect(mentionQuery('mail me@x', 9)).toBeNull();
  });
  it('suggests active users by name or email and inserts the email', () => {
    expect(mentionCandidates(users, 'ad').map((u) => u.id)).toEqual(['1']);
    const at = mentionQuery('ping @gr', 8)!;
    expect(insertMention('ping @gr', at, users[1]!)).toEqual({ text: 'ping @grace@demo.test ', caret: 22 });
  });
});

describe('history and live events', () => {
  const event = (type: string, data: Record<string, unknown>) => ({ id: 1, type, data, actor: { kind: 'user', id: null, name: 'Ada' }, created_at: '' }) as Activity;
  it('describes changes in words', () => {
    expect(describeActivity(event('ticket.status_changed', { from: 'open', to: 'resolved' }))).toBe('changed status from open to resolved');
    expect(describeActivity(event('ticket.status_changed', { from: 'open', to: 'in_progress' }), { in_progress: 'In progress' })).toBe('changed status from open to In progress');
    expect(describeActivity(event('ticket.assigned', { from: null, to: { name: 'Grace' } }))).toBe('assigned it to Grace');
    expect(describeActivity(event('ticket.comment_added', { visibility: 'internal' }))).toBe('added an internal note');
  });
  it('finds the ticket a pushed event is about', () => {
    expect(ticketOfEvent({ ticket: 'TKT-4' })).toBe('TKT-4');
    expect(ticketOfEvent({ ticket: { key: 'TKT-5' } as Partial<Ticket> })).toBe('TKT-5');
    expect(ticketOfEvent(null)).toBeNull();
  });
});

describe('notifications', () => {
  it('says what happened, on which ticket, by whom', async () => {
    const { describeNotification } = await import('../components/NotificationBell');
    expect(describeNotification({ kind: 'mention', ticket: 'TKT-4', data: { by: 'Ada' } })).toBe('Ada mentioned you on TKT-4');
    expect(describeNotification({ kind: 'watched_change', ticket: 'TKT-5', data: { by: 'Ada', fields: ['status'], subject: 'VPN' } })).toBe(
      'Ada changed TKT-5 (status) · VPN',
    );
    expect(describeNotification({ kind: 'assigned', ticket: 'TKT-4', data: {} })).toBe('TKT-4 was assigned to you');
    expect(describeNotification({ kind: 'sla_warning', ticket: 'TKT-9', data: {} })).toMatch(/TKT-9 is about to breach/);
    expect(describeNotification({ kind: 'something_new', ticket: null, data: {} })).toBe('something new');
  });
});
