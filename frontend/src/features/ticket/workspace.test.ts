// The ticket workspace's logic: the conversation's order, mentions by name, the composer's
// Markdown edits, SLA clocks in words, what a reply's delivery says, macro previews, queue order.
import type { Comment } from '../../api/client';
import { describeDelivery, emailConfiguredFromLog, type TicketEmail } from './delivery';
import { describeChanges, rankMacros } from './macros';
import { applyFormat, continueList, formatForKey } from './markdown';
import { decorateMentions, insertNameMention, mentionedUsers, removeMention } from './mentions';
import { neighboursIn } from './queueNav';
import { buildTimeline, type ChatMessage } from './timeline';
import { clockWords, durationWords, explainClock, humanizeTimestamps, ticketClocks } from './words';

function comment(id: string, at: string, visibility: 'public' | 'internal', body = id): Comment {
  return {
    id,
    ticket_id: 't',
    author: { kind: 'user', id: 'u', name: 'Ada' },
    body,
    body_html: `<p>${body}</p>`,
    visibility,
    created_at: at,
    attachments: [],
  };
}

function message(id: string, at: string, author: ChatMessage['author'], body = id): ChatMessage {
  return { id, author, author_name: null, body, sent_at: at, created_at: at, position: 0 };
}

describe('the conversation in time', () => {
  const ticket = { key: 'TKT-1', description: 'It broke', created_at: '2026-11-20T09:00:00Z' };

  it('interleaves the description, chat messages, replies and notes by time', () => {
    const items = buildTimeline({
      ticket,
      comments: [comment('note', '2026-11-20T09:10:00Z', 'internal'), comment('reply', '2026-11-20T09:05:00Z', 'public')],
      messages: [message('hello', '2026-11-20T08:55:00Z', 'visitor'), message('later', '2026-11-20T09:07:00Z', 'visitor')],
    });
    expect(items.map((i) => i.id)).toEqual(['chat-hello', 'description-TKT-1', 'reply', 'chat-later', 'note']);
  });

  it('puts the description first at equal times and keeps the order of equal items', () => {
    const at = ticket.created_at;
    const items = buildTimeline({ ticket, comments: [comment('a', at, 'public'), comment('b', at, 'internal')], messages: [message('m', at, 'visitor')] });
    expect(items.map((i) => i.kind)).toEqual(['description', 'chat', 'comment', 'comment']);
    expect(items.slice(2).map((i) => i.id)).toEqual(['a', 'b']);
  });

  it('does not repeat the transcript text of a chat ticket, nor an agent reply echoed to the chat', () => {
    const items = buildTimeline({
      ticket: { ...ticket, description: 'Chat transcript\n\n[2026-11-20 08:55:00 UTC] Vera (visitor):\n  hello' },
      comments: [comment('reply', '2026-11-20T09:05:00Z', 'public', 'We are on it')],
      messages: [message('hello', '2026-11-20T08:55:00Z', 'visitor'), message('echo', '2026-11-20T09:05:01Z', 'agent', 'We are on it')],
    });
    expect(items.map((i) => i.id)).toEqual(['chat-hello', 'reply']);
  });

  it('shows the description when the chat has no messages, and an empty ticket as nothing', () => {
    const chatText = 'Chat transcript\n\nno messages';
    expect(buildTimeline({ ticket: { ...ticket, description: chatText }, comments: [], messages: [] }).map((i) => i.kind)).toEqual(['description']);
    expect(buildTimeline({ ticket: { ...ticket, description: '  ' }, comments: [] })).toEqual([]);
  });
});

describe('mentions by name', () => {
  const users = [
    { id: '1', name: 'Ada Lovelace', email: 'ada@demo.test' },
    { id: '2', name: 'Alan Turing', email: 'alan@demo.test' },
  ];

  it('inserts the name, which the server resolves, and names who will be notified', () => {
    const next = insertNameMention('ping @ad', { start: 5, query: 'ad' }, users[0]!);
    expect(next).toEqual({ text: 'ping @Ada Lovelace ', caret: 19 });
    expect(mentionedUsers(`${next.text}and @alan@demo.test`, users).map((u) => u.id)).toEqual(['1', '2']);
    expect(mentionedUsers('mail ada@demo.test or @Ada Lovelaces', users)).toEqual([]);
    expect(removeMention('hi @Ada Lovelace please', users[0]!)).toBe('hi please');
  });

  it('shows mentions in posted notes as name chips, never inside code or attributes', () => {
    const html = '<p>Hi @ada@demo.test and @Alan Turing, see <a href="mailto:x@ada@demo.test">link</a> <code>@ada@demo.test</code></p>';
    const out = decorateMentions(html, users);
    expect(out).toContain('<span class="mention" title="ada@demo.test">@Ada Lovelace</span> and');
    expect(out).toContain('<span class="mention" title="alan@demo.test">@Alan Turing</span>,');
    expect(out).toContain('<code>@ada@demo.test</code>');
    expect(out).toContain('href="mailto:x@ada@demo.test"');
    // a name with markup characters stays text
    expect(decorateMentions('<p>@A&lt;b&gt;</p>', [{ name: 'A<b>', email: 'a@x.test' }])).toBe('<p><span class="mention" title="a@x.test">@A&lt;b&gt;</span></p>');
  });
});

