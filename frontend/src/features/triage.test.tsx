// Triage in the agent app against a fake API (fetch): confidences in words, suggestions that
// fill only what the agent left empty, draft suggestions asked once typing pauses (a stale
// request cancelled), and the Insights panel: apply with If-Match, a 412 kept, insert into the
// composer, the empty state without a model, and the language model's buttons only when the
// server says one is configured, its 502 said inline.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useRef } from 'react';
import { setToken, type Ticket } from '../api/client';
import { useUpdateTicket, useTicket } from '../api/queries';
import {
  applySuggestion,
  confidenceTone,
  formatConfidence,
  openSuggestions,
  thresholdRows,
  thresholdsBody,
  trainingOutcome,
  useDraftPrediction,
  type DraftFields,
  type Prediction,
  type TriageModel,
} from '../api/triage';
import { makeTicket } from '../test/fixtures';
import { renderSignedIn, testQueryClient } from '../test/render';
import { Composer, insertText, type ComposerHandle } from './ticket/Composer';
import { TriagePage } from './admin/TriagePage';
import { distinctReplies, InsightsPanel, suggestionChange } from './ticket/InsightsPanel';

type Call = { method: string; path: string; body: unknown; headers: Headers; signal: AbortSignal };
type Handler = (call: Call) => unknown;

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' } });

function fakeApi(routes: Record<string, Handler>): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (request: Request) => {
      const url = new URL(request.url);
      const text = await request.text();
      const call = { method: request.method, path: url.pathname, body: text ? (JSON.parse(text) as unknown) : undefined, headers: request.headers, signal: request.signal };
      calls.push(call);
      const handler = routes[`${request.method} ${url.pathname}`];
      if (!handler) return json({ title: 'Not Found', status: 404, detail: `no route ${request.method} ${url.pathname}` }, 404);
      const result = await handler(call);
      return result instanceof Response ? result : json(result);
    }),
  );
  return calls;
}

const me = {
  kind: 'user',
  role: 'admin',
  scopes: [],
  api_token: null,
  user: { id: 'me', name: 'Grace Hopper', email: 'grace@demo.test', role: 'admin', active: true, created_at: '2026-01-01T00:00:00Z' },
  workspace: { id: 'w', name: 'Demo', slug: 'demo', ticket_prefix: 'TKT', timezone: 'UTC' },
};

const model = (overrides: Partial<TriageModel> = {}): TriageModel => ({
  state: 'ready',
  version: 3,
  trained_at: '2026-12-01T10:00:00Z',
  examples: 120,
  fields: {},
  left_out: {},
  model_bytes: 1000,
  training_seconds: 2,
  training_cpu_seconds: 1,
  last_error: null,
  llm_configured: false,
  similarity: 'tfidf',
  ...overrides,
});

const draft = (overrides: Partial<DraftFields> = {}): DraftFields => ({ type: '', category: '', priority: 'normal', team_id: '', labels: '', ...overrides });
const prediction: Prediction = {
  category: { value: 'billing', confidence: 0.91 },
  type: { value: 'question', confidence: 0.6 },
  priority: { value: 'high', confidence: 0.7 },
  team: { value: 'team-1', confidence: 0.55, name: 'Billing' },
  labels: [{ value: 'refund', confidence: 0.8 }],
  similar: [],
  model_version: 3,
};

