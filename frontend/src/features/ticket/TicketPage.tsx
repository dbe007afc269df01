import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { errorMessage, type Ticket } from '../../api/client';
import { TicketConflict, useReopenTicket, useStatuses, useTicket, useUpdateTicket } from '../../api/queries';
import { useMe } from '../../auth/session';
import { ErrorState, PriorityBadge, Spinner, StatusBadge } from '../../components/ui';
import { usePresence } from '../../live/live';
import { MergeDialog } from './MergeDialog';
import { CommentsTab } from './CommentsTab';
import { ConversationTab } from './ConversationTab';
import { DetailsTab } from './DetailsTab';
import { HistoryTab } from './HistoryTab';

const TABS = [
  ['details', 'Details'],
  ['conversation', 'Conversation'],
  ['comments', 'Comments'],
  ['history', 'History'],
] as const;
type Tab = (typeof TABS)[number][0];

export function TicketPage() {
  const { ticketKey = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const tab: Tab = TABS.find(([id]) => id === params.get('tab'))?.[0] ?? 'details';
  const ticket = useTicket(ticketKey);
  if (ticket.isPending) return <Spinner label={`Loading ${ticketKey}…`} />;
  if (ticket.isError) {
    return (
      <div className="ticket-page">
        <Link to="/" className="back">
          ← Back to queue
        </Link>
        <ErrorState error={ticket.error} retry={() => void ticket.refetch()} />
      </div>
    );
  }
  return <TicketView ticket={ticket.data} tab={tab} setTab={(t) => setParams(t === 'details' ? {} : { tab: t }, { replace: true })} />;
}

function TicketView({ ticket, tab, setTab }: { ticket: Ticket; tab: Tab; setTab: (tab: Tab) => void }) {
  const me = useMe();
  const statuses = useStatuses();
  const update = useUpdateTicket(ticket);
  const reopen = useReopenTicket(ticket);
  const [typing, setTyping] = useState(false);
  const [merging, setMerging] = useState(false);
  const others = usePresence(ticket.key, me.userId, typing);
  const statusLabel = statuses.data?.find((s) => s.name === ticket.status)?.label;
  const conflict = update.error instanceof TicketConflict;
  const solved = ticket.status_category === 'solved' || ticket.status_category === 'closed';

  return (
    <div className="ticket-page">
      <Link to="/" className="back">
        ← Back to queue
      </Link>
      <header className="ticket-header">
        <div>
          <div className="ticket-key">
            {ticket.key} <span className="muted">· via {ticket.channel}</span>
          </div>
          <h1>{ticket.subject}</h1>
          <div className="badges">
            <StatusBadge status={ticket.status} category={ticket.status_category} label={statusLabel} />
            <PriorityBadge priority={ticket.priority} />
            {ticket.merged_into && (
              <span className="badge tone-grey">
                Merged into <Link to={`/tickets/${ticket.merged_into}`}>{ticket.merged_into}</Link>
              </span>
            )}
          </div>
        </div>
        <div className="page-actions">
          {me.canWrite && solved && (
            <button type="button" className="btn" disabled={reopen.isPending} onClick={() => reopen.mutate()}>
              Reopen
            </button>
          )}
          {me.canWrite && !ticket.merged_into && (
            <button type="button" className="btn" aria-expanded={merging} onClick={() => setMerging(!merging)}>
              Merge…
            </button>
          )}
        </div>
      </header>
      {merging && <MergeDialog ticket={ticket} onClose={() => setMerging(false)} />}
      {others.length > 0 && (
        <div className="presence-warning" role="alert">
          ⚠ {others.map((u) => u.name ?? 'Another agent').join(', ')} {others.length === 1 ? 'is' : 'are'}{' '}
          {others.some((u) => u.typing) ? 'typing on' : 'viewing'} this ticket too.
        </div>
      )}
      {conflict && (
        <div className="conflict" role="alert">
          <strong>Someone else changed this ticket.</strong> Your change was not saved; the latest version is shown below. Check it and make
          your change again if it is still needed.
          <button type="button" className="btn-link" onClick={() => update.reset()}>
            Dismiss
          </button>
        </div>
      )}
      {update.isError && !conflict && (
        <p className="form-error" role="alert">
          {errorMessage(update.error)}
        </p>
      )}
      {reopen.isError && (
        <p className="form-error" role="alert">
          {errorMessage(reopen.error)}
        </p>
      )}
      <div className="tabs" role="tablist" aria-label="Ticket">
        {TABS.map(([id, label]) => (
          <button key={id} type="button" role="tab" id={`tab-${id}`} aria-selected={tab === id} aria-controls={`panel-${id}`} className="tab" onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
      </div>
      <section role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tabpanel">
        {tab === 'details' && <DetailsTab ticket={ticket} update={update} />}
        {tab === 'conversation' && <ConversationTab ticket={ticket} />}
        {tab === 'comments' && <CommentsTab ticket={ticket} onTyping={setTyping} />}
        {tab === 'history' && <HistoryTab ticket={ticket} />}
      </section>
    </div>
  );
}
