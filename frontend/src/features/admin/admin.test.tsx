import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState, type ReactNode } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { ApiError } from '../../api/client';
import { chipText, addableFilters, chipKeys, listOf, withList, type Filters } from '../../lib/filters';
import { makeTicket } from '../../test/fixtures';
import { FilterChips, type Option } from '../queue/FilterBar';
import { TicketTable } from '../queue/TicketTable';
import { placeErrors } from './fieldErrors';
import { weekFromJson, weekToJson, describeWeek } from './hours';
import type { Pickers } from './pickers';
import { ActionsEditor, ConditionsEditor } from './RuleBuilder';
import { conditionProblems, conditionsFromJson, conditionsToJson, describeConditions, jsonText, newAction, newCondition, ruleToBody, withOperator, type ActionRow, type Conditions } from './rules';
import { describeMatch, describeTargets, formatMinutes, gridFromTargets, targetsFromGrid } from './sla';
import { SlaPoliciesPage } from './SlaPoliciesPage';
import { covered, toggleEvent } from './WebhooksPage';

function wrap(children: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return (
    <QueryClientProvider client={client}>
      <MemoryRouter>{children}</MemoryRouter>
    </QueryClientProvider>
  );
}

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' } });
}

const pickers: Pickers = {
  statuses: [
    { value: 'open', label: 'Open' },
    { value: 'waiting', label: 'Waiting' },
  ],
  categories: [{ value: 'open', label: 'Open' }],
  priorities: ['urgent', 'high', 'normal', 'low'].map((p) => ({ value: p, label: p[0]!.toUpperCase() + p.slice(1) })),
  channels: ['chat', 'email'].map((c) => ({ value: c, label: c })),
  types: [{ value: 'question', label: 'Question' }],
  agents: [{ value: 'u-ada', label: 'Ada Lovelace' }],
  teams: [{ value: 't-billing', label: 'Billing' }],
  labels: ['vip', 'billing'],
  templates: ['ticket_opened'],
  nameOf: (_f, v) => jsonText(v),
};

