// The changes to this ticket waiting for an approver, decided right here (approve, or reject
// with a comment) like on the Approvals page. Shows nothing when none wait.
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Ticket } from '../../api/client';
import { useLivePollInterval } from '../../live/live';
import { ApprovalItem, useChangeNames } from '../ApprovalItem';

export function ApprovalsPanel({ ticket }: { ticket: Pick<Ticket, 'key'> }) {
  const poll = useLivePollInterval();
  const name = useChangeNames();
  const pending = useQuery({
    queryKey: ['approvals', 'ticket', ticket.key],
    queryFn: () => unwrap(api.GET('/api/v1/approvals', { params: { query: { state: 'pending', ticket: ticket.key, limit: 20 } } })),
    refetchInterval: poll,
  });
  const items = pending.data?.items ?? [];
  if (!items.length) return null;
  return (
    <section className="card approvals-card" aria-label="Waiting for approval">
      <h2>Waiting for approval</h2>
      <ul className="approvals" aria-label="Pending approvals of this ticket">
        {items.map((a) => (
          <ApprovalItem key={a.id} approval={a} name={name} showTicket={false} />
        ))}
      </ul>
    </section>
  );
}
