import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { ApiError, setToken, type Status } from '../api/client';
import { cfChipText, clearedHidden, conditionHolds, encodeCfFilter, isCfParam, parseCfFilters, visibleFields, type FieldDef } from '../lib/customFields';
import { filtersToQuery, filtersToSearch, parseFilters } from '../lib/filters';
import { decisionBlocked, describeChanges, type Approval } from './ApprovalItem';
import { bodyOf, draftOf } from './admin/FieldsPage';
import { ANY, effectiveCell, gridFromTransitions, isUnrestricted, reachable, setCellRoles, toggleCell, transitionsFromGrid, type Grid } from './admin/lifecycle';
import { TransitionGrid } from './admin/TicketTypesPage';
import { ticketErrors } from './ticket/PropertiesPanel';
import { menuStatuses } from './ticket/StatusMenu';
import { CustomFields } from './ticket/CustomFields';
import { makeTicket } from '../test/fixtures';
import { renderSignedIn } from '../test/render';

function field(overrides: Partial<FieldDef> & Pick<FieldDef, 'key'>): FieldDef {
  return {
    id: `id-${overrides.key}`,
    label: overrides.key,
    kind: 'text',
    description: null,
    options: [],
    required: false,
    validation: {},
    ticket_types: null,
    visible_when: null,
    autofill: null,
    filterable: true,
    position: 0,
    archived: false,
    archived_at: null,
    created_at: '2026-12-01T00:00:00Z',
    updated_at: '2026-12-01T00:00:00Z',
    ...overrides,
  };
}

// generous: these click through whole forms, slow on a loaded machine
describe('the transition grid model', { timeout: 20_000 }, () => {
  const statuses = ['open', 'in_progress', 'resolved'];

  it('opens every move between different statuses when the type is unrestricted', () => {
    const grid = gridFromTransitions(statuses, null);
    expect(Object.keys(grid.open!)).toEqual(['in_progress', 'resolved']);
    expect(grid.open!.open).toBeUndefined();
    expect(isUnrestricted(statuses, grid)).toBe(true);
  });

  it('keeps * rules in their own row, with roles, ignoring statuses the type does not use', () => {
    const grid = gridFromTransitions(statuses, [
      { from: '*', to: ['resolved'], roles: ['admin'] },
      { from: 'open', to: ['in_progress', 'closed'], roles: null },
    ]);
    expect(grid[ANY]).toEqual({ resolved: { roles: ['admin'] } });
    expect(grid.open).toEqual({ in_progress: { roles: null } });
    expect(grid.in_progress).toEqual({});
    // as the server sees it: the wildcard reaches every other status
    expect(effectiveCell(grid, 'in_progress', 'resolved')).toEqual({ roles: ['admin'], viaAny: true });
    expect(effectiveCell(grid, 'resolved', 'resolved')).toBeNull();
    expect(reachable(grid, 'open').sort()).toEqual(['in_progress', 'resolved']);
  });

  it('saves the "any status" row as one wildcard rule, not a rule per status', () => {
    let grid: Grid = gridFromTransitions(statuses, []);
    grid = toggleCell(grid, ANY, 'resolved');
    grid = toggleCell(grid, 'open', 'in_progress');
    // a move the wildcard already allows (to anyone) is not repeated per status
    grid = toggleCell(grid, 'in_progress', 'resolved');
    expect(transitionsFromGrid(statuses, grid)).toEqual([
      { from: '*', to: ['resolved'] },
      { from: 'open', to: ['in_progress'] },
    ]);
    // a wildcard for admins only: a per-status move open to anyone is wider, so it stays
    grid = setCellRoles(grid, ANY, 'resolved', ['admin']);
    expect(transitionsFromGrid(statuses, grid)).toEqual([
      { from: '*', to: ['resolved'], roles: ['admin'] },
      { from: 'open', to: ['in_progress'] },
      { from: 'in_progress', to: ['resolved'] },
    ]);
    expect(gridFromTransitions(statuses, transitionsFromGrid(statuses, grid))).toEqual(grid);
    expect(isUnrestricted(statuses, grid)).toBe(false);
  });

  it('treats both roles as anyone and widens a move named twice', () => {
    const grid = gridFromTransitions(statuses, [
      { from: 'open', to: ['resolved'], roles: ['agent', 'admin'] },
      { from: 'in_progress', to: ['resolved'], roles: ['agent'] },
      { from: 'in_progress', to: ['resolved'], roles: ['admin'] },
    ]);
    expect(grid.open!.resolved).toEqual({ roles: null });
    expect(grid.in_progress!.resolved).toEqual({ roles: null });
  });

  it('groups the cells of a row by role set for the API, and round-trips', () => {
    let grid: Grid = gridFromTransitions(statuses, []);
    grid = toggleCell(grid, 'open', 'in_progress');
    grid = toggleCell(grid, 'open', 'resolved');
    grid = setCellRoles(grid, 'open', 'resolved', ['admin']);
    grid = toggleCell(grid, 'in_progress', 'resolved');
    const transitions = transitionsFromGrid(statuses, grid);
    expect(transitions).toEqual([
      { from: 'open', to: ['in_progress'] },
      { from: 'open', to: ['resolved'], roles: ['admin'] },
      { from: 'in_progress', to: ['resolved'] },
    ]);
    expect(gridFromTransitions(statuses, transitions)).toEqual(grid);
    expect(transitionsFromGrid(statuses, toggleCell(grid, 'open', 'in_progress'))[0]).toEqual({ from: 'open', to: ['resolved'], roles: ['admin'] });
  });

  it('is edited by checkbox and role picker in the grid', async () => {
    function Harness() {
      const [grid, setGrid] = useState<Grid>(gridFromTransitions(statuses, []));
      return (
        <>
          <TransitionGrid statuses={statuses} labels={{ open: 'Open', in_progress: 'In progress', resolved: 'Resolved' }} grid={grid} onChange={setGrid} />
          <output data-testid="out">{JSON.stringify(transitionsFromGrid(statuses, grid))}</output>
        </>
      );
    }
    render(<Harness />);
    await userEvent.click(screen.getByRole('checkbox', { name: 'Open to Resolved' }));
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Who may move Open to Resolved' }), 'Admins');
    expect(JSON.parse(screen.getByTestId('out').textContent)).toEqual([{ from: 'open', to: ['resolved'], roles: ['admin'] }]);
    // "from any status" to Resolved: every row shows the move as given by the wildcard
    await userEvent.click(screen.getByRole('checkbox', { name: 'Any status to Resolved' }));
    expect(screen.getByRole('checkbox', { name: 'In progress to Resolved (from any status)' })).toBeChecked();
    expect(screen.getByRole('checkbox', { name: 'In progress to Resolved (from any status)' })).toBeDisabled();
    // Open to Resolved is narrower (admins) than the wildcard (anyone): shown as the wildcard's, saved once
    expect(screen.getByRole('checkbox', { name: 'Open to Resolved (from any status)' })).toBeChecked();
    expect(JSON.parse(screen.getByTestId('out').textContent)).toEqual([{ from: '*', to: ['resolved'] }]);
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Who may move any status to Resolved' }), 'Agents');
    expect(JSON.parse(screen.getByTestId('out').textContent)).toEqual([{ from: '*', to: ['resolved'], roles: ['agent'] }, { from: 'open', to: ['resolved'], roles: ['admin'] }]);
  });
});

