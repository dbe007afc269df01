// SLA clocks in words, and "Why these times?" from `GET /tickets/{t}/sla` without raw timestamps.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage, unwrap, type Ticket } from '../../api/client';
import { Spinner } from '../../components/ui';
import { useNow } from '../../lib/clock';
import { absolute, titleCase } from '../../lib/format';
import { explainClock, humanizeTimestamps, ticketClocks } from './words';

const STATE_WORDS: Record<Ticket['sla']['state'], string> = {
  none: 'No SLA',
  ok: 'On track',
  at_risk: 'At risk',
  breached: 'Breached',
  paused: 'Paused',
  met: 'Met',
};

export function SlaPanel({ ticket }: { ticket: Ticket }) {
  const now = useNow();
  const clocks = ticketClocks(ticket, now);
  const { sla } = ticket;
  const none = sla.state === 'none' && !sla.first_response_due_at && !sla.next_response_due_at && !sla.resolution_due_at;
  return (
    <section className="card sla-card" aria-label="SLA">
      <div className="card-title-row">
        <h2>SLA</h2>
        <span className={`badge sla-${ticket.sla.state}`}>{STATE_WORDS[ticket.sla.state] ?? titleCase(ticket.sla.state)}</span>
      </div>
      {none ? (
        <p className="muted small">No SLA policy applies to this ticket.</p>
      ) : (
        <ul className="sla-clocks">
          {clocks.map((c) => (
            <li key={c.metric} className={`sla-clock clock-${c.tone}`} title={c.at ? absolute(c.at) : undefined}>
              {c.text}
            </li>
          ))}
        </ul>
      )}
      <SlaExplanation ticket={ticket} />
    </section>
  );
}

function SlaExplanation({ ticket }: { ticket: Ticket }) {
  const [open, setOpen] = useState(false);
  const now = useNow();
  const explanation = useQuery({
    queryKey: ['sla', ticket.key, ticket.version],
    queryFn: () => unwrap(api.GET('/api/v1/tickets/{ticket}/sla', { params: { path: { ticket: ticket.key } } })),
    enabled: open,
  });
  const hours = explanation.data?.business_hours as { name?: string; timezone?: string } | null | undefined;
  const counting = hours?.name ? `business hours (“${hours.name}”${hours.timezone ? `, ${hours.timezone}` : ''})` : 'calendar time';
  return (
    <>
      <button type="button" className="btn-link sla-why-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Hide explanation' : 'Why these times?'}
      </button>
      {open && explanation.isPending && <Spinner />}
      {open && explanation.isError && <p className="form-error">{errorMessage(explanation.error)}</p>}
      {open && explanation.data && (
        <div className="sla-why" role="group" aria-label="SLA explanation">
          <p>{humanizeTimestamps(explanation.data.why_policy)}</p>
          {explanation.data.clocks.length > 0 && (
            <ul>
              {explanation.data.clocks.map((c) => (
                <li key={c.metric}>{explainClock(c, counting, now)}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </>
  );
}
