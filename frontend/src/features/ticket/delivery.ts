// What became of a reply: emailed, queued, or only saved because email is not configured.
// Whether the server sends email at all is `email_sending` of `GET /me` (every agent may read
// it); what became of one reply is in the ticket's email log (`GET /tickets/{t}/emails`).
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas, type Ticket } from '../../api/client';
import { useMe } from '../../auth/session';

export type TicketEmail = Schemas['TicketEmailRead'];

/** The log line the server writes when it has no SMTP relay (email/outbound.py NO_SMTP). */
const NO_SMTP = /smtp/i;

export function useTicketEmails(ticket: Pick<Ticket, 'key'>, enabled = true) {
  return useQuery({
    queryKey: ['emails', ticket.key],
    queryFn: () => unwrap(api.GET('/api/v1/tickets/{ticket}/emails', { params: { path: { ticket: ticket.key } } })),
    enabled,
    refetchInterval: (query) => (query.state.data?.some((e) => e.direction === 'out' && e.status === 'pending') ? 2_000 : false),
  });
}

/** true: SMTP is set up; false: it is not; null: not known (an older server, no log yet). */
export function useEmailConfigured(ticket: Pick<Ticket, 'key'>): boolean | null {
  const me = useMe();
  const emails = useTicketEmails(ticket);
  if (typeof me.email_sending === 'boolean') return me.email_sending;
  return emailConfiguredFromLog(emails.data ?? []);
}

export function emailConfiguredFromLog(emails: TicketEmail[]): boolean | null {
  const out = emails.filter((e) => e.direction === 'out');
  if (out.some((e) => e.status === 'sent')) return true;
  const latest = out[out.length - 1];
  if (latest?.status === 'skipped' && NO_SMTP.test(latest.last_error ?? '')) return false;
  return null;
}

export type Delivery = { text: string; pending: boolean; problem: boolean };

/** One line about the reply just sent, from the emails that appeared since it was sent. */
export function describeDelivery(input: {
  before: ReadonlySet<string>;
  emails: TicketEmail[];
  requesterEmail: string | null;
  chat: boolean;
  /** From `/me`: false when the server has no SMTP relay (nothing is emailed). */
  emailConfigured?: boolean | null;
}): Delivery {
  const fresh = input.emails.filter((e) => e.direction === 'out' && !input.before.has(e.id));
  const reply = fresh.find((e) => e.kind === 'agent_reply') ?? fresh[0];
  const chat = input.chat ? ' and posted to the chat' : '';
  if (input.emailConfigured === false && input.requesterEmail && reply?.status !== 'sent') {
    return { text: `Reply saved${chat}, but not emailed to ${input.requesterEmail}: email (SMTP) is not configured on this server.`, pending: false, problem: true };
  }
  if (!reply) {
    if (!input.requesterEmail) return { text: `Reply saved${chat}. The ticket has no requester email, so none was sent.`, pending: false, problem: false };
    return { text: `Reply saved${chat}; no email was sent for it.`, pending: false, problem: false };
  }
  const to = input.requesterEmail ?? reply.to_address;
  if (reply.status === 'sent') return { text: `Reply emailed to ${to}${chat}.`, pending: false, problem: false };
  if (reply.status === 'pending') return { text: `Reply saved${chat}; emailing ${to}…`, pending: true, problem: false };
  if (reply.status === 'skipped' && NO_SMTP.test(reply.last_error ?? '')) {
    return { text: `Saved${chat}; no email sent (email is not configured).`, pending: false, problem: true };
  }
  return { text: `Reply saved${chat}, but the email to ${to} was not sent${reply.last_error ? `: ${reply.last_error}` : ''}.`, pending: false, problem: true };
}
