// A 412 on a ticket edit: re-apply on the new version when nothing the agent changes moved,
// else a conflict that says what someone else changed.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeTicket } from '../test/fixtures';
import {
  changedFields,
  decideOn412,
  describeFieldChanges,
  fieldsOfMacro,
  fieldsOfUpdate,
  targetsOfUpdate,
  TicketConflict,
  withConflictRetry,
} from './conflicts';

const ME = { id: 'u-me', name: 'Me', email: 'me@demo.test' };
const ADA = { id: 'u-ada', name: 'Ada Lovelace', email: 'ada@demo.test' };

describe('the fields a change touches', () => {
  it('maps a PATCH body to ticket fields, custom fields one by one', () => {
    expect(fieldsOfUpdate({ assignee_id: 'u', team_id: null, status: 'open', custom_fields: { order: 1, plan: 'pro' } })).toEqual([
      'assignee',
      'team',
      'status',
      'custom_fields.order',
      'custom_fields.plan',
    ]);
    expect(targetsOfUpdate({ assignee_id: 'u', labels: ['b', 'a'], custom_fields: { plan: null } })).toEqual({
      assignee: 'u',
      labels: ['a', 'b'],
      'custom_fields.plan': null,
    });
  });

  it('maps a macro’s actions to ticket fields', () => {
    expect(
      fieldsOfMacro([
        { type: 'set_status', value: 'waiting' },
        { type: 'add_labels', value: ['refund'] },
        { type: 'remove_labels', value: ['new'] },
        { type: 'assign', value: 'me' },
        { type: 'set_custom_field', value: { key: 'order', value: 1 } },
      ]),
    ).toEqual(['status', 'labels', 'assignee', 'custom_fields.order']);
    expect(fieldsOfMacro([])).toEqual([]);
  });
});

describe('decideOn412', () => {
  it('retries when only other fields moved (the reply’s SLA bookkeeping, another agent’s priority)', () => {
    const seen = makeTicket({ version: 3 });
    const current = makeTicket({ version: 5, priority: 'urgent', updated_at: '2026-11-20T10:00:00Z', sla: { ...seen.sla, first_responded_at: '2026-11-20T10:00:00Z' } });
    expect(decideOn412(seen, current, fieldsOfUpdate({ assignee_id: ME.id }), targetsOfUpdate({ assignee_id: ME.id }))).toEqual({ retry: true });
    expect(decideOn412(seen, current, ['status'])).toEqual({ retry: true });
  });

  it('is a conflict when a field the agent changes moved, with what it is now', () => {
    const seen = makeTicket({ assignee: null });
    const current = makeTicket({ version: 2, assignee: ADA });
    const decision = decideOn412(seen, current, fieldsOfUpdate({ assignee_id: ME.id }), targetsOfUpdate({ assignee_id: ME.id }));
    expect(decision).toEqual({ retry: false, changed: [{ field: 'assignee', label: 'Assignee', before: 'nobody', now: 'Ada Lovelace' }] });
  });

  it('is no conflict when someone else already set the value the agent asks for', () => {
    const seen = makeTicket({ assignee: null });
    const current = makeTicket({ version: 2, assignee: ME });
    expect(decideOn412(seen, current, ['assignee'], targetsOfUpdate({ assignee_id: ME.id }))).toEqual({ retry: true });
  });

  it('compares labels as sets and custom fields by key', () => {
    const seen = makeTicket({ labels: ['a', 'b'], custom_fields: { order: 1, plan: 'pro' } });
    expect(decideOn412(seen, makeTicket({ labels: ['b', 'a'], custom_fields: { order: 1, plan: 'free' } }), ['labels', 'custom_fields.order'])).toEqual({ retry: true });
    const moved = decideOn412(seen, makeTicket({ labels: ['a'], custom_fields: { order: 2 } }), ['labels', 'custom_fields.order']);
    expect(moved.retry).toBe(false);
    expect(!moved.retry && describeFieldChanges(moved.changed)).toEqual(['Labels: a, b → a', 'order: 1 → 2']);
  });

  it('a macro that sets the status conflicts with another agent’s status change only', () => {
    const macro = fieldsOfMacro([{ type: 'set_status', value: 'waiting' }, { type: 'add_labels', value: ['refund'] }]);
    const seen = makeTicket({ status: 'open' });
    expect(decideOn412(seen, makeTicket({ version: 2, priority: 'high' }), macro)).toEqual({ retry: true });
    const decision = decideOn412(seen, makeTicket({ version: 2, status: 'in_progress' }), macro);
    expect(!decision.retry && describeFieldChanges(decision.changed, { open: 'Open', in_progress: 'In progress' })).toEqual(['Status: Open → In progress']);
  });

  it('a macro with no actions (a reply only) always retries', () => {
    expect(decideOn412(makeTicket(), makeTicket({ version: 9, status: 'waiting', assignee: ADA }), fieldsOfMacro([]))).toEqual({ retry: true });
  });

  it('lists every custom field for a macro action without a key', () => {
    const changed = changedFields(makeTicket({ custom_fields: { a: 1 } }), makeTicket({ custom_fields: { a: 1, b: 2 } }), ['custom_fields']);
    expect(changed.map((c) => c.field)).toEqual(['custom_fields.b']);
  });
});