describe('field visibility rules', () => {
  const category = field({ key: 'reason', kind: 'dropdown', options: [{ value: 'damaged', label: 'Damaged' }, { value: 'lost', label: 'Lost' }], position: 1 });
  const refund = field({ key: 'refund_amount', kind: 'decimal', visible_when: { field: 'reason', op: 'is', value: 'damaged' }, position: 2 });
  const photo = field({ key: 'photo_url', kind: 'url', visible_when: { field: 'refund_amount', op: 'is_not', value: null }, position: 3 });
  const returnsOnly = field({ key: 'rma', ticket_types: ['return'], position: 0 });
  const all = [photo, refund, category, returnsOnly];

  it('evaluates is, is_not and in on built-in properties and other fields', () => {
    expect(conditionHolds({ field: 'category', op: 'is', value: 'billing' }, { category: 'billing' }, {})).toBe(true);
    expect(conditionHolds({ field: 'category', op: 'is_not', value: 'billing' }, { category: 'billing' }, {})).toBe(false);
    expect(conditionHolds({ field: 'priority', op: 'in', value: ['high', 'urgent'] }, { priority: 'urgent' }, {})).toBe(true);
    expect(conditionHolds({ field: 'tags', op: 'is', value: 'b' }, {}, { tags: ['a', 'b'] })).toBe(true);
    expect(conditionHolds({ field: 'amount', op: 'is', value: 10 }, {}, { amount: '10' })).toBe(true);
    expect(conditionHolds({ field: 'x', op: 'is', value: null }, {}, {})).toBe(true);
  });

  it('shows fields by type scope and condition, in position order, a chain hiding together', () => {
    expect(visibleFields(all, { type: 'question' }, {}).map((f) => f.key)).toEqual(['reason']);
    expect(visibleFields(all, { type: 'return' }, { reason: 'damaged' }).map((f) => f.key)).toEqual(['rma', 'reason', 'refund_amount']);
    expect(visibleFields(all, { type: 'return' }, { reason: 'damaged', refund_amount: '5.00' }).map((f) => f.key)).toEqual(['rma', 'reason', 'refund_amount', 'photo_url']);
    // the parent hides, so does the child, even though its own condition still holds
    expect(visibleFields(all, { type: 'return' }, { reason: 'lost', refund_amount: '5.00' }).map((f) => f.key)).toEqual(['rma', 'reason']);
  });

  it('shows archived fields only while they hold a value, and clears what a change hides', () => {
    const old = field({ key: 'legacy', archived: true });
    expect(visibleFields([old], {}, {}).length).toBe(0);
    expect(visibleFields([old], {}, { legacy: 'x' }).length).toBe(1);
    expect(clearedHidden(all, { type: 'return' }, { reason: 'lost', refund_amount: '5.00', photo_url: 'https://x' })).toEqual({ refund_amount: null, photo_url: null });
  });

  it('builds a field body by kind: decimals stay strings, unused rules are left out', () => {
    const d = { ...draftOf(null), key: 'refund_amount', label: 'Refund amount', kind: 'decimal' as const, min: '0', max: '500.50', pattern: 'x', options: [{ value: 'a', label: '' }] };
    const body = bodyOf(d);
    expect(body.validation).toEqual({ min: '0', max: '500.50' });
    expect(body.options).toEqual([]);
    expect(bodyOf({ ...d, kind: 'multi_select', min: '1', max: '' }).validation).toEqual({ min: 1, max: null });
    expect(bodyOf({ ...d, kind: 'dropdown' }).options).toEqual([{ value: 'a', label: 'a' }]);
    expect(bodyOf({ ...d, condField: 'category', condOp: 'in', condValues: ['damaged', 'lost'] }).visible_when).toEqual({ field: 'category', op: 'in', value: ['damaged', 'lost'] });
    expect(bodyOf({ ...d, allTypes: false, types: ['return'] }).ticket_types).toEqual(['return']);
    expect(draftOf(field({ key: 'k', visible_when: { field: 'category', op: 'is', value: 'x' } })).condValues).toEqual(['x']);
  });
});

