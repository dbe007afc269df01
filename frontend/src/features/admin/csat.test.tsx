import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { makeTicket } from '../../test/fixtures';
import { describeActivity } from '../ticket/HistoryTab';
import { csatWords } from '../ticket/PropertiesPanel';
import { CsatSection } from './CsatSection';

function wrap(children: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' } });
}

describe('CSAT settings', () => {
  it('saves the switch, scale and delay, and shows a 422 at its field', async () => {
    const bodies: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) => {
        const url = new URL(request.url);
        if (url.pathname !== '/api/v1/settings/csat') return json({}, 404);
        if (request.method === 'GET') return json({ enabled: false, scale: 'good_bad', delay_minutes: 0 });
        const body = (await request.json()) as { delay_minutes: number };
        bodies.push(body);
        if (bodies.length === 1)
          return json({ type: 'about:blank', title: 'Validation failed', status: 422, detail: 'Validation failed', errors: [{ loc: ['body', 'delay_minutes'], msg: 'Input should be less than or equal to 43200' }] }, 422);
        return json(body);
      }),
    );
    try {
      render(wrap(<CsatSection />));
      const form = await screen.findByRole('form', { name: 'CSAT surveys' });
      const delay = within(form).getByLabelText('Send after (minutes)');
      expect(delay).toBeDisabled();
      await userEvent.click(within(form).getByRole('checkbox'));
      await userEvent.selectOptions(within(form).getByLabelText('Scale'), 'five');
      await userEvent.clear(delay);
      await userEvent.type(delay, '43200');
      await userEvent.click(within(form).getByRole('button', { name: 'Save CSAT' }));
      await waitFor(() => expect(form).toHaveTextContent('Input should be less than or equal to 43200'));
      await userEvent.clear(delay);
      await userEvent.type(delay, '60');
      await userEvent.click(within(form).getByRole('button', { name: 'Save CSAT' }));
      expect(await within(form).findByRole('status')).toHaveTextContent('On: surveys go 60 min after the solve.');
      expect(bodies).toEqual([
        { enabled: true, scale: 'five', delay_minutes: 43200 },
        { enabled: true, scale: 'five', delay_minutes: 60 },
      ]);
    } finally {
      vi.unstubAllGlobals();
    }
  }, 20_000); // typing and three round trips: slow on a loaded machine

  it('says a ticket answer in words', () => {
    const answered = makeTicket({ csat: { rating: 'bad', comment: 'Slow', answered_at: '2026-11-20T10:00:00Z' } });
    expect(csatWords(answered.csat!)).toBe('Bad');
    expect(csatWords({ rating: 'good', comment: null, answered_at: '2026-11-20T10:00:00Z' })).toBe('Good');
    expect(csatWords({ rating: 4, comment: null, answered_at: '2026-11-20T10:00:00Z' })).toBe('4 of 5 (good)');
    expect(csatWords({ rating: 2, comment: null, answered_at: '2026-11-20T10:00:00Z' })).toBe('2 of 5');
  });

  it('tells the survey events in the history', () => {
    const actor = { kind: 'contact' as const, id: 'c', name: 'Grace' };
    const at = '2026-11-20T10:00:00Z';
    expect(describeActivity({ id: 1, type: 'ticket.survey_sent', actor: { kind: 'system', id: null, name: 'CSAT' }, data: {}, created_at: at })).toBe('sent the satisfaction survey');
    expect(describeActivity({ id: 2, type: 'ticket.csat_received', actor, data: { rating: 'bad', good: false, comment: 'Slow' }, created_at: at })).toBe('rated the support bad: “Slow”');
    expect(describeActivity({ id: 3, type: 'ticket.csat_received', actor, data: { rating: 5, good: true, comment: null }, created_at: at })).toBe('rated the support 5 of 5');
  });
});
