// Bulk changes through `POST /tickets/bulk`: one request, per-ticket results (a ticket that
// fails — not found, transition not allowed, unknown assignee — does not stop the others).
import { api, unwrap, type Schemas, type Ticket, type TicketListQuery } from './client';

/** At least one change (the generated type marks the defaulted label lists required). */
export type BulkChanges = Partial<Schemas['BulkChanges']>;

export interface BulkResult {
  ticket: string;
  ok: boolean;
  error?: { detail: string } | null;
}

/** The most tickets one request (and "select all matching") covers. */
export const BULK_LIMIT = 1000;

export async function bulkUpdate(keys: string[], changes: BulkChanges): Promise<BulkResult[]> {
  const results: BulkResult[] = [];
  for (let i = 0; i < keys.length; i += BULK_LIMIT) {
    const chunk = keys.slice(i, i + BULK_LIMIT);
    const response = await unwrap(api.POST('/api/v1/tickets/bulk', { body: { tickets: chunk, changes: { add_labels: [], remove_labels: [], ...changes } } }));
    for (const r of response.results) {
      results.push({ ticket: r.ticket, ok: r.ok, error: r.ok ? null : { detail: r.error?.detail ?? r.error?.title ?? 'failed' } });
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