describe('custom-field filter chips', () => {
  it('reads cf parameters, one filter per field, and writes them back', () => {
    const params = new URLSearchParams('cf.reason=damaged,lost&cf.amount.gte=10&cf.amount.lte=200.5&cf.order.set=false&cf.Bad=1&cf.x.nope=1');
    const filters = parseCfFilters(params);
    expect(filters).toEqual([
      { key: 'reason', values: ['damaged', 'lost'] },
      { key: 'amount', values: [], gte: '10', lte: '200.5' },
      { key: 'order', values: [], set: false },
    ]);
    expect(filters.map(encodeCfFilter)).toEqual([{ 'cf.reason': 'damaged,lost' }, { 'cf.amount.gte': '10', 'cf.amount.lte': '200.5' }, { 'cf.order.set': 'false' }]);
    expect(isCfParam('cf.amount.gte')).toBe(true);
    expect(isCfParam('cf.amount.between')).toBe(false);
  });

  it('says what a chip filters on', () => {
    const reason = field({ key: 'reason', label: 'Reason', kind: 'dropdown', options: [{ value: 'damaged', label: 'Damaged' }] });
    expect(cfChipText({ key: 'reason', values: ['damaged', 'other'] }, reason)).toBe('Reason: Damaged, other');
    expect(cfChipText({ key: 'amount', values: [], gte: '10', lte: '20' })).toBe('amount: 10–20');
    expect(cfChipText({ key: 'amount', values: [], lte: '20' })).toBe('amount: ≤ 20');
    expect(cfChipText({ key: 'order', values: [], set: true })).toBe('order: set');
    expect(cfChipText({ key: 'ok', values: ['true'] }, field({ key: 'ok', label: 'OK', kind: 'checkbox' }))).toBe('OK: Yes');
  });

  it('keeps cf filters in the URL and the list query', () => {
    const filters = parseFilters(new URLSearchParams('status=open&cf.reason=damaged&cf.amount.gte=10'));
    expect(filters).toEqual({ status: 'open', 'cf.reason': 'damaged', 'cf.amount.gte': '10' });
    expect(filtersToSearch(filters)).toBe('?status=open&cf.reason=damaged&cf.amount.gte=10');
    expect(filtersToQuery(filters)).toMatchObject({ status: 'open', 'cf.reason': 'damaged', 'cf.amount.gte': '10' });
  });
});

