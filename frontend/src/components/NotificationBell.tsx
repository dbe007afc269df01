// The bell: unread count and the latest notifications from `GET /notifications`; mark one or
// all read. Refreshed by live events (the provider invalidates ['notifications']) or polling.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { api, unwrap, type Schemas } from '../api/client';
import { useLivePollInterval } from '../live/live';
import { relative } from '../lib/format';

type Notification = Schemas['NotificationRead'];

export function describeNotification(n: Pick<Notification, 'kind' | 'ticket' | 'data'>): string {
  const ticket = n.ticket ?? 'a ticket';
  const by = typeof n.data?.by === 'string' && n.data.by ? n.data.by : null;
  const subject = typeof n.data?.subject === 'string' ? n.data.subject : null;
  switch (n.kind) {
    case 'mention':
      return `${by ?? 'Someone'} mentioned you on ${ticket}`;
    case 'assigned':
      return `${ticket} was assigned to you${by ? ` by ${by}` : ''}`;
    case 'watched_change': {
      const fields = Array.isArray(n.data?.fields) ? ` (${(n.data.fields as unknown[]).join(', ')})` : '';
      return `${by ?? 'Someone'} changed ${ticket}${fields}${subject ? ` · ${subject}` : ''}`;
    }
    case 'sla_warning':
      return `${ticket} is about to breach its SLA`;
    default:
      return `${n.kind.replace(/_/g, ' ')}${n.ticket ? ` on ${n.ticket}` : ''}`;
  }
}

export function NotificationBell() {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const poll = useLivePollInterval();
  const list = useQuery({
    queryKey: ['notifications'],
    queryFn: () => unwrap(api.GET('/api/v1/notifications', { params: { query: { limit: 20 } } })),
    refetchInterval: poll === false ? 60_000 : poll,
  });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['notifications'] });
  const markOne = useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/v1/notifications/{notification_id}/read', { params: { path: { notification_id: id } } })),
    onSettled: refresh,
  });
  const markAll = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/notifications/read-all')), onSettled: refresh });
  const unread = list.data?.unread_count ?? 0;
  const items = list.data?.items ?? [];
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => root.current && !root.current.contains(e.target as Node) && setOpen(false);
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <div className="bell" ref={root}>
      <button
        type="button"
        className={open ? 'bell-button open' : 'bell-button'}
        aria-label={`Notifications (${unread} unread)`}
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        <svg className="bell-icon" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
          <path d="M13.73 21a2 2 0 0 1-3.46 0" />
        </svg>
        {/* drawn from data-count by CSS: the button's name says it in words */}
        {unread > 0 && <span className="bell-count" aria-hidden="true" data-count={unread > 99 ? '99+' : String(unread)} />}
      </button>
      {open && (
        <div className="bell-panel" role="dialog" aria-label="Notifications">
          <div className="bell-head">
            <strong>Notifications</strong>
            <button type="button" className="btn-link" disabled={unread === 0 || markAll.isPending} onClick={() => markAll.mutate()}>
              Mark all read
            </button>
          </div>
          {list.isPending ? (
            <p className="muted">Loading…</p>
          ) : list.isError ? (
            <p className="form-error" role="alert">
              Could not load notifications.{' '}
              <button type="button" className="btn-link" onClick={() => void list.refetch()}>
                Try again
              </button>
            </p>
          ) : (
            items.length === 0 && <p className="muted">Nothing yet: mentions, assignments and changes to tickets you watch show up here.</p>
          )}
          <ul className="bell-list">
            {items.map((n) => (
              <li key={n.id} className={n.read ? 'read' : 'unread'}>
                {n.ticket ? (
                  <Link
                    to={`/tickets/${n.ticket}`}
                    onClick={() => {
                      if (!n.read) markOne.mutate(n.id);
                      setOpen(false);
                    }}
                  >
                    {describeNotification(n)}
                  </Link>
                ) : (
                  <span>{describeNotification(n)}</span>
                )}
                <span className="muted bell-time">{relative(n.created_at)}</span>
                {!n.read && (
                  <button type="button" className="btn-link" aria-label="Mark read" onClick={() => markOne.mutate(n.id)}>
                    ✓
                  </button>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
