// Who asked: the requester, what the chat knew about the visitor, and their other tickets.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, unwrap, type Ticket } from '../../api/client';
import { StatusBadge } from '../../components/ui';
import { relative } from '../../lib/format';
import { useTranscript } from './Conversation';

export function RequesterCard({ ticket, statusLabels }: { ticket: Ticket; statusLabels: Record<string, string> }) {
  const [copied, setCopied] = useState(false);
  const transcript = useTranscript(ticket);
  const email = ticket.requester?.email ?? null;
  const others = useQuery({
    queryKey: ['requester-tickets', email],
    queryFn: () => unwrap(api.GET('/api/v1/tickets', { params: { query: { requester: email!, sort: '-created_at', limit: 6 } } })),
    enabled: !!email,
    staleTime: 30_000,
  });
  const visitor = transcript.data?.visitor;
  const facts = (
    [
      ['Name', visitor?.name],
      ['Email', visitor?.email],
      ['Country', visitor?.country],
      ['Device', visitor?.device],
      ['Page', visitor?.page_url],
    ] as [string, string | null | undefined][]
  ).filter((f): f is [string, string] => !!f[1]);
  const previous = (others.data?.items ?? []).filter((t) => t.key !== ticket.key).slice(0, 5);

  return (
    <section className="card requester-card" aria-label="Requester">
      <h2>Requester</h2>
      {ticket.requester ? (
        <>
          <div className="requester-name">
            <Link to={`/customers/${ticket.requester.id}`} title="The customer's page: details and every ticket">
              {ticket.requester.name ?? <span className="muted">No name</span>}
            </Link>
          </div>
          <div className="copy-row">
            <a href={`mailto:${ticket.requester.email}`} className="wrap">
              {ticket.requester.email}
            </a>
            <button
              type="button"
              className="btn btn-small copy-btn"
              aria-label="Copy email"
              onClick={() => {
                void navigator.clipboard?.writeText(ticket.requester!.email).then(() => setCopied(true));
                setTimeout(() => setCopied(false), 1500);
              }}
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
        </>
      ) : (
        <p className="muted">No requester.</p>
      )}
      {facts.length > 0 && (
        <section className="visitor" aria-label="Visitor">
          <h3 className="subhead">From the chat</h3>
          <dl className="meta">
            {facts.map(([k, v]) => (
              <div key={k} className="meta-row">
                <dt>{k}</dt>
                <dd className="wrap">{v}</dd>
              </div>
            ))}
          </dl>
        </section>
      )}
      {email && (
        <section className="other-tickets" aria-label="Other tickets from this requester">
          <h3 className="subhead">Other tickets</h3>
          {others.isPending ? (
            <p className="muted small">Looking…</p>
          ) : previous.length === 0 ? (
            <p className="muted small">This is their first ticket.</p>
          ) : (
            <ul className="plain-list">
              {previous.map((t) => (
                <li key={t.key} className="other-ticket">
                  <Link to={`/tickets/${t.key}`}>{t.key}</Link> <span className="link-subject">{t.subject}</span>{' '}
                  <StatusBadge status={t.status} category={t.status_category} label={statusLabels[t.status]} />{' '}
                  <span className="muted small">{relative(t.created_at)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </section>
  );
}