describe('the ticket page', () => {
  const statuses: Status[] = ['open', 'in_progress', 'resolved'].map((name, i) => ({ id: String(i), name, label: name, category: 'open', position: i, waits_on_customer: false }));

  it('offers only the statuses the lifecycle allows this caller', () => {
    const option = { status: 'in_progress', label: 'In progress', category: 'open' as const, required_fields: [], missing_fields: [], needs_approval: true, approver_roles: ['admin'] };
    expect(menuStatuses('open', statuses, [option]).map((o) => o.status.name)).toEqual(['open', 'in_progress']);
    expect(menuStatuses('open', statuses, undefined).length).toBe(3);
  });

  it('places 422s by loc and a 409 or 403 at the control that changed', () => {
    const missing = new ApiError(422, { detail: 'x', errors: [{ loc: ['body', 'custom_fields', 'resolution_note'], msg: "'Resolution note' must be filled in" }, { loc: ['body', 'assignee_id'], msg: 'needs an assignee' }] });
    expect(ticketErrors(missing, 'status', ['resolution_note'])).toEqual({ 'custom_fields.resolution_note': ["'Resolution note' must be filled in"], assignee: ['Needs an assignee'] });
    const refused = new ApiError(409, { title: 'Transition not allowed', detail: 'open cannot move to closed; allowed: in_progress' });
    expect(ticketErrors(refused, 'status', [])).toEqual({ status: ['open cannot move to closed; allowed: in_progress'] });
    expect(ticketErrors(new ApiError(403, { detail: 'Only admins may' }), 'custom_fields.x', [])).toEqual({ 'custom_fields.x': ['Only admins may'] });
  });
});

