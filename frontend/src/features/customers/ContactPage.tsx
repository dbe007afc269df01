// One customer (`/customers/:contactId`): who they are, a rename for agents, and their tickets
// in the queue's own table (`GET /tickets?requester=<email>`).
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api, errorMessage, unwrap } from '../../api/client';
import { useStatuses } from '../../api/queries';
import { useMe } from '../../auth/session';
import { ErrorState, Spinner } from '../../components/ui';
import { absolute, relative } from '../../lib/format';
import { TicketTable } from '../queue/TicketTable';
import { useContact, type Contact } from './api';
import './customers.css';

function RenameForm({ contact, onDone }: { contact: Contact; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(contact.name ?? '');
  const rename = useMutation({
    mutationFn: () =>
      unwrap(api.PATCH('/api/v1/contacts/{contact_id}', { params: { path: { contact_id: contact.id } }, body: { name: name.trim() || null } })),
    onSuccess: (updated) => {
      queryClient.setQueryData(['contact', contact.id], updated);
      void queryClient.invalidateQueries({ queryKey: ['contacts'] });
      void queryClient.invalidateQueries({ queryKey: ['tickets'] });
      onDone();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    rename.mutate();
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <input aria-label="Customer name" value={name} maxLength={200} autoFocus onChange={(e) => setName(e.target.value)} />
      <button type="submit" className="btn btn-small btn-primary" disabled={rename.isPending}>
        Save
      </button>
      <button type="button" className="btn btn-small" onClick={onDone}>
        Cancel
      </button>
      {rename.isError && (
        <span className="form-error" role="alert">
          {errorMessage(rename.error)}
        </span>
      )}
    </form>
  );
}

export function ContactPage() {
  const { contactId = '' } = useParams();
  const me = useMe();
  const contact = useContact(contactId);
  const [editing, setEditing] = useState(false);
  const statuses = useStatuses();
  const statusLabels = useMemo(() => Object.fromEntries((statuses.data ?? []).map((s) => [s.name, s.label])), [statuses.data]);
  const email = contact.data?.email;
  const tickets = useInfiniteQuery({
    queryKey: ['tickets', { requester: email, sort: '-created_at' }],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/tickets', { params: { query: { requester: email!, sort: '-created_at', limit: 50, cursor: pageParam ?? undefined } } })),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    enabled: !!email,
  });
  const [cursorIndex, setCursorIndex] = useState(0);
  const rows = useMemo(() => tickets.data?.pages.flatMap((p) => p.items) ?? [], [tickets.data]);

  if (contact.isPending) return <Spinner label="Loading the customer…" />;
  if (contact.isError) return <ErrorState error={contact.error} title="This customer could not be shown." />;
  const c = contact.data;
  return (
    <div className="admin-page customers-page">
      <Link to="/customers" className="back">
        ← Customers
      </Link>
      <div className="page-header">
        {editing ? <RenameForm contact={c} onDone={() => setEditing(false)} /> : <h1>{c.name ?? c.email}</h1>}
        {!editing && me.canWrite && (
          <button type="button" className="btn btn-small" onClick={() => setEditing(true)}>
            Edit name
          </button>
        )}
      </div>
      <section className="card contact-card" aria-label="Customer details">
        <dl>
          <dt>Email</dt>
          <dd>
            <a href={`mailto:${c.email}`}>{c.email}</a>
          </dd>
          <dt>Organisation</dt>
          <dd>{c.organization ? <Link to={`/?organization=${encodeURIComponent(c.organization)}`}>{c.organization}</Link> : <span className="muted">None (a personal address)</span>}</dd>
          <dt>Tickets</dt>
          <dd>
            {c.tickets_open} open of {c.tickets_total}
          </dd>
          <dt>Last ticket</dt>
          <dd>{c.last_ticket_at ? <span title={absolute(c.last_ticket_at)}>{relative(c.last_ticket_at)}</span> : <span className="muted">—</span>}</dd>
          <dt>Customer since</dt>
          <dd>{absolute(c.created_at)}</dd>
        </dl>
      </section>
      <div className="card-title-row">
        <h2>Their tickets</h2>
        <Link to={`/?requester=${encodeURIComponent(c.email)}`}>Open in the queue</Link>
      </div>
      {tickets.isError ? (
        <ErrorState error={tickets.error} retry={() => void tickets.refetch()} />
      ) : (
        <TicketTable
          tickets={rows}
          loading={tickets.isPending}
          statusLabels={statusLabels}
          selected={new Set()}
          allSelected={false}
          onToggle={() => undefined}
          onToggleAll={() => undefined}
          cursorIndex={cursorIndex}
          onCursor={setCursorIndex}
          hasMore={!!tickets.hasNextPage}
          loadingMore={tickets.isFetchingNextPage}
          loadMore={() => void tickets.fetchNextPage()}
          filtered={false}
          onClearFilters={() => undefined}
          selectable={false}
        />
      )}
    </div>
  );
}
