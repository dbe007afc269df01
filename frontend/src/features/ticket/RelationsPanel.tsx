// Links (`/tickets/{t}/links`) and watchers (`/tickets/{t}/watchers`) of a ticket.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, errorMessage, unwrap, type Schemas, type Ticket } from '../../api/client';
import { useMe } from '../../auth/session';

type LinkKind = Schemas['LinkCreate']['kind'];

export const RELATION_LABELS: Record<Schemas['LinkRead']['relation'], string> = {
  related: 'Related to',
  duplicate_of: 'Duplicate of',
  duplicated_by: 'Duplicated by',
  blocks: 'Blocks',
  blocked_by: 'Blocked by',
};

export function RelationsPanel({ ticket }: { ticket: Ticket }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const path = { params: { path: { ticket: ticket.key } } };
  const links = useQuery({ queryKey: ['links', ticket.key], queryFn: () => unwrap(api.GET('/api/v1/tickets/{ticket}/links', path)) });
  const watchers = useQuery({
    queryKey: ['watchers', ticket.key],
    queryFn: () => unwrap(api.GET('/api/v1/tickets/{ticket}/watchers', path)),
  });
  const [other, setOther] = useState('');
  const [kind, setKind] = useState<LinkKind>('related');
  const refresh = (what: string) => () => {
    void queryClient.invalidateQueries({ queryKey: [what, ticket.key] });
    void queryClient.invalidateQueries({ queryKey: ['activity', ticket.key] });
  };
  const addLink = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/v1/tickets/{ticket}/links', { ...path, body: { ticket: other.trim().toUpperCase(), kind } })),
    onSuccess: () => setOther(''),
    onSettled: refresh('links'),
  });
  const removeLink = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE('/api/v1/tickets/{ticket}/links/{link_id}', { params: { path: { ticket: ticket.key, link_id: id } } })),
    onSettled: refresh('links'),
  });
  const watching = !!me.userId && (watchers.data ?? []).some((w) => w.id === me.userId);
  const toggleWatch = useMutation({
    mutationFn: () => {
      const params = { params: { path: { ticket: ticket.key, user_id: me.userId! } } };
      return unwrap(
        watching ? api.DELETE('/api/v1/tickets/{ticket}/watchers/{user_id}', params) : api.PUT('/api/v1/tickets/{ticket}/watchers/{user_id}', params),
      );
    },
    onSettled: refresh('watchers'),
  });

  return (
    <>
      <section className="card" aria-label="Watchers">
        <div className="card-title-row">
          <h2>Watchers</h2>
          {me.userId && (
            <button type="button" className="btn btn-small" disabled={toggleWatch.isPending || watchers.isPending} onClick={() => toggleWatch.mutate()}>
              {watching ? 'Unwatch' : 'Watch'}
            </button>
          )}
        </div>
        {(watchers.data ?? []).length === 0 ? (
          <p className="muted">Nobody watches this ticket.</p>
        ) : (
          <ul className="plain-list">
            {watchers.data!.map((w) => (
              <li key={w.id} title={w.email}>
                {w.name}
                {w.id === me.userId && <span className="muted"> (you)</span>}
              </li>
            ))}
          </ul>
        )}
        {toggleWatch.isError && <p className="form-error">{errorMessage(toggleWatch.error)}</p>}
      </section>
      <section className="card" aria-label="Linked tickets">
        <h2>Linked tickets</h2>
        {(links.data ?? []).length === 0 && <p className="muted">No linked tickets.</p>}
        <ul className="plain-list">
          {(links.data ?? []).map((l) => (
            <li key={l.id}>
              <span className="muted">{RELATION_LABELS[l.relation]}</span> <Link to={`/tickets/${l.ticket.key}`}>{l.ticket.key}</Link>{' '}
              <span className="link-subject">{l.ticket.subject}</span>
              {me.canWrite && (
                <button type="button" className="btn-link" aria-label={`Remove link to ${l.ticket.key}`} onClick={() => removeLink.mutate(l.id)}>
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
        {me.canWrite && (
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (other.trim()) addLink.mutate();
            }}
          >
            <select aria-label="Link kind" value={kind} onChange={(e) => setKind(e.target.value as LinkKind)}>
              <option value="related">Related to</option>
              <option value="duplicate">Duplicate of</option>
              <option value="blocks">Blocks</option>
            </select>
            <input aria-label="Ticket to link" placeholder="TKT-123" value={other} maxLength={64} onChange={(e) => setOther(e.target.value)} />
            <button type="submit" className="btn btn-small" disabled={!other.trim() || addLink.isPending}>
              Link
            </button>
          </form>
        )}
        {(addLink.isError || removeLink.isError) && <p className="form-error">{errorMessage(addLink.error ?? removeLink.error)}</p>}
      </section>
    </>
  );
}
