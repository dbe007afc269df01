import { useEffect, useRef } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import type { Ticket } from '../../api/client';
import { EmptyState, LabelChip, PriorityBadge, Spinner, StatusBadge } from '../../components/ui';
import { useNow } from '../../lib/clock';
import { displayValue, type FieldDef } from '../../lib/customFields';
import { countdown, nextDue, relative } from '../../lib/format';

/** Solved and closed tickets are done: shown muted, never flagged urgent. */
export function isFinished(ticket: Pick<Ticket, 'status_category'>): boolean {
  return ticket.status_category === 'solved' || ticket.status_category === 'closed';
}

export function DueCell({ ticket }: { ticket: Ticket }) {
  const now = useNow();
  const due = nextDue(ticket);
  if (!due) {
    const text = ticket.sla.state === 'paused' ? 'paused' : ticket.sla.state === 'met' ? 'met' : '—';
    return <span className="muted">{text}</span>;
  }
  const { text, overdue } = countdown(due, now);
  const risk = !overdue && ticket.sla.state === 'at_risk';
  return (
    <time dateTime={due} className={overdue ? 'due overdue' : risk ? 'due at-risk' : 'due'} title={new Date(due).toLocaleString()}>
      {text}
    </time>
  );
}

export function TicketTable(props: {
  tickets: Ticket[];
  loading: boolean;
  statusLabels: Record<string, string>;
  selected: Set<string>;
  allSelected: boolean;
  onToggle: (key: string) => void;
  onToggleAll: (on: boolean) => void;
  cursorIndex: number;
  onCursor: (index: number) => void;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
  filtered: boolean;
  onClearFilters: () => void;
  selectable: boolean;
  /** custom fields shown as columns, after Labels */
  fieldColumns?: FieldDef[];
}) {
  const { tickets, selected, cursorIndex, hasMore, loadingMore, loadMore } = props;
  const sentinel = useRef<HTMLDivElement>(null);
  const navigate = useNavigate();
  const now = useNow();

  useEffect(() => {
    const node = sentinel.current;
    if (!node || !hasMore || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !loadingMore) loadMore();
    }, { rootMargin: '400px' });
    observer.observe(node);
    return () => observer.disconnect();
  }, [hasMore, loadingMore, loadMore]);

  useEffect(() => {
    document.querySelector(`[data-row-index="${cursorIndex}"]`)?.scrollIntoView?.({ block: 'nearest' });
  }, [cursorIndex]);

  if (props.loading) return <Spinner label="Loading tickets…" />;
  if (!tickets.length) {
    return props.filtered ? (
      <EmptyState title="No tickets match these filters.">
        Loosen a filter or{' '}
        <button type="button" className="btn-link" onClick={props.onClearFilters}>
          clear them all
        </button>
        .
      </EmptyState>
    ) : (
      <EmptyState title="No tickets yet.">
        Tickets arrive from chat, email, your website form and the API — or <Link to="/tickets/new">create one for a customer</Link>.
      </EmptyState>
    );
  }
  const allOnPage = tickets.every((t) => selected.has(t.key));

  return (
    <div className="table-wrap">
      <table className="tickets">
        <thead>
          <tr>
            {props.selectable && (
              <th className="col-check">
                <input
                  type="checkbox"
                  aria-label="Select all tickets shown"
                  checked={allOnPage || props.allSelected}
                  onChange={(e) => props.onToggleAll(e.target.checked)}
                />
              </th>
            )}
            <th>Key</th>
            <th>Subject</th>
            <th className="col-requester">Requester</th>
            <th>Status</th>
            <th>Priority</th>
            <th className="col-assignee">Assignee</th>
            <th className="col-labels">Labels</th>
            {(props.fieldColumns ?? []).map((f) => (
              <th key={f.key} className="col-field">
                {f.label}
              </th>
            ))}
            <th>SLA due</th>
            <th className="col-updated">Updated</th>
          </tr>
        </thead>
        <tbody>
          {tickets.map((ticket, index) => (
            <tr
              key={ticket.id}
              data-row-index={index}
              data-key={ticket.key}
              className={[
                isFinished(ticket) ? 'finished' : ticket.priority === 'urgent' ? 'urgent' : '',
                index === cursorIndex ? 'cursor' : '',
                selected.has(ticket.key) || props.allSelected ? 'selected' : '',
              ].join(' ')}
              onClick={(e) => {
                props.onCursor(index);
                if ((e.target as HTMLElement).closest('input,a,button')) return;
                void navigate(`/tickets/${ticket.key}`);
              }}
            >
              {props.selectable && (
                <td className="col-check">
                  <input
                    type="checkbox"
                    aria-label={`Select ${ticket.key}`}
                    checked={selected.has(ticket.key) || props.allSelected}
                    onChange={() => props.onToggle(ticket.key)}
                  />
                </td>
              )}
              <td className="key">
                <Link to={`/tickets/${ticket.key}`}>{ticket.key}</Link>
              </td>
              <td className="subject">{ticket.subject}</td>
              <td className="col-requester">{ticket.requester?.name ?? ticket.requester?.email ?? <span className="muted">—</span>}</td>
              <td>
                <StatusBadge status={ticket.status} category={ticket.status_category} label={props.statusLabels[ticket.status]} />
              </td>
              <td>
                <PriorityBadge priority={ticket.priority} />
              </td>
              <td className="col-assignee">{ticket.assignee?.name ?? <span className="muted">Unassigned</span>}</td>
              <td className="col-labels">
                {ticket.labels.slice(0, 3).map((l) => (
                  <LabelChip key={l} name={l} />
                ))}
                {ticket.labels.length > 3 && <span className="muted">+{ticket.labels.length - 3}</span>}
              </td>
              {(props.fieldColumns ?? []).map((f) => (
                <td key={f.key} className="col-field">
                  {displayValue(f, ticket.custom_fields[f.key])}
                </td>
              ))}
              <td>
                <DueCell ticket={ticket} />
              </td>
              <td className="col-updated">
                <time dateTime={ticket.updated_at} title={new Date(ticket.updated_at).toLocaleString()}>
                  {relative(ticket.updated_at, now)}
                </time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div ref={sentinel} className="table-foot">
        {hasMore ? (
          <button type="button" className="btn btn-small" onClick={loadMore} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        ) : (
          <span className="muted">All {tickets.length} tickets shown.</span>
        )}
      </div>
    </div>
  );
}
