// Changes waiting for an approver: approve in one click or with a comment (the server re-checks
// the change against the rules and the ticket as it is now), or reject saying why.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { EmptyState, ErrorState, Spinner } from '../components/ui';
import { ApprovalItem, useChangeNames, type Approval } from './ApprovalItem';

type State = Approval['state'];

const STATES: { value: State; label: string }[] = [
  { value: 'pending', label: 'Pending' },
  { value: 'approved', label: 'Approved' },
  { value: 'rejected', label: 'Rejected' },
];

export function ApprovalsPage() {
  const [state, setState] = useState<State>('pending');
  const list = useQuery({ queryKey: ['approvals', state], queryFn: () => unwrap(api.GET('/api/v1/approvals', { params: { query: { state, limit: 100 } } })) });
  const name = useChangeNames();
  return (
    <div className="admin-page">
      <h1>Approvals</h1>
      <p className="muted">Changes a ticket type holds back until an approver agrees. Approving applies the change, checked again against the ticket as it is now.</p>
      <nav className="subnav" aria-label="Approval state">
        {STATES.map((s) => (
          <button key={s.value} type="button" className={s.value === state ? 'subnav-link active' : 'subnav-link'} aria-pressed={s.value === state} onClick={() => setState(s.value)}>
            {s.label}
          </button>
        ))}
      </nav>
      {list.isPending ? (
        <Spinner label="Loading approvals…" />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <EmptyState title={state === 'pending' ? 'Nothing waits for an approver.' : `No ${state} changes.`} />
      ) : (
        <ul className="approvals" aria-label={`${state} approvals`}>
          {list.data.items.map((a) => (
            <ApprovalItem key={a.id} approval={a} name={name} />
          ))}
        </ul>
      )}
    </div>
  );
}