// generous: these click through whole forms, slow on a loaded machine
describe('approvals', { timeout: 20_000 }, () => {
  it('puts a held-back change in words', () => {
    expect(describeChanges({ status: 'resolved', custom_fields: { refund_amount: '250.00', note: null }, assignee_id: 'u1' }, (f: string, v: unknown) => (f === 'assignee_id' ? 'Ada' : String(v)))).toBe(
      'status → resolved, refund_amount → 250.00, note → cleared, assignee → Ada',
    );
  });

  function approvalOf(id: string, ticket: string) {
    return {
      id,
      state: 'pending',
      ticket,
      ticket_id: `t-${id}`,
      requested_by: { kind: 'user', id: 'u2', name: 'Bo' },
      changes: { status: 'resolved' },
      approver_roles: ['admin'],
      rule: {},
      decided_by: null,
      comment: null,
      decided_at: null,
      created_at: new Date().toISOString(),
    };
  }

  /** A fake API: the approvals list, and per approval id the answer its decisions get. */
  function serve(items: unknown[], answers: Record<string, { status: number; body: unknown }>) {
    const calls: { url: string; body: string }[] = [];
    vi.stubGlobal('fetch', (request: Request) => {
      const url = new URL(request.url);
      return request.text().then((body) => {
        calls.push({ url: `${request.method} ${url.pathname}${url.search}`, body });
        if (url.pathname === '/api/v1/me') return new Response(JSON.stringify(approver), { headers: { 'content-type': 'application/json' } });
        const id = /\/approvals\/([^/]+)\//.exec(url.pathname)?.[1];
        const answer = id ? (answers[id] ?? { status: 200, body: { state: 'approved' } }) : { status: 200, body: url.pathname.endsWith('/approvals') ? { items, next_cursor: null } : [] };
        return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': answer.status >= 400 ? 'application/problem+json' : 'application/json' } });
      });
    });
    return calls;
  }

  // the signed-in approver: an admin who asked for none of these changes
  const approver = { kind: 'user', role: 'admin', scopes: [], api_token: null, user: { id: 'u-admin', name: 'Grace' }, workspace: { id: 'w', name: 'Demo' } };

  afterEach(() => {
    vi.unstubAllGlobals();
    setToken(null);
  });

  it('offers no decision to a role the gate does not name', async () => {
    serve([{ ...approvalOf('a3', 'TKT-3'), approver_roles: ['agent'] }], {});
    const { ApprovalsPage } = await import('./ApprovalsPage');
    renderSignedIn(<ApprovalsPage />);
    const item = await screen.findByRole('listitem', { name: /TKT-3/ }, { timeout: 5000 });
    expect(within(item).getByText('Waiting for agent to decide.')).toBeInTheDocument();
    expect(within(item).queryByRole('button', { name: 'Approve' })).toBeNull();
  });

  it('approves in one click or with a comment, and rejects only with a comment', async () => {
    const calls = serve([approvalOf('a1', 'TKT-1'), approvalOf('a2', 'TKT-2')], {});
    const { ApprovalsPage } = await import('./ApprovalsPage');
    renderSignedIn(<ApprovalsPage />);
    const first = await screen.findByRole('listitem', { name: /TKT-1/ }, { timeout: 5000 });
    await userEvent.click(within(first).getByRole('button', { name: 'Reject or comment…' }));
    // no reason: refused here, nothing sent
    await userEvent.click(within(first).getByRole('button', { name: 'Reject' }));
    expect(within(first).getByRole('alert')).toHaveTextContent('Say why you reject it');
    expect(within(first).getByPlaceholderText(/Why/)).toHaveAttribute('aria-invalid', 'true');
    expect(within(first).getByRole('button', { name: 'Approve with comment' })).toBeDisabled();
    await userEvent.type(within(first).getByPlaceholderText(/Why/), '   ');
    await userEvent.click(within(first).getByRole('button', { name: 'Reject' }));
    expect(calls.filter((c) => c.url.includes('/approvals/a1/'))).toEqual([]);
    await userEvent.clear(within(first).getByPlaceholderText(/Why/));
    await userEvent.type(within(first).getByPlaceholderText(/Why/), 'Too much');
    await userEvent.click(within(first).getByRole('button', { name: 'Reject' }));
    const second = screen.getByRole('listitem', { name: /TKT-2/ });
    await userEvent.click(within(second).getByRole('button', { name: 'Approve' }));
    await userEvent.click(within(second).getByRole('button', { name: 'Reject or comment…' }));
    await userEvent.type(within(second).getByPlaceholderText(/Why/), 'Checked the receipt');
    await userEvent.click(within(second).getByRole('button', { name: 'Approve with comment' }));
    expect(calls.filter((c) => c.url.includes('/approvals/a'))).toEqual([
      { url: 'POST /api/v1/approvals/a1/reject', body: '{"comment":"Too much"}' },
      { url: 'POST /api/v1/approvals/a2/approve', body: '{}' },
      { url: 'POST /api/v1/approvals/a2/approve', body: '{"comment":"Checked the receipt"}' },
    ]);
  });

  it('shows a self-approval 403 and a stale 409 next to the control used', async () => {
    serve([approvalOf('a1', 'TKT-1'), approvalOf('a2', 'TKT-2')], {
      a1: { status: 403, body: { title: 'Forbidden', status: 403, detail: 'You requested this change: someone else must approve it.' } },
      a2: { status: 409, body: { title: 'Conflict', status: 409, detail: 'The ticket changed since this was requested.' } },
    });
    const { ApprovalsPage } = await import('./ApprovalsPage');
    renderSignedIn(<ApprovalsPage />);
    const first = await screen.findByRole('listitem', { name: /TKT-1/ }, { timeout: 5000 });
    const approve = within(first).getByRole('button', { name: 'Approve' });
    await userEvent.click(approve);
    const refused = await within(first).findByRole('alert');
    expect(refused).toHaveTextContent('someone else must approve it');
    expect(approve).toHaveAttribute('aria-describedby', refused.id);
    const second = screen.getByRole('listitem', { name: /TKT-2/ });
    await userEvent.click(within(second).getByRole('button', { name: 'Reject or comment…' }));
    await userEvent.type(within(second).getByPlaceholderText(/Why/), 'No');
    await userEvent.click(within(second).getByRole('button', { name: 'Reject' }));
    const form = within(second).getByRole('form', { name: 'Decide on TKT-2' });
    expect(await within(form).findByRole('alert')).toHaveTextContent('The ticket changed since this was requested. The change was not applied; it is still pending.');
  });

  it('lists a ticket’s pending approvals on the ticket page, decided there', async () => {
    const calls = serve([approvalOf('a9', 'TKT-9')], {});
    const { ApprovalsPanel } = await import('./ticket/ApprovalsPanel');
    renderSignedIn(<ApprovalsPanel ticket={{ key: 'TKT-9' }} />);
    const panel = await screen.findByRole('region', { name: 'Waiting for approval' }, { timeout: 5000 });
    expect(calls.map((c) => c.url)).toContain('GET /api/v1/approvals?state=pending&ticket=TKT-9&limit=20');
    const item = within(panel).getByRole('listitem');
    expect(within(item).queryByRole('link')).not.toBeInTheDocument();
    await userEvent.click(within(item).getByRole('button', { name: 'Reject or comment…' }));
    await userEvent.type(within(item).getByPlaceholderText(/Why/), 'Not without a receipt');
    await userEvent.click(within(item).getByRole('button', { name: 'Reject' }));
    expect(calls.some((c) => c.url === 'POST /api/v1/approvals/a9/reject' && c.body === '{"comment":"Not without a receipt"}')).toBe(true);
  });
});

