// One change waiting for an approver, with its decision: approve in one click or with a comment,
// reject saying why (the API's DecisionComment: required, not blank). The server's refusals (409
// the ticket changed since and the change no longer applies, 403 approving one's own request or
// a role that may not) show next to the control that was used. Used by the Approvals page and
// the ticket page.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'react-router-dom';
import { api, ApiError, errorMessage, unwrap, type Me, type Schemas } from '../api/client';
import { useStatuses, useUsers } from '../api/queries';
import { useMe } from '../auth/session';
import { valueText } from '../lib/customFields';
import { relative } from '../lib/format';

export type Approval = Schemas['ApprovalRead'];
export type NameOf = (field: string, value: unknown) => string;

/** "status → Resolved, refund_amount → 250.00": a PATCH body in words. */
export function describeChanges(changes: Record<string, unknown>, name: NameOf = (_f, v) => valueText(v)): string {
  const parts: string[] = [];
  for (const [field, value] of Object.entries(changes)) {
    if (field === 'custom_fields' && value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) parts.push(`${key} → ${v === null ? 'cleared' : valueText(v)}`);
    } else parts.push(`${field.replace(/_id$/, '')} → ${value === null ? 'cleared' : name(field, value)}`);
  }
  return parts.join(', ') || 'no change';
}

/** Names for the values a held-back change sets: status labels, people's names. */
export function useChangeNames(): NameOf {
  const statuses = useStatuses();
  const users = useUsers();
  return (field, value) => {
    const text = valueText(value);
    if (field === 'status') return statuses.data?.find((s) => s.name === text)?.label ?? text;
    if (field === 'assignee_id') return users.data?.find((u) => u.id === text)?.name ?? text;
    return text;
  };
}

/** A refused decision in words the approver can act on. */
export function decisionError(error: unknown): string {
  const message = errorMessage(error);
  if (error instanceof ApiError && error.status === 409) return `${message} The change was not applied; it is still pending.`;
  return message;
}

/** Whether this caller may decide: a role the gate names, and not the one who asked (the
 * server refuses both with a 403; the buttons are not offered instead). Null when they may,
 * else the reason in words. */
export function decisionBlocked(approval: Approval, me: { role: Me['role']; kind: Me['kind']; id: string | null }): string | null {
  if (!approval.approver_roles.includes(me.role)) return `Waiting for ${approval.approver_roles.join(' or ') || 'an approver'} to decide.`;
  if (approval.requested_by.kind === me.kind && approval.requested_by.id === me.id) return 'You asked for this change: another approver decides.';
  return null;
}

type Decision = { approve: boolean; comment: string | null; from: 'quick' | 'form' };

export function ApprovalItem({ approval, name, showTicket = true }: { approval: Approval; name: NameOf; showTicket?: boolean }) {
  const queryClient = useQueryClient();
  const [commenting, setCommenting] = useState(false);
  const [comment, setComment] = useState('');
  const [tried, setTried] = useState(false);
  const ids = useId();
  const decide = useMutation({
    mutationFn: ({ approve, comment: text }: Decision) =>
      approve
        ? unwrap(api.POST('/api/v1/approvals/{approval_id}/approve', { params: { path: { approval_id: approval.id } }, body: text ? { comment: text } : {} }))
        : unwrap(api.POST('/api/v1/approvals/{approval_id}/reject', { params: { path: { approval_id: approval.id } }, body: { comment: text ?? '' } })),
    onSuccess: () => setCommenting(false),
    // a 409 means the ticket moved on: show it as it is now, the approval still pending
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ['approvals'] });
      void queryClient.invalidateQueries({ queryKey: ['ticket', approval.ticket] });
      void queryClient.invalidateQueries({ queryKey: ['activity', approval.ticket] });
      void queryClient.invalidateQueries({ queryKey: ['tickets'] });
    },
  });
  const me = useMe();
  const blocked = approval.state === 'pending' ? decisionBlocked(approval, { role: me.role, kind: me.kind, id: me.user?.id ?? me.api_token?.id ?? null }) : null;
  const pending = approval.state === 'pending' && blocked === null;
  const what = describeChanges(approval.changes, name);
  const from = decide.variables?.from;
  const text = comment.trim();
  const missingReason = tried && !text;
  const errorAt = (where: 'quick' | 'form') =>
    decide.isError && from === where ? (
      <p id={`${ids}-${where}-error`} className="form-error decision-error" role="alert">
        {decisionError(decide.error)}
      </p>
    ) : null;
  const describedBy = (where: 'quick' | 'form') => (decide.isError && from === where ? `${ids}-${where}-error` : undefined);
  return (
    <li className="card approval" aria-label={`${approval.ticket}: ${what}`}>
      <div className="approval-head">
        {showTicket && (
          <>
            <Link to={`/tickets/${approval.ticket}`}>{approval.ticket}</Link>{' '}
          </>
        )}
        <strong>{what}</strong>
      </div>
      <div className="muted small">
        Requested by {approval.requested_by.name ?? approval.requested_by.kind} {relative(approval.created_at)} · approver: {approval.approver_roles.join(' or ')}
        {approval.decided_by && ` · ${approval.state} by ${approval.decided_by.name ?? approval.decided_by.kind}`}
        {approval.comment && ` · “${approval.comment}”`}
      </div>
      {blocked && <p className="muted small approval-blocked">{blocked}</p>}
      {pending && (
        <div className="row">
          <button
            type="button"
            className="btn btn-primary btn-small"
            disabled={decide.isPending}
            aria-describedby={describedBy('quick')}
            onClick={() => decide.mutate({ approve: true, comment: null, from: 'quick' })}
          >
            Approve
          </button>
          <button type="button" className="btn btn-small" aria-expanded={commenting} aria-controls={`${ids}-form`} disabled={decide.isPending} onClick={() => setCommenting(!commenting)}>
            Reject or comment…
          </button>
        </div>
      )}
      {pending && errorAt('quick')}
      {pending && commenting && (
        <form
          id={`${ids}-form`}
          className="decision-form"
          aria-label={`Decide on ${approval.ticket}`}
          onSubmit={(e) => {
            e.preventDefault();
            setTried(true);
            if (text) decide.mutate({ approve: false, comment: text, from: 'form' });
          }}
        >
          <label className="field">
            <span>Comment</span>
            <textarea
              rows={2}
              maxLength={5000}
              placeholder="Why (the requester reads it)"
              value={comment}
              aria-invalid={missingReason || undefined}
              aria-describedby={missingReason ? `${ids}-reason` : `${ids}-hint`}
              onChange={(e) => setComment(e.target.value)}
            />
            {missingReason ? (
              <span id={`${ids}-reason`} className="field-error" role="alert">
                Say why you reject it: the requester reads it.
              </span>
            ) : (
              <span id={`${ids}-hint`} className="hint">
                Required to reject; optional when approving.
              </span>
            )}
          </label>
          <div className="row">
            <button type="submit" className="btn btn-danger btn-small" disabled={decide.isPending} aria-describedby={describedBy('form')}>
              Reject
            </button>
            <button
              type="button"
              className="btn btn-small"
              disabled={decide.isPending || !text}
              aria-describedby={describedBy('form')}
              onClick={() => decide.mutate({ approve: true, comment: text, from: 'form' })}
            >
              Approve with comment
            </button>
          </div>
          {errorAt('form')}
        </form>
      )}
    </li>
  );
}
