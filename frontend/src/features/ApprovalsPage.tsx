// Changes waiting for an approver: approve in one click (the server re-checks the change against
// the rules and the ticket as it is now), or reject saying why.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, errorMessage, unwrap, type Schemas } from '../api/client';
import { useStatuses, useUsers } from '../api/queries';
import { EmptyState, ErrorState, Spinner } from '../components/ui';
import { valueText } from '../lib/customFields';
import { relative } from '../lib/format';

type Approval = Schemas['ApprovalRead'];
type State = Approval['state'];

const STATES: { value: State; label: string }[] = [
  { value: 'pending', label: 'Pending' },
  { value: 'approved', label: 'Approved' },
  { value: 'rejected', label: 'Rejected' },
];

/** "status → Resolved, refund_amount → 250.00": a PATCH body in words. */
export function describeChanges(changes: Record<string, unknown>, name: (field: string, value: unknown) => string = (_f, v) => valueText(v)): string {
  const parts: string[] = [];
  for (const [field, value] of Object.entries(changes)) {
    if (field === 'custom_fields' && value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) parts.push(`${key} → ${v === null ? 'cleared' : valueText(v)}`);
    } else parts.push(`${field.replace(/_id$/, '')} → ${value === null ? 'cleared' : name(field, value)}`);
  }
  return parts.join(', ') || 'no change';
}

function ApprovalRow({ approval, name }: { approval: Approval; name: (field: string, value: unknown) => string }) {
  const queryClient = useQueryClient();
  const [rejecting, setRejecting] = useState(false);
  const [comment, setComment] = useState('');
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['approvals'] });
    void queryClient.invalidateQueries({ queryKey: ['ticket', approval.ticket] });
    void queryClient.invalidateQueries({ queryKey: ['tickets'] });
  };
  const decide = useMutation({
    mutationFn: ({ approve, text }: { approve: boolean; text?: string }) =>
      approve
        ? unwrap(api.POST('/api/v1/approvals/{approval_id}/approve', { params: { path: { approval_id: approval.id } }, body: text ? { comment: text } : {} }))
        : unwrap(api.POST('/api/v1/approvals/{approval_id}/reject', { params: { path: { approval_id: approval.id } }, body: { comment: text ?? '' } })),
    onSuccess: refresh,
  });
  const pending = approval.state === 'pending';
  const title = `${approval.ticket}: ${describeChanges(approval.changes, name)}`;
  return (
    <li className="card approval" aria-label={title}>
      <div className="approval-head">
        <Link to={`/tickets/${approval.ticket}`}>{approval.ticket}</Link> <strong>{describeChanges(approval.changes, name)}</strong>
      </div>
      <div className="muted small">
        Requested by {approval.requested_by.name ?? approval.requested_by.kind} {relative(approval.created_at)} · approver: {approval.approver_roles.join(' or ')}
        {approval.decided_by && ` · ${approval.state} by ${approval.decided_by.name ?? approval.decided_by.kind}`}
        {approval.comment && ` · “${approval.comment}”`}
      </div>
      {pending && (
        <div className="row">
          <button type="button" className="btn btn-primary btn-small" disabled={decide.isPending} onClick={() => decide.mutate({ approve: true })}>
            Approve
          </button>
          <button type="button" className="btn btn-small" aria-expanded={rejecting} disabled={decide.isPending} onClick={() => setRejecting(!rejecting)}>
            Reject…
          </button>
        </div>
      )}
      {pending && rejecting && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (comment.trim()) decide.mutate({ approve: false, text: comment.trim() });
          }}
        >
          <label>
            <span className="sr-only">Why (the requester reads it)</span>
            <textarea rows={2} required maxLength={5000} placeholder="Why (the requester reads it)" value={comment} onChange={(e) => setComment(e.target.value)} />
          </label>
          <button type="submit" className="btn btn-danger btn-small" disabled={decide.isPending || !comment.trim()}>
            Reject
          </button>
        </form>
      )}
      {decide.isError && (
        <p className="form-error" role="alert">
          {errorMessage(decide.error)}
        </p>
      )}
    </li>
  );
}

export function ApprovalsPage() {
  const [state, setState] = useState<State>('pending');
  const statuses = useStatuses();
  const users = useUsers();
  const list = useQuery({ queryKey: ['approvals', state], queryFn: () => unwrap(api.GET('/api/v1/approvals', { params: { query: { state, limit: 100 } } })) });
  const name = (field: string, value: unknown) => {
    const text = valueText(value);
    if (field === 'status') return statuses.data?.find((s) => s.name === text)?.label ?? text;
    if (field === 'assignee_id') return users.data?.find((u) => u.id === text)?.name ?? text;
    return text;
  };
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
            <ApprovalRow key={a.id} approval={a} name={name} />
          ))}
        </ul>
      )}
    </div>
  );
}