describe('triage rules', () => {
  it('says a confidence as a whole percentage, never rounding up to certainty', () => {
    expect(formatConfidence(0.873)).toBe('87 %');
    expect(formatConfidence(0.999)).toBe('99 %');
    expect(formatConfidence(1)).toBe('100 %');
    expect(formatConfidence(0.004)).toBe('< 1 %');
    expect(formatConfidence(0)).toBe('0 %');
    expect(formatConfidence(Number.NaN)).toBe('—');
    expect([confidenceTone(0.85), confidenceTone(0.5), confidenceTone(0.2)]).toEqual(['high', 'medium', 'low']);
  });

  it('fills only what the agent left empty, and adds labels without replacing them', () => {
    const none = new Set<string>();
    expect(applySuggestion(draft(), 'category', 'billing', none).category).toBe('billing');
    expect(applySuggestion(draft({ category: 'shipping' }), 'category', 'billing', none).category).toBe('shipping');
    expect(applySuggestion(draft(), 'priority', 'high', none).priority).toBe('high');
    // the agent chose "normal" themselves: it stays
    expect(applySuggestion(draft(), 'priority', 'high', new Set(['priority'])).priority).toBe('normal');
    expect(applySuggestion(draft({ team_id: 'mine' }), 'team', 'team-1', none).team_id).toBe('mine');
    expect(applySuggestion(draft({ labels: 'vip' }), 'labels', 'Refund', none).labels).toBe('vip, refund');
    expect(applySuggestion(draft({ labels: 'refund' }), 'labels', 'refund', none).labels).toBe('refund');
  });

  it('offers chips only for fields the draft still has room for', () => {
    const offered = (d: DraftFields, touched = new Set<string>()) => openSuggestions(prediction, d, touched).map((s) => `${s.field}:${s.suggestion.value}`);
    expect(offered(draft())).toEqual(['category:billing', 'type:question', 'priority:high', 'team:team-1', 'labels:refund']);
    expect(offered(draft({ category: 'x', type: 'incident', team_id: 't', labels: 'refund' }), new Set(['priority']))).toEqual([]);
    expect(offered(draft({ priority: 'high' }))).not.toContain('priority:high');
  });

  it('applies a suggestion on the ticket only where it changes something', () => {
    const ticket = makeTicket({ category: 'billing', labels: ['vip'] });
    expect(suggestionChange(ticket, 'category', 'billing')).toBeNull();
    expect(suggestionChange(ticket, 'labels', 'refund')).toEqual({ labels: ['vip', 'refund'] });
    expect(suggestionChange(ticket, 'team', 'team-1')).toEqual({ team_id: 'team-1' });
    expect(suggestionChange(ticket, 'priority', 'urgent')).toEqual({ priority: 'urgent' });
  });

  it('knows when a training run it started has ended', () => {
    expect(trainingOutcome(undefined, null)).toBe('waiting');
    expect(trainingOutcome(model({ state: 'training', version: null }), null)).toBe('waiting');
    expect(trainingOutcome(model({ state: 'training', version: 3 }), 3)).toBe('waiting');
    expect(trainingOutcome(model({ version: 4 }), 3)).toBe('trained');
    expect(trainingOutcome(model({ state: 'none', version: null, last_error: 'too few tickets' }), null)).toBe('failed');
  });

  it('turns the thresholds form into the settings body and back', () => {
    const rows = thresholdRows({ category: 0.8 });
    expect(rows.category).toEqual({ on: true, value: '0.8' });
    expect(rows.priority.on).toBe(false);
    expect(thresholdsBody({ ...rows, labels: { on: true, value: '0.7' } })).toEqual({ category: 0.8, labels: 0.7 });
  });

  it('shows a reply that solved several tickets once, with how many more', () => {
    const reply = (ticket: string, body: string) => ({ ticket, subject: 's', score: 0.5, body, author: null });
    const shown = distinctReplies([reply('TKT-1', 'Try again.'), reply('TKT-2', 'Reset it.'), reply('TKT-3', 'Try  again.\n')]);
    expect(shown.map((r) => [r.reply.ticket, r.more])).toEqual([
      ['TKT-1', 1],
      ['TKT-2', 0],
    ]);
  });

  it('inserts a reply at the caret as a paragraph of its own', () => {
    expect(insertText('', 'Hello', 0)).toEqual({ text: 'Hello', caret: 5 });
    expect(insertText('Hi,', 'Fixed.', 3)).toEqual({ text: 'Hi,\n\nFixed.', caret: 11 });
    expect(insertText('Hi,\n\nThanks', 'Fixed.', 5).text).toBe('Hi,\n\nFixed.\n\nThanks');
  });
});

function Draft({ subject }: { subject: string }) {
  const p = useDraftPrediction(subject, '', true);
  return <output aria-label="category">{p.data?.category?.value ?? ''}</output>;
}

describe('suggestions as the agent types', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('asks once typing pauses, and cancels the request for text that changed', async () => {
    vi.useFakeTimers();
    const pending: { subject: string; signal: AbortSignal; answer: (r: Response) => void }[] = [];
    const calls = fakeApi({
      'POST /api/v1/triage/predict': ({ body, signal }) =>
        new Promise<Response>((answer) => pending.push({ subject: (body as { subject: string }).subject, signal, answer })),
    });
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const view = render(
      <QueryClientProvider client={client}>
        <Draft subject="Re" />
      </QueryClientProvider>,
    );
    // keys typed 100 ms apart: nothing is asked while they come
    for (const subject of ['Ref', 'Refu', 'Refun', 'Refund']) {
      await act(() => vi.advanceTimersByTimeAsync(100));
      view.rerender(
        <QueryClientProvider client={client}>
          <Draft subject={subject} />
        </QueryClientProvider>,
      );
    }
    await act(() => vi.advanceTimersByTimeAsync(399));
    expect(calls).toHaveLength(0);
    await act(() => vi.advanceTimersByTimeAsync(1));
    await vi.waitFor(() => expect(pending.map((p) => p.subject)).toEqual(['Refund']));
    // the agent types on before the answer comes: that request is cancelled
    view.rerender(
      <QueryClientProvider client={client}>
        <Draft subject="Refund twice" />
      </QueryClientProvider>,
    );
    await act(() => vi.advanceTimersByTimeAsync(400));
    await vi.waitFor(() => expect(pending.map((p) => p.subject)).toEqual(['Refund', 'Refund twice']));
    expect(pending[0]!.signal.aborted).toBe(true);
    expect(pending[1]!.signal.aborted).toBe(false);
    pending[1]!.answer(json({ ...prediction, category: { value: 'billing', confidence: 0.9 } }));
    await vi.waitFor(() => expect(screen.getByLabelText('category')).toHaveTextContent('billing'));
  });
});

