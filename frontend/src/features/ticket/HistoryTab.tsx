import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Activity, type Ticket } from '../../api/client';
import { useStatuses } from '../../api/queries';
import { EmptyState, ErrorState, Spinner } from '../../components/ui';
import { absolute } from '../../lib/format';

export const ACTIVITY_TYPES = [
  'ticket.created',
  'ticket.status_changed',
  'ticket.priority_changed',
  'ticket.assigned',
  'ticket.team_changed',
  'ticket.labels_changed',
  'ticket.comment_added',
  'ticket.reopened',
  'ticket.merged',
  'ticket.split',
  'ticket.sla_breached',
  'ticket.macro_applied',
  'ticket.survey_sent',
  'ticket.csat_received',
];

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return 'nothing';
  if (Array.isArray(value)) return value.length ? value.join(', ') : 'none';
  if (typeof value === 'object') {
    const named = value as { name?: string; email?: string };
    return named.name ?? named.email ?? JSON.stringify(value);
  }
  if (typeof value === 'string') return value;
  // what else JSON holds: a number or a boolean
  return JSON.stringify(value);
}

/** One sentence per event: "changed status from open to resolved". */
export function describeActivity(event: Activity, statusLabels: Record<string, string> = {}): string {
  const data = event.data as { from?: unknown; to?: unknown; visibility?: string };
  const field = event.type.replace(/^ticket\./, '').replace(/_changed$/, '').replace(/_/g, ' ');
  if (event.type === 'ticket.created') return 'created the ticket';
  if (event.type === 'ticket.assigned') return data.to ? `assigned it to ${show(data.to)}` : 'unassigned it';
  if (event.type === 'ticket.comment_added') return data.visibility === 'internal' ? 'added an internal note' : 'replied';
  if (event.type === 'ticket.sla_breached') return 'breached the SLA';
  if (event.type === 'ticket.macro_applied') {
    const macro = (event.data as { macro?: { name?: string } }).macro;
    return macro?.name ? `applied the macro “${macro.name}”` : 'applied a macro';
  }
  if (event.type === 'ticket.survey_sent') return 'sent the satisfaction survey';
  if (event.type === 'ticket.csat_received') {
    const answer = event.data as { rating?: unknown; comment?: string | null };
    const rating = typeof answer.rating === 'number' ? `${answer.rating} of 5` : show(answer.rating);
    return `rated the support ${rating}${answer.comment ? `: “${answer.comment}”` : ''}`;
  }
  if (event.type === 'ticket.status_changed') {
    const label = (v: unknown) => (typeof v === 'string' ? (statusLabels[v] ?? v) : show(v));
    return `changed status from ${label(data.from)} to ${label(data.to)}`;
  }
  if ('from' in data || 'to' in data) return `changed ${field} from ${show(data.from)} to ${show(data.to)}`;
  return field;
}

export function HistoryTab({ ticket }: { ticket: Ticket }) {
  const [type, setType] = useState('');
  const statuses = useStatuses();
  const statusLabels = Object.fromEntries((statuses.data ?? []).map((s) => [s.name, s.label]));
  const activity = useInfiniteQuery({
    queryKey: ['activity', ticket.key, type, ticket.version],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/tickets/{ticket}/activity', {
          params: { path: { ticket: ticket.key }, query: { type: type || undefined, limit: 100, cursor: pageParam ?? undefined } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  const items = activity.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="history">
      <label className="filter">
        <span className="sr-only">Event type</span>
        <select aria-label="Event type" value={type} onChange={(e) => setType(e.target.value)}>
          <option value="">All events</option>
          {ACTIVITY_TYPES.map((t) => (
            <option key={t} value={t}>
              {t.replace('ticket.', '').replace(/_/g, ' ')}
            </option>
          ))}
        </select>
      </label>
      {activity.isPending ? (
        <Spinner label="Loading history…" />
      ) : activity.isError ? (
        <ErrorState error={activity.error} retry={() => void activity.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No events of this type.">Pick “All events” to see the full timeline.</EmptyState>
      ) : (
        <ol className="timeline">
          {items.map((event) => (
            <li key={event.id} data-type={event.type}>
              <span className="timeline-dot" aria-hidden="true" />
              <div>
                <strong>{event.actor.name ?? event.actor.kind}</strong> {describeActivity(event, statusLabels)}
                {event.actor.kind === 'system' && <span className="tag">system</span>}
              </div>
              <time className="muted" dateTime={event.created_at}>
                {absolute(event.created_at)}
              </time>
            </li>
          ))}
        </ol>
      )}
      {activity.hasNextPage && (
        <button type="button" className="btn btn-small" onClick={() => void activity.fetchNextPage()}>
          Show more
        </button>
      )}
    </div>
  );
}
