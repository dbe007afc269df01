// One ticket workspace: the conversation and its composer in the centre, the properties, SLA,
// requester, files, watchers and links on the side; History as the second tab.
import { useCallback, useRef, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { ApiError, errorMessage, type Ticket } from '../../api/client';
import { describeFieldChanges } from '../../api/conflicts';
import { TicketConflict, useReopenTicket, useStatuses, useTicket, useUpdateTicket } from '../../api/queries';
import { useMe } from '../../auth/session';
import { ErrorState, PriorityBadge, Spinner } from '../../components/ui';
import { OPEN_SHORTCUTS, usePageCommands, useShortcuts } from '../../components/shortcuts';
import { usePresence } from '../../live/live';
import { TicketAttachments } from './Attachments';
import { Composer, type ComposerHandle } from './Composer';
import { Conversation } from './Conversation';
import { HistoryTab } from './HistoryTab';
import { InsightsPanel } from './InsightsPanel';
import { MergeDialog } from './MergeDialog';
import { ApprovalsPanel } from './ApprovalsPanel';
import { PropertiesPanel } from './PropertiesPanel';
import { rememberedQueue, storedNeighbours, useQueueNeighbours } from './queueNav';
import { RelationsPanel } from './RelationsPanel';
import { RequesterCard } from './RequesterCard';
import { SlaPanel } from './SlaPanel';
import { StatusMenu } from './StatusMenu';
import './ticket.css';

const TABS = [
  ['conversation', 'Conversation'],
  ['history', 'History'],
] as const;
type Tab = (typeof TABS)[number][0];

export function TicketPage() {
  const { ticketKey = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const tab: Tab = params.get('tab') === 'history' ? 'history' : 'conversation';
  const ticket = useTicket(ticketKey);
  if (ticket.isPending) return <Spinner label={`Loading ${ticketKey.toUpperCase()}…`} />;
  if (ticket.isError) {
    const missing = ticket.error instanceof ApiError && (ticket.error.status === 404 || ticket.error.status === 422);
    return missing ? (
      <TicketNotFound ticketKey={ticketKey} />
    ) : (
      <div className="ticket-page">
        <BackLink />
        <ErrorState error={ticket.error} retry={() => void ticket.refetch()} />
      </div>
    );
  }
  return (
    <TicketView
      key={ticket.data.key}
      ticket={ticket.data}
      tab={tab}
      setTab={(t) => setParams(t === 'conversation' ? {} : { tab: t }, { replace: true })}
    />
  );
}

function urlTicketKey(): string {
  const match = /^\/tickets\/([^/]+)$/.exec(window.location.pathname);
  return match ? decodeURIComponent(match[1]!).toUpperCase() : '';
}

function BackLink() {
  return (
    <Link to={`/${rememberedQueue()}`} className="back">
      ← Back to queue
    </Link>
  );
}

function TicketNotFound({ ticketKey }: { ticketKey: string }) {
  const me = useMe();
  const navigate = useNavigate();
  const [other, setOther] = useState('');
  return (
    <div className="ticket-page ticket-missing">
      <BackLink />
      <div className="missing-card" role="region" aria-label="Ticket not found">
        <h1>Ticket not found</h1>
        <p>
          There is no ticket <strong>{ticketKey.toUpperCase()}</strong> in {me.workspace.name}. It may have been deleted, or the key may be mistyped.
        </p>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (other.trim()) void navigate(`/tickets/${other.trim().toUpperCase()}`);
          }}
        >
          <label htmlFor="missing-key">Open another ticket</label>
          <input id="missing-key" value={other} placeholder={`${me.workspace.ticket_prefix}-1`} maxLength={64} onChange={(e) => setOther(e.target.value)} />
          <button type="submit" className="btn btn-small" disabled={!other.trim()}>
            Open
          </button>
        </form>
        <p className="muted small">
          Or search every ticket with <kbd>Ctrl</kbd>+<kbd>K</kbd>.
        </p>
      </div>
    </div>
  );
}