function Page({ ticketKey = 'TKT-1' }: { ticketKey?: string }) {
  const ticket = useTicket(ticketKey);
  return ticket.data ? <Loaded ticket={ticket.data} /> : null;
}

function Loaded({ ticket }: { ticket: Ticket }) {
  const update = useUpdateTicket(ticket);
  const composer = useRef<ComposerHandle>(null);
  return (
    <>
      <output aria-label="version">{`v${ticket.version} ${ticket.category ?? '-'}`}</output>
      {update.isError && <p role="alert">{update.error.message}</p>}
      <InsightsPanel ticket={ticket} update={update} onInsert={(text) => composer.current?.insert(text)} onMerge={() => {}} />
      <Composer ref={composer} ticket={ticket} statuses={[]} onTyping={() => {}} />
    </>
  );
}

const insights = {
  ...prediction,
  similar: [{ key: 'TKT-7', subject: 'Charged twice', status: 'resolved', score: 0.8 }],
  possible_duplicates: [{ key: 'TKT-9', subject: 'Double charge', status: 'open', score: 0.7 }],
  suggested_replies: [{ ticket: 'TKT-7', subject: 'Charged twice', score: 0.8, body: 'I have refunded the duplicate charge.', author: 'Ada' }],
};

describe('Insights panel', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setToken(null);
    localStorage.clear();
  });

  it('applies a suggestion with If-Match and inserts a suggested reply into the composer', async () => {
    let current = makeTicket({ version: 4 });
    const calls = fakeApi({
      'GET /api/v1/me': () => me,
      'GET /api/v1/users': () => [me.user],
      'GET /api/v1/ticket-types': () => [],
      'GET /api/v1/tickets/TKT-1': () => current,
      'GET /api/v1/tickets/TKT-1/emails': () => [],
      'GET /api/v1/triage/model': () => model(),
      'GET /api/v1/tickets/TKT-1/insights': () => insights,
      'PATCH /api/v1/tickets/TKT-1': ({ body }) => {
        current = { ...current, ...(body as Partial<Ticket>), version: current.version + 1 };
        return current;
      },
    });
    renderSignedIn(<Page />);
    const panel = await screen.findByRole('region', { name: 'Insights' });
    const suggested = await within(panel).findByRole('list', { name: 'Suggested values' });
    expect(within(suggested).getByText('billing').closest('li')).toHaveTextContent('91 %');
    await userEvent.click(within(panel).getByRole('button', { name: 'Apply Category: billing' }));
    await waitFor(() => expect(screen.getByLabelText('version')).toHaveTextContent('v5 billing'));
    const patch = calls.find((c) => c.method === 'PATCH')!;
    expect(patch.body).toEqual({ category: 'billing' });
    expect(patch.headers.get('if-match')).toBe('"4"');
    expect(await within(panel).findByLabelText('Category: billing is set')).toBeInTheDocument();
    expect(within(panel).getByRole('link', { name: 'TKT-9' })).toHaveAttribute('href', '/tickets/TKT-9');
    expect(within(panel).getByRole('button', { name: 'Merge into TKT-9' })).toBeInTheDocument();
    // no language model configured: no summary or draft buttons
    expect(within(panel).queryByRole('button', { name: 'Summary' })).toBeNull();
    await userEvent.click(within(panel).getByRole('button', { name: 'Insert the reply from TKT-7' }));
    expect(screen.getByPlaceholderText('Write your reply to the requester…')).toHaveValue('I have refunded the duplicate charge.');
  });

  it('does not overwrite what someone else changed meanwhile (412): the latest version is shown', async () => {
    const seen = makeTicket({ version: 4 });
    const moved = { ...seen, version: 5, category: 'shipping' };
    fakeApi({
      'GET /api/v1/me': () => me,
      'GET /api/v1/ticket-types': () => [],
      'GET /api/v1/tickets/TKT-1': () => moved,
      'GET /api/v1/triage/model': () => model(),
      'GET /api/v1/tickets/TKT-1/insights': () => insights,
      'PATCH /api/v1/tickets/TKT-1': () => json({ title: 'Precondition Failed', status: 412, detail: 'The ticket changed' }, 412),
    });
    const client = testQueryClient();
    client.setQueryData(['ticket', 'TKT-1'], seen);
    renderSignedIn(<Loaded ticket={seen} />, { client });
    const panel = await screen.findByRole('region', { name: 'Insights' });
    await userEvent.click(await within(panel).findByRole('button', { name: 'Apply Category: billing' }));
    // the category moved since the agent looked: not overwritten, the latest version cached
    await waitFor(() => expect(client.getQueryData<Ticket>(['ticket', 'TKT-1'])?.version).toBe(5));
    expect(client.getQueryData<Ticket>(['ticket', 'TKT-1'])?.category).toBe('shipping');
  });

  it('says there is no model yet, with the model page for admins', async () => {
    fakeApi({
      'GET /api/v1/me': () => me,
      'GET /api/v1/tickets/TKT-1': () => makeTicket(),
      'GET /api/v1/tickets/TKT-1/emails': () => [],
      'GET /api/v1/triage/model': () => model({ state: 'none', version: null, trained_at: null, examples: 0 }),
    });
    renderSignedIn(<Page />);
    const panel = await screen.findByRole('region', { name: 'Insights' });
    expect(await within(panel).findByText(/No triage model yet/)).toBeInTheDocument();
    expect(within(panel).getByRole('link', { name: 'Open the triage model page' })).toHaveAttribute('href', '/admin/triage');
  });

  it('offers summary and draft only with a language model, and shows its 502 inline', async () => {
    fakeApi({
      'GET /api/v1/me': () => me,
      'GET /api/v1/ticket-types': () => [],
      'GET /api/v1/tickets/TKT-1': () => makeTicket(),
      'GET /api/v1/tickets/TKT-1/emails': () => [],
      'GET /api/v1/triage/model': () => model({ llm_configured: true }),
      'GET /api/v1/tickets/TKT-1/insights': () => insights,
      'POST /api/v1/tickets/TKT-1/summary': () => json({ title: 'Bad Gateway', status: 502, detail: 'The language model answered HTTP 500.' }, 502),
      'POST /api/v1/tickets/TKT-1/reply-draft': () => ({ text: 'Dear Pat, it is fixed.', model: 'local' }),
    });
    renderSignedIn(<Page />);
    const panel = await screen.findByRole('region', { name: 'Insights' });
    await userEvent.click(await within(panel).findByRole('button', { name: 'Summary' }));
    expect(await within(panel).findByRole('alert')).toHaveTextContent('The language model answered HTTP 500.');
    await userEvent.click(within(panel).getByRole('button', { name: 'Draft reply' }));
    await waitFor(() => expect(screen.getByPlaceholderText('Write your reply to the requester…')).toHaveValue('Dear Pat, it is fixed.'));
  });
});