describe('composer formatting (Markdown, as the server renders it)', () => {
  it('wraps and unwraps the selection', () => {
    expect(applyFormat('make it bold', 8, 12, 'bold')).toEqual({ text: 'make it **bold**', start: 10, end: 14 });
    expect(applyFormat('make it **bold**', 10, 14, 'bold')).toEqual({ text: 'make it bold', start: 8, end: 12 });
    expect(applyFormat('x', 1, 1, 'italic')).toEqual({ text: 'x__', start: 2, end: 2 });
    expect(applyFormat('a\nb', 0, 3, 'code').text).toBe('```\na\nb\n```\n');
  });

  it('turns lines into a list and back', () => {
    expect(applyFormat('one\ntwo', 0, 7, 'list').text).toBe('- one\n- two');
    expect(applyFormat('- one\n- two', 0, 11, 'list').text).toBe('one\ntwo');
    expect(applyFormat('intro\nstep', 8, 8, 'numbered').text).toBe('intro\n1. step');
  });

  it('continues a list on Enter and ends it on an empty item', () => {
    expect(continueList('- milk', 6)).toEqual({ text: '- milk\n- ', start: 9, end: 9 });
    expect(continueList('1. first', 8)?.text).toBe('1. first\n2. ');
    expect(continueList('- milk\n- ', 9)).toEqual({ text: '- milk\n', start: 7, end: 7 });
    expect(continueList('plain text', 10)).toBeNull();
  });

  it('maps Ctrl/⌘ + B, I, E', () => {
    const key = (k: string, extra = {}) => formatForKey({ key: k, metaKey: false, ctrlKey: true, shiftKey: false, altKey: false, ...extra });
    expect([key('b'), key('I'), key('e'), key('k'), key('b', { shiftKey: true })]).toEqual(['bold', 'italic', 'code', null, null]);
  });
});

describe('SLA clocks in words', () => {
  const now = Date.parse('2026-11-21T09:00:00Z');

  it('says durations the way people do', () => {
    expect(durationWords(30_000)).toBe('less than a minute');
    expect(durationWords(45 * 60_000)).toBe('45 min');
    expect(durationWords(130 * 60_000)).toBe('2 h 10 min');
    expect(durationWords(3 * 3600_000)).toBe('3 h');
    expect(durationWords(-(26 * 3600_000))).toBe('1 d 2 h');
  });

  it('reads each clock: due, breached, met (late), paused, none', () => {
    expect(clockWords('first_response', '2026-11-21T11:10:00Z', null, 'ok', now).text).toBe('First response due in 2 h 10 min');
    expect(clockWords('resolution', '2026-11-21T06:00:00Z', null, 'breached', now)).toMatchObject({ text: 'Resolution breached 3 h ago', tone: 'bad' });
    expect(clockWords('first_response', '2026-11-21T08:00:00Z', '2026-11-21T07:30:00Z', 'ok', now)).toMatchObject({ text: 'First response met', tone: 'done' });
    expect(clockWords('first_response', '2026-11-21T08:00:00Z', '2026-11-21T08:20:00Z', 'ok', now).text).toBe('First response met 20 min late');
    expect(clockWords('resolution', '2026-11-22T08:00:00Z', null, 'paused', now).text).toBe('Resolution paused while waiting on the customer');
    expect(clockWords('next_response', null, null, 'none', now).text).toBe('No next response target');
    expect(clockWords('first_response', '2026-11-21T09:30:00Z', null, 'at_risk', now).tone).toBe('warn');
  });

  it('lists next response only while it is set and the ticket is open', () => {
    const sla = { first_response_due_at: null, next_response_due_at: '2026-11-21T10:00:00Z', resolution_due_at: null, first_responded_at: '2026-11-21T08:00:00Z', state: 'ok' as const };
    expect(ticketClocks({ sla, resolved_at: null, status_category: 'open' }, now).map((c) => c.metric)).toEqual(['first_response', 'next_response', 'resolution']);
    expect(ticketClocks({ sla, resolved_at: null, status_category: 'solved' }, now).map((c) => c.metric)).toEqual(['first_response', 'resolution']);
  });

  it('explains a clock without raw timestamps', () => {
    const text = explainClock(
      { metric: 'first_response', state: 'running', target_minutes: 60, started_at: '2026-11-21T08:30:00.123456+00:00', due_at: '2026-11-21T09:30:00.123456+00:00', remaining_minutes: 30 },
      'calendar time',
      now,
    );
    expect(text).toMatch(/^First response: 1 h of calendar time, counted from .+\. Due .+, in 30 min\.$/);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T|\.123456/);
    expect(humanizeTimestamps('was met at 2026-11-21T08:30:00.123456+00:00.')).not.toMatch(/T08:30|123456/);
    expect(humanizeTimestamps('no time here')).toBe('no time here');
  });
});

