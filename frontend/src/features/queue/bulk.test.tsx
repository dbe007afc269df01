// The bulk bar's "Set field…" against a fake API (fetch): a kind-appropriate editor per field,
// the change sent through POST /tickets/bulk, and each ticket's refusal shown by name.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { setToken } from '../../api/client';
import { typedValue } from '../../lib/customFields';
import { makeTicket } from '../../test/fixtures';
import { renderSignedIn } from '../../test/render';
import { BulkBar, BulkOutcome, type BulkReport } from './BulkBar';

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const me = {
  kind: 'user',
  role: 'agent',
  scopes: [],
  api_token: null,
  user: { id: 'me', name: 'Grace Hopper', email: 'grace@demo.test', role: 'agent', active: true, created_at: '2026-01-01T00:00:00Z' },
  workspace: { id: 'w', name: 'Demo', slug: 'demo', ticket_prefix: 'TKT', timezone: 'UTC' },
};

function def(key: string, label: string, kind: string, extra: Record<string, unknown> = {}) {
  return { id: `id-${key}`, key, label, kind, description: null, options: [], required: true, validation: {}, ticket_types: null, visible_when: null, autofill: null, filterable: true, position: 0, archived: false, archived_at: null, created_at: '2026-12-01T00:00:00Z', updated_at: '2026-12-01T00:00:00Z', ...extra };
}
const fields = [
  def('count', 'Count', 'integer', { position: 1 }),
  def('reason', 'Reason', 'dropdown', { position: 2, options: [{ value: 'damaged', label: 'Damaged' }, { value: 'lost', label: 'Lost' }] }),
  def('urgent', 'Urgent', 'checkbox', { position: 3 }),
  def('old', 'Old', 'text', { archived: true }),
];

function fakeApi(bulk: (body: { tickets: string[]; changes: Record<string, unknown> }) => unknown) {
  const sent: { tickets: string[]; changes: Record<string, unknown> }[] = [];
  vi.stubGlobal('fetch', async (request: Request) => {
    const url = new URL(request.url);
    const route = `${request.method} ${url.pathname}`;
    if (route === 'GET /api/v1/me') return json(me);
    if (route === 'GET /api/v1/custom-fields') return json(fields);
    if (route === 'GET /api/v1/users') return json([me.user]);
    if (route === 'GET /api/v1/statuses') return json([]);
    if (route === 'POST /api/v1/tickets/bulk') {
      const body = JSON.parse(await request.text()) as { tickets: string[]; changes: Record<string, unknown> };
      sent.push(body);
      return json(bulk(body));
    }
    return json({ title: 'Not Found', status: 404, detail: route }, 404);
  });
  return sent;
}

function Harness() {
  const tickets = [makeTicket({ key: 'TKT-1' }), makeTicket({ key: 'TKT-2', id: 'b' })];
  const [report, setReport] = useState<BulkReport | null>(null);
  return (
    <>
      <BulkBar selected={new Set(['TKT-1', 'TKT-2'])} allMatching={false} matchingTotal={2} visibleCount={2} query={{}} tickets={tickets} onSelectAllMatching={() => {}} onClear={() => {}} onDone={setReport} />
      {report && <BulkOutcome report={report} onDismiss={() => setReport(null)} />}
    </>
  );
}

function renderBar() {
  renderSignedIn(<Harness />);
}

// generous: these click through whole forms, slow on a loaded machine
describe('bulk custom-field edit', { timeout: 20_000 }, () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setToken(null);
  });

  it('types what the editor holds as the API takes it', () => {
    expect(typedValue('integer', ' 12 ')).toBe(12);
    expect(typedValue('integer', '1.5')).toBe('1.5'); // sent as typed: the server names the field in its 422
    expect(typedValue('decimal', '89.90')).toBe('89.90');
    expect(typedValue('text', '   ')).toBeNull();
    expect(typedValue('checkbox', null)).toBe(false);
    expect(typedValue('multi_select', [])).toBeNull();
    expect(typedValue('multi_select', ['a'])).toEqual(['a']);
  });

  it('sets a field on the selected tickets and lists each ticket’s refusal', async () => {
    const sent = fakeApi((body) => ({
      results: [
        { ticket: body.tickets[0], ok: true, version: 2 },
        { ticket: body.tickets[1], ok: false, error: { type: 'about:blank', title: 'Validation failed', status: 422, detail: "'Count' must be at most 5", errors: [{ loc: ['body', 'custom_fields', 'count'], msg: "'Count' must be at most 5" }] } },
      ],
    }));
    renderBar();
    const picker = await screen.findByRole('combobox', { name: 'Set field' }, { timeout: 5000 });
    // archived fields cannot be set
    expect(within(picker).queryByRole('option', { name: 'Old' })).not.toBeInTheDocument();
    await userEvent.selectOptions(picker, 'Count');
    const input = screen.getByRole('spinbutton', { name: 'New Count' });
    expect(screen.getByRole('button', { name: 'Set Count' })).toBeDisabled();
    await userEvent.type(input, '9');
    await userEvent.click(screen.getByRole('button', { name: 'Set Count' }));
    const outcome = await screen.findByRole('status');
    expect(outcome).toHaveTextContent('1 of 2 tickets updated.');
    expect(within(outcome).getByRole('listitem')).toHaveTextContent("TKT-2: 'Count' must be at most 5");
    expect(sent).toEqual([{ tickets: ['TKT-1', 'TKT-2'], changes: { add_labels: [], remove_labels: [], custom_fields: { count: 9 } } }]);
  });

  it('offers the kind’s editor (a dropdown’s options, a checkbox) and clears a field', async () => {
    const sent = fakeApi((body) => ({ results: body.tickets.map((t) => ({ ticket: t, ok: true, version: 2 })) }));
    renderBar();
    const picker = await screen.findByRole('combobox', { name: 'Set field' }, { timeout: 5000 });
    await userEvent.selectOptions(picker, 'Reason');
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'New Reason' }), 'Lost');
    await userEvent.click(screen.getByRole('button', { name: 'Set Reason' }));
    await waitFor(() => expect(sent).toHaveLength(1));
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Set field' }), 'Urgent');
    await userEvent.click(screen.getByRole('checkbox', { name: 'New Urgent' }));
    await userEvent.click(screen.getByRole('button', { name: 'Set Urgent' }));
    await waitFor(() => expect(sent).toHaveLength(2));
    await userEvent.click(screen.getByRole('button', { name: 'Clear Urgent' }));
    await waitFor(() => expect(sent).toHaveLength(3));
    expect(sent.map((s) => s.changes.custom_fields)).toEqual([{ reason: 'lost' }, { urgent: true }, { urgent: null }]);
    expect(await screen.findByRole('status')).toHaveTextContent('2 of 2 tickets updated.');
  });
});