describe('server errors at their fields', () => {
  const problem = new ApiError(422, {
    title: 'Validation failed',
    detail: 'Validation failed',
    errors: [
      { loc: ['body', 'targets', 'urgent', 'resolution_minutes'], msg: 'Input should be less than or equal to 525600' },
      { loc: ['body', 'actions', 1], msg: 'Value error, set_priority takes low, normal, high or urgent' },
      { loc: ['body', 'weekly', 'mon', 0], msg: 'Value error, an interval ends after it starts' },
      { loc: ['body'], msg: 'something about the whole body' },
    ],
  });

  it('puts each message at the deepest field the form shows on its path', () => {
    const placed = placeErrors(problem, ['targets', 'targets.urgent', 'targets.urgent.resolution_minutes', 'actions', 'actions.0', 'actions.1', 'weekly.mon']);
    expect(placed.byPath['targets.urgent.resolution_minutes']).toEqual(['Input should be less than or equal to 525600']);
    expect(placed.byPath['actions.1']).toEqual(['Set_priority takes low, normal, high or urgent']);
    expect(placed.byPath['weekly.mon']).toEqual(['An interval ends after it starts']);
    expect(placed.byPath.targets).toBeUndefined();
    expect(placed.other).toEqual(['Something about the whole body']);
  });

  it('keeps what no field shows, with its path in words', () => {
    const placed = placeErrors(problem, ['actions']);
    expect(placed.byPath.actions).toHaveLength(1);
    expect(placed.other).toContain('targets › urgent › resolution_minutes: Input should be less than or equal to 525600');
  });

  it('shows a failure without field errors (network, 409) as one line', () => {
    expect(placeErrors(new Error('Failed to fetch'), ['name'])).toEqual({ byPath: {}, other: ['Failed to fetch'] });
    expect(placeErrors(new ApiError(409, { title: 'Conflict', detail: 'That name is taken.' }), ['name']).other).toEqual(['That name is taken.']);
    expect(placeErrors(null, ['name'])).toEqual({ byPath: {}, other: [] });
  });

  it('the SLA form shows a 422 next to the target cell it concerns', async () => {
    const bodies: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) => {
        const url = new URL(request.url);
        if (request.method === 'POST' && url.pathname === '/api/v1/sla-policies') {
          bodies.push(await request.json());
          return json(
            {
              type: 'about:blank',
              title: 'Validation failed',
              status: 422,
              detail: 'Validation failed',
              errors: [{ loc: ['body', 'targets', 'urgent', 'resolution_minutes'], msg: 'Input should be less than or equal to 525600' }],
            },
            422,
          );
        }
        if (url.pathname === '/api/v1/email/templates' || url.pathname === '/api/v1/sla-policies' || url.pathname === '/api/v1/business-hours') return json([]);
        if (url.pathname === '/api/v1/labels') return json([]);
        return json([]);
      }),
    );
    try {
      render(wrap(<SlaPoliciesPage />));
      await userEvent.click(await screen.findByRole('button', { name: 'New policy' }));
      const form = screen.getByRole('form', { name: 'New policy' });
      await userEvent.type(within(form).getByLabelText('Name'), 'Too slow');
      const cell = within(form).getByLabelText('Urgent resolution');
      await userEvent.clear(cell);
      await userEvent.type(cell, '10000');
      await userEvent.click(within(form).getByRole('checkbox', { name: 'Urgent' }));
      await userEvent.click(within(form).getByRole('button', { name: 'Create policy' }));
      await waitFor(() => expect(cell).toHaveAttribute('aria-invalid', 'true'));
      expect(cell.closest('td')).toHaveTextContent('Input should be less than or equal to 525600');
      expect(bodies[0]).toMatchObject({ name: 'Too slow', match: { priority: ['urgent'] }, targets: { urgent: { first_response_minutes: 60, resolution_minutes: 600000 } }, business_hours_id: null });
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('SLA target grid', () => {
  it('shows whole hours in hours and the rest in minutes, and sends minutes back', () => {
    const grid = gridFromTargets({ urgent: { first_response_minutes: 30, resolution_minutes: 240 } });
    expect(grid.urgent.first_response).toEqual({ amount: '30', unit: 'minutes' });
    expect(grid.urgent.resolution).toEqual({ amount: '4', unit: 'hours' });
    expect(grid.high.first_response.amount).toBe('');
    grid.high.next_response = { amount: '1.5', unit: 'hours' };
    expect(targetsFromGrid(grid)).toEqual({ urgent: { first_response_minutes: 30, resolution_minutes: 240 }, high: { next_response_minutes: 90 } });
  });
  it('says what a policy does in words', () => {
    expect(formatMinutes(90)).toBe('1 h 30 min');
    expect(formatMinutes(45)).toBe('45 min');
    expect(formatMinutes(4320)).toBe('3 d');
    expect(describeTargets({ urgent: { first_response_minutes: 30, resolution_minutes: 240 } })).toBe('Urgent: first response 30 min, resolution 4 h');
    expect(describeMatch({ priority: ['urgent', 'high'], labels: ['vip'] })).toBe('priority urgent or high, label vip');
    expect(describeMatch({})).toBe('every ticket');
  });
});

describe('weekly hours', () => {
  it('writes a midnight close as 24:00 and leaves closed days out', () => {
    const week = weekFromJson({ mon: [['09:00', '17:00']], sat: [['20:00', '24:00']] });
    expect(week.sat).toEqual([['20:00', '00:00']]);
    expect(weekToJson(week)).toEqual({ mon: [['09:00', '17:00']], sat: [['20:00', '24:00']] });
    expect(describeWeek({ mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']] })).toBe('Mon–Wed 09:00–17:00');
  });
});

function RuleHarness({ initial, onState }: { initial: { conditions: Conditions; actions: ActionRow[] }; onState: (s: { conditions: Conditions; actions: ActionRow[] }) => void }) {
  const [conditions, setConditions] = useState(initial.conditions);
  const [actions, setActions] = useState(initial.actions);
  onState({ conditions, actions });
  return (
    <>
      <ConditionsEditor value={conditions} onChange={setConditions} pickers={pickers} problems={conditionProblems(conditions)} />
      <ActionsEditor value={actions} onChange={setActions} pickers={pickers} errorsAt={() => undefined} />
    </>
  );
}

describe('automation rule builder', () => {
  it('builds conditions and actions from pickers, as the API takes them', async () => {
    let state: { conditions: Conditions; actions: ActionRow[] } = { conditions: { all: [], any: [] }, actions: [] };
    render(<RuleHarness initial={{ conditions: { all: [newCondition()], any: [] }, actions: [newAction('add_labels')] }} onState={(s) => (state = s)} />);
    // all of: priority is any of urgent, high
    await userEvent.selectOptions(screen.getByLabelText('All condition 1 field'), 'priority');
    await userEvent.selectOptions(screen.getByLabelText('All condition 1 operator'), 'in');
    const values = screen.getByRole('group', { name: 'All condition 1 value' });
    // the value picked under "is" (urgent) carries over to "is any of"
    expect(within(values).getByRole('checkbox', { name: 'Urgent' })).toBeChecked();
    await userEvent.click(within(values).getByRole('checkbox', { name: 'High' }));
    // any of: subject contains refund, or a nested group
    const conditions = screen.getByRole('group', { name: 'Conditions' });
    await userEvent.click(within(conditions).getAllByRole('button', { name: '+ Condition' })[1]!);
    await userEvent.type(screen.getByLabelText('Any condition 1 value'), 'refund');
    // actions: add the label vip, then assign round robin
    await userEvent.type(screen.getByLabelText('Action 1 value'), 'VIP{Enter}');
    await userEvent.click(screen.getByRole('button', { name: '+ Action' }));
    await userEvent.selectOptions(screen.getByLabelText('Action 2 type'), 'assign');
    expect(screen.getByLabelText('Action 2 value')).toHaveValue('round_robin');
    await userEvent.selectOptions(screen.getByLabelText('Action 2 value'), 'u-ada');

    expect(conditionsToJson(state.conditions)).toEqual({
      all: [{ field: 'priority', op: 'in', value: ['urgent', 'high'] }],
      any: [{ field: 'subject', op: 'contains', value: 'refund' }],
    });
    expect(ruleToBody({ name: ' Route VIPs ', trigger: 'ticket.created', active: true, ...state }).actions).toEqual([
      { type: 'add_labels', value: ['vip'] },
      { type: 'assign', value: 'u-ada' },
    ]);
  });

  it('marks an incomplete condition before anything is sent', async () => {
    render(<RuleHarness initial={{ conditions: { all: [newCondition('subject')], any: [] }, actions: [newAction()] }} onState={() => {}} />);
    expect(screen.getByText('Give a value.')).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('All condition 1 value'), 'x');
    expect(screen.queryByText('Give a value.')).not.toBeInTheDocument();
  });

  it('reads nested groups back and keeps values that fit a new operator', () => {
    const read = conditionsFromJson({
      all: [{ field: 'hours_in_status', op: 'gte', value: 72 }, { any: [{ field: 'labels', op: 'contains', value: 'vip' }], all: [] }],
      any: [],
    });
    expect(conditionsToJson(read)).toEqual({
      all: [{ field: 'hours_in_status', op: 'gte', value: 72 }, { all: [], any: [{ field: 'labels', op: 'contains', value: 'vip' }] }],
      any: [],
    });
    const row = { ...newCondition('priority'), value: 'urgent' };
    expect(withOperator(row, 'in').value).toEqual(['urgent']);
    expect(withOperator({ ...row, op: 'in', value: ['high', 'low'] }, 'is').value).toBe('high');
    expect(withOperator(row, 'is_empty').value).toBeNull();
    expect(describeConditions(read)).toBe('hours in current status is at least 72 and (any of (labels include vip))');
  });
});

describe('filter chips', () => {
  const options = (key: string): Option[] =>
    key === 'priority'
      ? [
          { value: 'urgent', label: 'Urgent' },
          { value: 'high', label: 'High' },
        ]
      : key === 'assignee'
        ? [
            { value: 'me', label: 'Me' },
            { value: 'none', label: 'Unassigned' },
          ]
        : [];

  it('say what they filter in words, and offer only what is not set yet', () => {
    expect(chipText('priority', 'urgent,high', (_k, v) => v.toUpperCase())).toBe('Priority: URGENT, HIGH');
    expect(chipText('label', 'vip,billing')).toBe('Label: all of vip, billing');
    expect(chipText('status', 'open,waiting,new,hold')).toBe('Status: open, waiting +2');
    expect(chipKeys({ priority: 'urgent', q: 'x', sort: 'due' }, 'team')).toEqual(['priority', 'team']);
    expect(addableFilters({ priority: 'urgent' })).not.toContain('priority');
    expect(addableFilters({})).toEqual(['status', 'priority', 'assignee', 'team', 'label', 'channel', 'sla', 'type', 'category', 'watching', 'requester', 'organization']);
    expect(withList({ q: 'x' }, 'status', ['open', 'waiting'])).toEqual({ q: 'x', status: 'open,waiting' });
    expect(withList({ status: 'open' }, 'status', [])).toEqual({});
    expect(listOf(' a, ,b ')).toEqual(['a', 'b']);
  });

  function Chips({ initial, seen }: { initial: Filters; seen: (f: Filters) => void }) {
    const [filters, setFilters] = useState<Filters>(initial);
    return (
      <FilterChips
        filters={filters}
        options={options}
        onChange={(f) => {
          seen(f);
          setFilters(f);
        }}
      />
    );
  }

  it('"+ Filter" adds a chip, its editor sets values, × removes it', async () => {
    const seen: Filters[] = [];
    render(<Chips initial={{ assignee: 'me' }} seen={(f) => seen.push(f)} />);
    expect(screen.getByRole('button', { name: 'Assignee: Me' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: '+ Filter' }));
    await userEvent.click(screen.getByRole('menuitem', { name: 'Priority' }));
    const editor = screen.getByRole('dialog', { name: 'Priority filter' });
    await userEvent.click(within(editor).getByRole('checkbox', { name: 'Urgent' }));
    await userEvent.click(within(editor).getByRole('checkbox', { name: 'High' }));
    expect(seen.at(-1)).toEqual({ assignee: 'me', priority: 'urgent,high' });
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Priority: Urgent, High' })).toHaveFocus();
    await userEvent.click(screen.getByRole('button', { name: 'Remove Assignee filter' }));
    expect(seen.at(-1)).toEqual({ priority: 'urgent,high' });
    expect(screen.queryByRole('button', { name: /Assignee/ })).not.toBeInTheDocument();
  });

  it('a chip added and closed without a value goes away', async () => {
    render(<Chips initial={{}} seen={() => {}} />);
    await userEvent.click(screen.getByRole('button', { name: '+ Filter' }));
    await userEvent.click(screen.getByRole('menuitem', { name: 'Priority' }));
    expect(screen.getByRole('button', { name: 'Priority: any' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('button', { name: 'Priority: any' })).not.toBeInTheDocument();
  });
});

describe('webhook events', () => {
  it('a family wildcard replaces the events it covers; * replaces everything', () => {
    expect(toggleEvent(['ticket.created', 'conversation.created'], 'ticket.*', true)).toEqual(['conversation.created', 'ticket.*']);
    expect(toggleEvent(['ticket.*'], '*', true)).toEqual(['*']);
    expect(toggleEvent(['ticket.created', 'ticket.merged'], 'ticket.created', false)).toEqual(['ticket.merged']);
    expect(covered(['ticket.*'], 'ticket.merged')).toBe(true);
    expect(covered(['ticket.*'], 'conversation.created')).toBe(false);
  });
});

describe('finished tickets in the queue', () => {
  it('are muted and never flagged urgent', () => {
    const tickets = [
      makeTicket({ key: 'TKT-1', priority: 'urgent', status: 'resolved', status_category: 'solved' }),
      makeTicket({ id: '2', key: 'TKT-2', priority: 'urgent' }),
    ];
    const noop = () => {};
    const { container } = render(
      wrap(
        <TicketTable
          tickets={tickets}
          loading={false}
          statusLabels={{}}
          selected={new Set()}
          allSelected={false}
          onToggle={noop}
          onToggleAll={noop}
          cursorIndex={-1}
          onCursor={noop}
          hasMore={false}
          loadingMore={false}
          loadMore={noop}
          filtered={false}
          onClearFilters={noop}
          selectable
        />,
      ),
    );
    const done = container.querySelector('tr[data-key="TKT-1"]')!;
    expect(done).toHaveClass('finished');
    expect(done).not.toHaveClass('urgent');
    expect(container.querySelector('tr[data-key="TKT-2"]')).toHaveClass('urgent');
  });
});

describe('save-view dialog', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('names the current filters, pins them, and shows a refused name at the name field', async () => {
    const bodies: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) => {
        if (request.method === 'POST') {
          const body = (await request.json()) as { name: string };
          bodies.push(body);
          if (body.name === 'bad') {
            return json({ type: 'about:blank', title: 'Validation failed', status: 422, detail: 'Validation failed', errors: [{ loc: ['body', 'name'], msg: 'String should match pattern' }] }, 422);
          }
          return json({ id: 'v1', name: body.name, pinned: true, shared: false, filters: {}, sort: '-updated_at', position: 1, mine: true, owner: { id: 'u', name: 'Me' } }, 201);
        }
        return json([]);
      }),
    );
    const { SaveViewDialog } = await import('../queue/SaveViewDialog');
    const saved = vi.fn();
    render(wrap(<SaveViewDialog filters={{ priority: 'urgent', status: 'open' }} suggested="urgent · Open" name={(_k, v) => v} onClose={() => {}} onSaved={saved} />));
    const dialog = screen.getByRole('dialog', { name: 'Save this view' });
    expect(within(dialog).getByText('Priority: urgent')).toBeInTheDocument();
    const name = within(dialog).getByLabelText('View name');
    expect(name).toHaveValue('urgent · Open');
    await userEvent.clear(name);
    await userEvent.type(name, 'bad');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save view' }));
    await waitFor(() => expect(name).toHaveAttribute('aria-invalid', 'true'));
    expect(within(dialog).getByText('String should match pattern')).toBeInTheDocument();
    await userEvent.clear(name);
    await userEvent.type(name, 'Urgent open');
    await userEvent.click(within(dialog).getByRole('checkbox', { name: 'Share with everyone in the workspace' }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save view' }));
    await waitFor(() => expect(saved).toHaveBeenCalled());
    expect(bodies[1]).toEqual({ name: 'Urgent open', filters: { status: 'open', priority: 'urgent' }, sort: '-updated_at', shared: true, pinned: true });
  });
});