describe('custom fields on the ticket page', () => {
  it('renders by kind, marks required fields, shows a conditional field live and the server error at it', async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
    client.setQueryData(['users'], [{ id: 'u1', name: 'Ada', role: 'agent', active: true }]);
    client.setQueryData(['custom-fields'], [
      field({ key: 'reason', label: 'Reason', kind: 'dropdown', required: true, options: [{ value: 'damaged', label: 'Damaged' }, { value: 'lost', label: 'Lost' }] }),
      field({ key: 'refund', label: 'Refund', kind: 'decimal', position: 1, visible_when: { field: 'reason', op: 'is', value: 'damaged' } }),
      field({ key: 'due', label: 'Due', kind: 'date', position: 2 }),
      field({ key: 'owner', label: 'Owner', kind: 'user', position: 3 }),
      field({ key: 'tags', label: 'Tags', kind: 'multi_select', position: 4, options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }] }),
    ]);
    const saved: unknown[] = [];
    const ticket = makeTicket({ custom_fields: { tags: ['a'], legacy_note: 'old' } });
    function Harness({ errors }: { errors: Record<string, string[]> }) {
      return (
        <QueryClientProvider client={client}>
          <CustomFields ticket={ticket} disabled={false} save={(c) => saved.push(c)} errors={errors} />
        </QueryClientProvider>
      );
    }
    const { rerender } = render(<Harness errors={{}} />);
    expect(screen.getByLabelText(/Reason/)).toHaveAttribute('aria-required', 'true');
    expect(screen.getByLabelText('Due')).toHaveAttribute('type', 'date');
    expect(within(screen.getByLabelText('Owner')).getByRole('option', { name: 'Ada' })).toBeInTheDocument();
    expect(screen.queryByLabelText('Refund')).not.toBeInTheDocument();
    expect(screen.getByText('old')).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText(/Reason/), 'damaged');
    expect(saved).toEqual([{ custom_fields: { reason: 'damaged' } }]);
    const refund = screen.getByLabelText('Refund');
    await userEvent.type(refund, '89.90');
    await userEvent.tab();
    expect(saved[1]).toEqual({ custom_fields: { refund: '89.90' } });
    // choosing another reason hides the refund and clears it in the same change
    await userEvent.selectOptions(screen.getByLabelText(/Reason/), 'lost');
    expect(screen.queryByLabelText('Refund')).not.toBeInTheDocument();
    expect(saved[2]).toEqual({ custom_fields: { reason: 'lost', refund: null } });
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Add to Tags' }), 'b');
    expect(saved[3]).toEqual({ custom_fields: { tags: ['a', 'b'] } });
    rerender(<Harness errors={{ 'custom_fields.due': ["'Due' must be filled in to set status 'resolved'"] }} />);
    expect(screen.getByLabelText('Due')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('alert')).toHaveTextContent('must be filled in');
  });
});

describe('decisionBlocked', () => {
  const approval = {
    approver_roles: ['admin'],
    requested_by: { kind: 'user', id: 'u-agent', name: 'Ada' },
  } as unknown as Approval;
  it('offers the decision to a role the gate names, unless they asked', () => {
    expect(decisionBlocked(approval, { role: 'admin', kind: 'user', id: 'u-admin' })).toBeNull();
    expect(decisionBlocked(approval, { role: 'agent', kind: 'user', id: 'u-other' })).toBe('Waiting for admin to decide.');
    expect(decisionBlocked(approval, { role: 'viewer', kind: 'user', id: 'u-viewer' })).toBe('Waiting for admin to decide.');
    expect(decisionBlocked({ ...approval, approver_roles: ['admin', 'agent'] }, { role: 'agent', kind: 'user', id: 'u-agent' })).toBe(
      'You asked for this change: another approver decides.',
    );
  });
});