describe('what a reply says about email', () => {
  const email = (over: Partial<TicketEmail>): TicketEmail => ({
    id: 'e1',
    direction: 'out',
    kind: 'agent_reply',
    status: 'skipped',
    last_error: 'no SMTP server configured',
    to_address: 'Pat <pat@example.com>',
    from_address: 'desk@x',
    subject: 's',
    message_id: 'm',
    attempts: 0,
    created_at: '2026-11-21T09:00:00Z',
    sent_at: null,
    ...over,
  });

  it('says "no email sent" when SMTP is off, instead of "sent to"', () => {
    const text = describeDelivery({ before: new Set(), emails: [email({})], requesterEmail: 'pat@example.com', chat: false });
    expect(text).toEqual({ text: 'Saved; no email sent (email is not configured).', pending: false, problem: true });
    expect(describeDelivery({ before: new Set(), emails: [email({ status: 'sent' })], requesterEmail: 'pat@example.com', chat: true }).text).toBe(
      'Reply emailed to pat@example.com and posted to the chat.',
    );
    expect(describeDelivery({ before: new Set(), emails: [email({ status: 'pending' })], requesterEmail: 'pat@example.com', chat: false }).pending).toBe(true);
    // emails from before the reply are not this reply's
    expect(describeDelivery({ before: new Set(['e1']), emails: [email({ status: 'sent' })], requesterEmail: 'pat@example.com', chat: false }).text).toBe(
      'Reply saved; no email was sent for it.',
    );
  });

  it('says the reply is saved but not emailed when /me says the server sends no email', () => {
    // no log line yet (the outbox has not run): the server's flag is enough
    const off = describeDelivery({ before: new Set(), emails: [], requesterEmail: 'pat@example.com', chat: false, emailConfigured: false });
    expect(off).toEqual({ text: 'Reply saved, but not emailed to pat@example.com: email (SMTP) is not configured on this server.', pending: false, problem: true });
    expect(describeDelivery({ before: new Set(), emails: [email({ status: 'pending' })], requesterEmail: 'pat@example.com', chat: true, emailConfigured: false }).text).toMatch(
      /^Reply saved and posted to the chat, but not emailed/,
    );
    expect(describeDelivery({ before: new Set(), emails: [email({ status: 'sent' })], requesterEmail: 'pat@example.com', chat: false, emailConfigured: true }).text).toBe(
      'Reply emailed to pat@example.com.',
    );
  });

  it('learns from the email log whether email is set up', () => {
    expect(emailConfiguredFromLog([email({})])).toBe(false);
    expect(emailConfiguredFromLog([email({ status: 'sent' }), email({ id: 'e2' })])).toBe(true);
    expect(emailConfiguredFromLog([])).toBeNull();
  });
});

describe('macro previews', () => {
  it('renders the changes as lines a person reads', () => {
    const lines = describeChanges(
      {
        status: { from: 'open', to: 'resolved' },
        assignee: { from: null, to: { id: 'u', name: 'Ada Lovelace' } },
        labels: { from: ['a'], to: ['b'], added: ['b'], removed: ['a'] },
        priority: { from: 'normal', to: 'high' },
      },
      { resolved: 'Resolved', open: 'Open' },
    );
    expect(lines).toEqual(['Status: Open → Resolved', 'Assignee: none → Ada Lovelace', 'Labels: + b, − a', 'Priority: Normal → High']);
  });

  it('ranks names that start with the query first; "#refund-policy" finds "Refund policy"', () => {
    const macros = [{ name: 'Full refund' }, { name: 'Refund policy' }, { name: 'Shipping delay' }];
    expect(rankMacros(macros, 'refund').map((m) => m.name)).toEqual(['Refund policy', 'Full refund']);
    expect(rankMacros(macros, 'refund-policy').map((m) => m.name)).toEqual(['Refund policy']);
    expect(rankMacros(macros, '').map((m) => m.name)).toEqual(['Full refund', 'Refund policy', 'Shipping delay']);
  });
});

describe('next and previous in the queue', () => {
  it('follows the snapshot of the queue', () => {
    const snapshot = { keys: ['TKT-3', 'TKT-1', 'TKT-9'], complete: false };
    expect(neighboursIn(snapshot, 'TKT-1')).toEqual({ prev: 'TKT-3', next: 'TKT-9', position: 2, count: 3, complete: false });
    expect(neighboursIn(snapshot, 'TKT-3')?.prev).toBeNull();
    expect(neighboursIn(snapshot, 'TKT-7')).toBeNull();
  });
});

describe('history', () => {
  it('names the macro that was applied', async () => {
    const { describeActivity } = await import('./HistoryTab');
    const event = { id: 1, type: 'ticket.macro_applied', actor: { kind: 'user' as const, id: 'u', name: 'Ada' }, data: { macro: { id: 'm', name: 'Refund on its way' } }, created_at: '2026-11-21T09:00:00Z' };
    expect(describeActivity(event)).toBe('applied the macro “Refund on its way”');
  });
});