function TicketView({ ticket, tab, setTab }: { ticket: Ticket; tab: Tab; setTab: (tab: Tab) => void }) {
  const me = useMe();
  const navigate = useNavigate();
  const statuses = useStatuses();
  const update = useUpdateTicket(ticket);
  const reopen = useReopenTicket(ticket);
  const neighbours = useQueueNeighbours(ticket.key);
  const [typing, setTyping] = useState(false);
  const [merging, setMerging] = useState(false);
  const [mergeInto, setMergeInto] = useState('');
  const [statusOpen, setStatusOpen] = useState(false);
  const composer = useRef<ComposerHandle>(null);
  const others = usePresence(ticket.key, me.userId, typing);
  const conflict = update.error instanceof TicketConflict;
  const solved = ticket.status_category === 'solved' || ticket.status_category === 'closed';
  const statusLabels = Object.fromEntries((statuses.data ?? []).map((s) => [s.name, s.label]));
  const mine = !!me.userId && ticket.assignee?.id === me.userId;
  const nav = neighbours.data;

  const assignToMe = useCallback(() => {
    if (me.canWrite && me.userId && ticket.assignee?.id !== me.userId) update.mutate({ assignee_id: me.userId });
  }, [me.canWrite, me.userId, ticket.assignee?.id, update]);
  const go = (key: string | null | undefined) => key && void navigate(`/tickets/${key}`);
  const write = (mode: 'public' | 'internal') => {
    if (tab === 'conversation') return composer.current?.focus(mode);
    setTab('conversation');
    // once the tab has rendered the composer
    requestAnimationFrame(() => composer.current?.focus(mode));
  };
  const insertIntoReply = (text: string) => {
    if (tab === 'conversation') return composer.current?.insert(text);
    setTab('conversation');
    requestAnimationFrame(() => composer.current?.insert(text));
  };
  const proposeMerge = (key: string) => {
    setMergeInto(key);
    setMerging(true);
  };
  // While the next ticket loads, this page may still be on screen for a moment: keys act on
  // the ticket in the address bar, never on the one being left.
  const shown = () => urlTicketKey() === ticket.key;
  const move = (direction: 1 | -1) => {
    const key = urlTicketKey();
    const around = storedNeighbours(key) ?? (key === ticket.key ? nav : null);
    const target = direction > 0 ? around?.next : around?.prev;
    go(target ?? (key === ticket.key ? (direction > 0 ? nav?.next : nav?.prev) : null));
  };
  useShortcuts({
    r: () => shown() && me.canWrite && write('public'),
    n: () => shown() && me.canWrite && write('internal'),
    s: () => shown() && me.canWrite && setStatusOpen(true),
    a: () => shown() && assignToMe(),
    j: () => move(1),
    ']': () => move(1),
    k: () => move(-1),
    '[': () => move(-1),
    h: () => shown() && setTab(tab === 'history' ? 'conversation' : 'history'),
  });
  // commands from the palette for the open ticket
  usePageCommands({ reply: () => write('public'), note: () => write('internal'), assign: assignToMe, status: () => setStatusOpen(true) });

  return (
    <div className="ticket-page">
      <div className="ticket-topline">
        <BackLink />
        <nav className="queue-nav" aria-label="Queue navigation">
          <button type="button" className="btn btn-small" disabled={!nav?.prev} onClick={() => go(nav?.prev)} title="Previous ticket (k or [)">
            ‹ <span className="nav-word">Previous</span>
          </button>
          <span className="muted small queue-pos" aria-live="polite">
            {nav ? `${nav.position} of ${nav.count}${nav.complete ? '' : '+'}` : neighbours.isPending ? '' : 'not in this queue'}
          </span>
          <button type="button" className="btn btn-small" disabled={!nav?.next} onClick={() => go(nav?.next)} title="Next ticket (j or ])">
            <span className="nav-word">Next</span> ›
          </button>
          <button
            type="button"
            className="btn btn-small btn-ghost"
            aria-label="Keyboard shortcuts"
            title="Keyboard shortcuts (?)"
            onClick={() => window.dispatchEvent(new CustomEvent(OPEN_SHORTCUTS))}
          >
            ?
          </button>
        </nav>
      </div>
      <header className="ticket-header">
        <div className="ticket-title">
          <div className="ticket-key">
            {ticket.key} <span className="muted">· via {ticket.channel}</span>
          </div>
          <h1>{ticket.subject}</h1>
          <div className="badges">
            <StatusMenu
              ticket={ticket}
              statuses={statuses.data ?? []}
              open={statusOpen}
              onOpenChange={setStatusOpen}
              onPick={(status) => update.mutate({ status })}
              disabled={!me.canWrite || update.isPending}
            />
            <PriorityBadge priority={ticket.priority} />
            <span className="assignee-badge muted">{ticket.assignee ? `Assigned to ${mine ? 'you' : ticket.assignee.name}` : 'Unassigned'}</span>
            {ticket.merged_into && (
              <span className="badge tone-grey">
                Merged into <Link to={`/tickets/${ticket.merged_into}`}>{ticket.merged_into}</Link>
              </span>
            )}
          </div>
        </div>
        <div className="page-actions ticket-actions">
          {me.canWrite && me.userId && !mine && (
            <button type="button" className="btn" disabled={update.isPending} onClick={assignToMe} title="Assign to me (a)">
              Assign to me
            </button>
          )}
          {me.canWrite && solved && (
            <button type="button" className="btn" disabled={reopen.isPending} onClick={() => reopen.mutate()}>
              Reopen
            </button>
          )}
          {me.canWrite && !ticket.merged_into && (
            <button type="button" className="btn" aria-expanded={merging} onClick={() => {
                setMergeInto('');
                setMerging(!merging);
              }}
            >
              Merge…
            </button>
          )}
        </div>
      </header>
      {merging && <MergeDialog key={mergeInto} ticket={ticket} initialInto={mergeInto} onClose={() => setMerging(false)} />}
      {others.length > 0 && (
        <div className="presence-warning" role="alert">
          ⚠ {others.map((u) => u.name ?? 'Another agent').join(', ')} {others.length === 1 ? 'is' : 'are'}{' '}
          {others.some((u) => u.typing) ? 'typing on' : 'viewing'} this ticket too.
        </div>
      )}
      {update.error instanceof TicketConflict && (
        <div className="conflict" role="alert">
          <strong>Someone else changed this ticket.</strong>{' '}
          {update.error.changed.length > 0 ? (
            <>
              Your change was not saved; it is now:
              <ul className="conflict-changes" aria-label="Changed by someone else">
                {describeFieldChanges(update.error.changed, statusLabels).map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </>
          ) : (
            'Your change was not saved; the latest version is shown. '
          )}
          Check it, then make your change again if it is still needed.{' '}
          {me.canWrite && update.variables && (
            <button type="button" className="btn btn-small" onClick={() => update.variables && update.mutate(update.variables)}>
              Apply my change anyway
            </button>
          )}{' '}
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
          {reopen.error instanceof TicketConflict
            ? `Someone else changed this ticket (${describeFieldChanges(reopen.error.changed, statusLabels).join('; ') || 'it moved again'}); it was not reopened. The latest version is shown.`
            : errorMessage(reopen.error)}
        </p>
      )}
      <div className="workspace">
        <div className="workspace-main">
          <div className="tabs" role="tablist" aria-label="Ticket">
            {TABS.map(([id, label]) => (
              <button
                key={id}
                type="button"
                role="tab"
                id={`tab-${id}`}
                aria-selected={tab === id}
                aria-controls={tab === id ? `panel-${id}` : undefined}
                className="tab"
                onClick={() => setTab(id)}
              >
                {label}
              </button>
            ))}
          </div>
          <section role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tabpanel">
            {tab === 'conversation' ? (
              <>
                <Conversation ticket={ticket} />
                {me.canWrite && <Composer ref={composer} ticket={ticket} statuses={statuses.data ?? []} onTyping={setTyping} />}
              </>
            ) : (
              <HistoryTab ticket={ticket} />
            )}
          </section>
        </div>
        <aside className="workspace-side" aria-label="Ticket details">
          <PropertiesPanel ticket={ticket} update={update} />
          <InsightsPanel ticket={ticket} update={update} onInsert={insertIntoReply} onMerge={proposeMerge} />
          <ApprovalsPanel ticket={ticket} />
          <SlaPanel ticket={ticket} />
          <RequesterCard ticket={ticket} statusLabels={statusLabels} />
          <TicketAttachments ticket={ticket} />
          <RelationsPanel ticket={ticket} />
        </aside>
      </div>
    </div>
  );
}