describe('withConflictRetry', () => {
  const stale = Object.assign(new Error('412'), { status: 412 });
  const is412 = (e: unknown) => e === stale;

  it('re-applies once on the current version when nothing the agent changes moved', async () => {
    const seen = makeTicket({ version: 3 });
    const current = makeTicket({ version: 4, priority: 'high' });
    const attempt = vi.fn(async (version: typeof seen) => {
      if (version.version !== 4) throw stale;
      return { ...version, version: 5, assignee: ME };
    });
    const fetchCurrent = vi.fn(async () => current);
    const result = await withConflictRetry({ base: seen, fields: ['assignee'], attempt, fetchCurrent, is412 });
    expect(result.version).toBe(5);
    expect(attempt.mock.calls.map(([v]) => v.version)).toEqual([3, 4]);
    expect(fetchCurrent).toHaveBeenCalledTimes(1);
  });

  it('throws a conflict with the current ticket when the field moved, without re-applying', async () => {
    const seen = makeTicket({ version: 3, status: 'open' });
    const current = makeTicket({ version: 4, status: 'waiting' });
    const attempt = vi.fn(async () => {
      throw stale;
    });
    const error = await withConflictRetry({ base: seen, fields: ['status'], attempt, fetchCurrent: async () => current, is412 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicketConflict);
    expect((error as TicketConflict).current).toBe(current);
    expect((error as TicketConflict).changed).toEqual([{ field: 'status', label: 'Status', before: 'open', now: 'waiting' }]);
    expect((error as TicketConflict).message).toContain('Status: open → waiting');
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('retries only once: a second 412 is a conflict with the latest state', async () => {
    const seen = makeTicket({ version: 3 });
    const later = makeTicket({ version: 4 });
    const latest = makeTicket({ version: 6 });
    const fetchCurrent = vi.fn().mockResolvedValueOnce(later).mockResolvedValueOnce(latest);
    const attempt = vi.fn(async () => {
      throw stale;
    });
    const error = await withConflictRetry({ base: seen, fields: ['status'], attempt, fetchCurrent, is412 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicketConflict);
    expect((error as TicketConflict).current.version).toBe(6);
    expect(attempt).toHaveBeenCalledTimes(2);
  });

  it('passes other errors through untouched', async () => {
    const refused = new Error('422');
    const fetchCurrent = vi.fn();
    await expect(
      withConflictRetry({ base: makeTicket(), fields: ['status'], attempt: async () => Promise.reject(refused), fetchCurrent, is412 }),
    ).rejects.toBe(refused);
    expect(fetchCurrent).not.toHaveBeenCalled();
  });
});

describe('patchTicket and applyMacro against a fake API', () => {
  afterEach(() => vi.unstubAllGlobals());
  type Seen = { method: string; path: string; ifMatch: string | null; body: unknown };
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const stale = () => json({ title: 'Precondition Failed', status: 412, detail: 'The ticket changed.' }, 412);

  /** The server at `server` (a version); a write with an older If-Match gets a 412. */
  function fakeServer(server: ReturnType<typeof makeTicket>) {
    const seen: Seen[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) => {
        const text = await request.text();
        const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
        const ifMatch = request.headers.get('if-match');
        const path = new URL(request.url).pathname;
        seen.push({ method: request.method, path, ifMatch, body });
        if (request.method === 'GET') return json(server);
        if (ifMatch !== `"${server.version}"`) return stale();
        server = { ...server, ...(body as object), version: server.version + 1 };
        if (path.endsWith('/apply')) return json({ macro: { id: 'm1', name: 'Waiting' }, changes: {}, comment: null, ticket: { ...server, status: 'waiting' } });
        return json(server);
      }),
    );
    return seen;
  }

  it('re-sends a stale PATCH once with the current version when its field did not move', async () => {
    const { patchTicket } = await import('./queries');
    const seen = fakeServer(makeTicket({ version: 4, priority: 'high' }));
    const updated = await patchTicket(makeTicket({ version: 3 }), { status: 'waiting' });
    expect(updated).toMatchObject({ status: 'waiting', priority: 'high', version: 5 });
    expect(seen.map((s) => `${s.method} ${s.ifMatch ?? ''}`)).toEqual(['PATCH "3"', 'GET ', 'PATCH "4"']);
  });

  it('does not re-send when someone else changed the same field', async () => {
    const { patchTicket } = await import('./queries');
    const seen = fakeServer(makeTicket({ version: 4, status: 'resolved' }));
    const error = await patchTicket(makeTicket({ version: 3, status: 'open' }), { status: 'waiting' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicketConflict);
    expect((error as TicketConflict).changed.map((c) => `${c.before} → ${c.now}`)).toEqual(['open → resolved']);
    expect(seen.filter((s) => s.method === 'PATCH')).toHaveLength(1);
  });

  it('re-applies a macro whose fields did not move', async () => {
    const { applyMacro } = await import('../features/ticket/macros');
    const seen = fakeServer(makeTicket({ version: 7, labels: ['vip'] }));
    const result = await applyMacro(makeTicket({ version: 6 }), { id: 'm1', actions: [{ type: 'set_status', value: 'waiting' }] }, { body: 'Hi' });
    expect(result.ticket.status).toBe('waiting');
    expect(seen.filter((s) => s.method === 'POST').map((s) => s.ifMatch)).toEqual(['"6"', '"7"']);
  });
});
