// Merge this ticket into another (`POST /tickets/{t}/merge {"into"}`): this one is closed with
// `merged_into`, its comments are kept; the agent lands on the target.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, errorMessage, unwrap, type Ticket } from '../../api/client';

/** A ticket key typed by a person: trimmed, upper-cased; null when it is this ticket or empty. */
export function mergeTarget(input: string, self: string): string | null {
  const key = input.trim().toUpperCase();
  if (!key || key === self.toUpperCase()) return null;
  return key;
}

/** `initialInto`: a target already proposed (a possible duplicate from Insights), to confirm. */
export function MergeDialog({ ticket, onClose, initialInto = '' }: { ticket: Ticket; onClose: () => void; initialInto?: string }) {
  const [into, setInto] = useState(initialInto);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const target = mergeTarget(into, ticket.key);
  const merge = useMutation({
    mutationFn: (key: string) =>
      unwrap(api.POST('/api/v1/tickets/{ticket}/merge', { params: { path: { ticket: ticket.key } }, body: { into: key } })),
    onSuccess: (merged) => {
      void queryClient.invalidateQueries({ queryKey: ['tickets'] });
      void queryClient.invalidateQueries({ queryKey: ['stats'] });
      void queryClient.invalidateQueries({ queryKey: ['ticket', ticket.key] });
      onClose();
      void navigate(`/tickets/${merged.key}`);
    },
  });
  return (
    <form
      className="inline-dialog"
      aria-label="Merge ticket"
      onSubmit={(e) => {
        e.preventDefault();
        if (target) merge.mutate(target);
      }}
    >
      <label>
        Merge {ticket.key} into
        <input autoFocus placeholder="TKT-123" value={into} maxLength={64} onChange={(e) => setInto(e.target.value)} />
      </label>
      <span className="muted">This ticket is closed and points to the other one; nothing is deleted.</span>
      <button type="submit" className="btn btn-primary btn-small" disabled={!target || merge.isPending}>
        {merge.isPending ? 'Merging…' : 'Merge'}
      </button>
      <button type="button" className="btn-link" onClick={onClose}>
        Cancel
      </button>
      {into.trim() && !target && <span className="form-error">A ticket cannot be merged into itself.</span>}
      {merge.isError && (
        <p className="form-error" role="alert">
          {errorMessage(merge.error)}
        </p>
      )}
    </form>
  );
}
