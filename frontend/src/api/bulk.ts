// Bulk changes through `POST /tickets/bulk`: one request, per-ticket results (a ticket that
// fails — not found, transition not allowed, unknown assignee — does not stop the others).
import { api, unwrap, type Schemas, type Ticket, type TicketListQuery } from './client';

/** At least one change (the generated type marks the defaulted label lists required). */
export type BulkChanges = Partial<Schemas['BulkChanges']>;

export interface BulkResult {
  ticket: string;
  ok: boolean;
  /** why this ticket was not changed: field errors by name when the server gave them */
  error?: { detail: string; status?: number } | null;
  /** the change waits for an approver (not applied) */
  waiting?: boolean;
}

/** A per-ticket refusal in words: its field errors ("'Count' must be at most 5"), else its detail. */
export function refusalText(error: Schemas['Problem'] | null | undefined): string {
  if (!error) return 'failed';
  const messages = (error.errors ?? []).map((e) => e.msg).filter(Boolean);
  return messages.length ? [...new Set(messages)].join(' ') : error.detail || error.title || 'failed';
}

/** The most tickets one request (and "select all matching") covers. */
export const BULK_LIMIT = 1000;

export async function bulkUpdate(keys: string[], changes: BulkChanges): Promise<BulkResult[]> {
  const results: BulkResult[] = [];
  for (let i = 0; i < keys.length; i += BULK_LIMIT) {
    const chunk = keys.slice(i, i + BULK_LIMIT);
    const response = await unwrap(api.POST('/api/v1/tickets/bulk', { body: { tickets: chunk, changes: { add_labels: [], remove_labels: [], ...changes } } }));
    for (const r of response.results) {
      results.push({ ticket: r.ticket, ok: r.ok, waiting: !!r.approval, error: r.ok ? null : { detail: refusalText(r.error), status: r.error?.status } });
    }
  }
  return results;
}

/** Every ticket matching the query (for "select all matching" and export), up to a cap. */
export async function allMatching(query: TicketListQuery, cap = BULK_LIMIT): Promise<Ticket[]> {
  const tickets: Ticket[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await unwrap(
      api.GET('/api/v1/tickets', { params: { query: { ...query, limit: 100, cursor: cursor ?? undefined } } }),
    );
    tickets.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && tickets.length < cap);
  return tickets.slice(0, cap);
}