describe('Triage model page', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setToken(null);
  });

  it('shows each field against the baseline, and a threshold the server refused at its field', async () => {
    const bodies: unknown[] = [];
    fakeApi({
      'GET /api/v1/me': () => me,
      'GET /api/v1/triage/model': () =>
        model({ fields: { category: { accuracy: 0.915, macro_f1: 0.91, baseline_accuracy: 0.35, support: 20, calibration_error: 0.05, classes: 3 } }, left_out: { team: 'fewer than 20 tickets with a value' } }),
      'GET /api/v1/settings/triage': () => ({ auto_apply: { category: 0.8 } }),
      'PUT /api/v1/settings/triage': ({ body }) => {
        bodies.push(body);
        if (bodies.length === 1)
          return json({ title: 'Validation failed', status: 422, detail: 'Validation failed', errors: [{ loc: ['body', 'auto_apply', 'priority'], msg: 'Input should be less than or equal to 1' }] }, 422);
        return body;
      },
    });
    renderSignedIn(<TriagePage />);
    const row = await screen.findByRole('row', { name: /Category/ });
    expect(row).toHaveTextContent('91.5 %');
    expect(row).toHaveTextContent('35.0 %');
    expect(screen.getByRole('list', { name: 'Fields not learned' })).toHaveTextContent('Team: fewer than 20 tickets with a value');
    const form = screen.getByRole('form', { name: 'Auto-apply thresholds' });
    await userEvent.click(within(form).getByRole('checkbox', { name: 'Fill in priority' }));
    const priority = within(form).getByLabelText('Priority threshold');
    await userEvent.clear(priority);
    await userEvent.type(priority, '2');
    await userEvent.click(within(form).getByRole('button', { name: 'Save thresholds' }));
    await waitFor(() => expect(priority).toHaveAccessibleDescription('Input should be less than or equal to 1'));
    await userEvent.clear(priority);
    await userEvent.type(priority, '0.95');
    await userEvent.click(within(form).getByRole('button', { name: 'Save thresholds' }));
    expect(await within(form).findByRole('status')).toHaveTextContent('category, priority');
    expect(bodies).toEqual([{ auto_apply: { category: 0.8, priority: 2 } }, { auto_apply: { category: 0.8, priority: 0.95 } }]);
  }, 20_000);
});
