// Bulk changes in the shape of the documented `POST /tickets/bulk` contract.
// SEAM (capabilities.bulkEndpoint): until that endpoint is in openapi.json, apply each
// ticket's changes with its own PATCH (If-Match), a few at a time; results look the same.
import { api, errorMessage, unwrap, type Ticket, type TicketListQuery, type TicketUpdate } from './client';
import { patchTicket } from './queries';

export interface BulkChanges {
  status?: string;
  priority?: Ticket['priority'];
  assignee_id?: string | null;
  team_id?: string | null;
  add_labels?: string[];
  remove_labels?: string[];
}

export interface BulkResult {
  ticket: string;
  ok: boolean;
  error?: { detail: string };
}

export const BULK_LIMIT = 1000;

function patchFor(ticket: Ticket, changes: BulkChanges): TicketUpdate {
  const update: TicketUpdate = {};
  if (changes.status) update.status = changes.status;
  if (changes.priority) update.priority = changes.priority;
  if (changes.assignee_id !== undefined) update.assignee_id = changes.assignee_id;
  if (changes.team_id !== undefined) update.team_id = changes.team_id;
  if (changes.add_labels?.length || changes.remove_labels?.length) {
    const labels = new Set(ticket.labels);
    changes.add_labels?.forEach((l) => labels.add(l));
    changes.remove_labels?.forEach((l) => labels.delete(l));
    update.labels = [...labels];
  }
  return update;
}

export async function bulkUpdate(keys: string[], changes: BulkChanges, concurrency = 4): Promise<BulkResult[]> {
  const results: BulkResult[] = new Array(keys.length);
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const index = next++;
      const key = keys[index]!;
      try {
        const ticket = await unwrap(api.GET('/api/v1/tickets/{ticket}', { params: { path: { ticket: key } } }));
        await patchTicket(ticket, patchFor(ticket, changes));
        results[index] = { ticket: key, ok: true };
      } catch (error) {
        results[index] = { ticket: key, ok: false, error: { detail: errorMessage(error) } };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker));
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
