import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useLivePollInterval } from '../live/live';
import { api, ApiError, ifMatch, unwrap, type Schemas, type Ticket, type TicketUpdate } from './client';
import { fieldsOfUpdate, targetsOfUpdate, TicketConflict, withConflictRetry } from './conflicts';

export { TicketConflict } from './conflicts';

const REFERENCE = { staleTime: 5 * 60_000 };

export function useStatuses() {
  return useQuery({
    queryKey: ['statuses'],
    queryFn: () => unwrap(api.GET('/api/v1/statuses')),
    ...REFERENCE,
  });
}

export function useUsers() {
  return useQuery({ queryKey: ['users'], queryFn: () => unwrap(api.GET('/api/v1/users')), ...REFERENCE });
}

export function useTeams() {
  return useQuery({ queryKey: ['teams'], queryFn: () => unwrap(api.GET('/api/v1/teams')), ...REFERENCE });
}

export function useLabels() {
  return useQuery({
    queryKey: ['labels'],
    queryFn: () => unwrap(api.GET('/api/v1/labels', { params: { query: { limit: 100 } } })),
    ...REFERENCE,
  });
}

export function ticketKeyOf(ref: string): string {
  return ref.toUpperCase();
}

export function useTicket(ref: string) {
  const poll = useLivePollInterval();
  return useQuery({
    queryKey: ['ticket', ticketKeyOf(ref)],
    queryFn: () => unwrap(api.GET('/api/v1/tickets/{ticket}', { params: { path: { ticket: ref } } })),
    refetchInterval: poll,
  });
}

/** Thrown when a change waits for an approver (202): the ticket is as it was. */
export class ApprovalRequested extends Error {
  readonly approval: Schemas['ApprovalRead'];
  constructor(approval: Schemas['ApprovalRead']) {
    super(`This change needs approval (${approval.approver_roles.join(' or ')}): it was requested, and the ticket stays as it is until then.`);
    this.approval = approval;
  }
}

export function fetchTicket(key: string): Promise<Ticket> {
  return unwrap(api.GET('/api/v1/tickets/{ticket}', { params: { path: { ticket: key } } }));
}

export const is412 = (error: unknown) => error instanceof ApiError && error.status === 412;

/**
 * PATCH with If-Match. On a 412 the change is re-applied once on the current version when none
 * of its fields moved since `ticket` (the version the agent saw); else a TicketConflict says
 * what someone else changed.
 */
export async function patchTicket(ticket: Ticket, changes: TicketUpdate): Promise<Ticket> {
  return withConflictRetry({
    base: ticket,
    fields: fieldsOfUpdate(changes),
    targets: targetsOfUpdate(changes),
    is412,
    fetchCurrent: () => fetchTicket(ticket.key),
    attempt: async (version) => {
      const result = await unwrap(
        api.PATCH('/api/v1/tickets/{ticket}', {
          params: { path: { ticket: version.key }, header: { 'if-match': ifMatch(version) } },
          body: changes,
        }),
      );
      if ('approval' in result) throw new ApprovalRequested(result.approval);
      return result;
    },
  });
}

/** Edit a ticket with If-Match; a 412 puts the current state in the cache instead of overwriting. */
export function useUpdateTicket(ticket: Ticket | undefined) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: TicketUpdate) => {
      if (!ticket) throw new Error('Ticket not loaded');
      return patchTicket(ticket, changes);
    },
    onSuccess: (updated) => {
      queryClient.setQueryData(['ticket', updated.key], updated);
      void queryClient.invalidateQueries({ queryKey: ['tickets'] });
      void queryClient.invalidateQueries({ queryKey: ['stats'] });
      void queryClient.invalidateQueries({ queryKey: ['activity', updated.key] });
    },
    onError: (error) => {
      if (error instanceof TicketConflict) {
        queryClient.setQueryData(['ticket', error.current.key], error.current);
        void queryClient.invalidateQueries({ queryKey: ['activity', error.current.key] });
      }
      // the change now waits: the ticket's approvals panel and the badge show it
      if (error instanceof ApprovalRequested) void queryClient.invalidateQueries({ queryKey: ['approvals'] });
    },
  });
}

export function useReopenTicket(ticket: Ticket | undefined) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (): Promise<Ticket> => {
      if (!ticket) throw new Error('Ticket not loaded');
      // reopening only needs the ticket still solved or closed as the agent saw it
      return withConflictRetry({
        base: ticket,
        fields: ['status'],
        is412,
        fetchCurrent: () => fetchTicket(ticket.key),
        attempt: async (version) => {
          const result = await unwrap(
            api.POST('/api/v1/tickets/{ticket}/reopen', {
              params: { path: { ticket: version.key }, header: { 'if-match': ifMatch(version) } },
            }),
          );
          if ('approval' in result) throw new ApprovalRequested(result.approval);
          return result;
        },
      });
    },
    onSuccess: (updated) => {
      queryClient.setQueryData(['ticket', updated.key], updated);
      void queryClient.invalidateQueries({ queryKey: ['tickets'] });
      void queryClient.invalidateQueries({ queryKey: ['activity', updated.key] });
    },
    onError: (error) => {
      if (error instanceof TicketConflict) queryClient.setQueryData(['ticket', error.current.key], error.current);
      if (error instanceof ApprovalRequested) void queryClient.invalidateQueries({ queryKey: ['approvals'] });
    },
  });
}

/** The workspace's custom field definitions (archived ones too, flagged). */
export function useCustomFields() {
  return useQuery({ queryKey: ['custom-fields'], queryFn: () => unwrap(api.GET('/api/v1/custom-fields')), ...REFERENCE });
}

/** The workspace's ticket types with their lifecycles. */
export function useTicketTypes() {
  return useQuery({ queryKey: ['ticket-types'], queryFn: () => unwrap(api.GET('/api/v1/ticket-types')), ...REFERENCE });
}

/** The statuses this caller may move the ticket to now (refetched with each version). */
export function useTransitions(ticket: Pick<Ticket, 'key' | 'version'>) {
  return useQuery({
    queryKey: ['transitions', ticket.key, ticket.version],
    queryFn: () => unwrap(api.GET('/api/v1/tickets/{ticket}/transitions', { params: { path: { ticket: ticket.key } } })),
  });
}

/** Changes waiting for an approver, and how many the caller may decide (the sidebar badge). */
export function useApprovalCounts(enabled = true) {
  const poll = useLivePollInterval();
  return useQuery({ queryKey: ['approvals', 'counts'], queryFn: () => unwrap(api.GET('/api/v1/approvals/counts')), enabled, refetchInterval: poll || 30_000 });
}
