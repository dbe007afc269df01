// Macros (canned replies): `GET /macros?q=`, `POST /tickets/{t}/macros/{id}/preview|apply`.
import { api, ifMatch, unwrap, type Schemas, type Ticket } from '../../api/client';
import { fieldsOfMacro, withConflictRetry } from '../../api/conflicts';
import { fetchTicket, is412 } from '../../api/queries';

export type Visibility = 'public' | 'internal';
export type Macro = Schemas['MacroRead'];
export type Change = { from?: unknown; to?: unknown; added?: string[]; removed?: string[] };
export type MacroPreview = Schemas['MacroPreview'];
export type MacroApplied = Schemas['MacroApplied'];

export function searchMacros(q: string, limit = 20) {
  // `#refund-policy` typed in the composer finds "Refund policy"
  const name = q.replace(/[-_]+/g, ' ').trim();
  return unwrap(api.GET('/api/v1/macros', { params: { query: { limit, q: name || undefined } } }));
}

export function previewMacro(ticket: Pick<Ticket, 'key'>, macroId: string) {
  return unwrap(api.POST('/api/v1/tickets/{ticket}/macros/{macro_id}/preview', { params: { path: { ticket: ticket.key, macro_id: macroId } } }));
}

/**
 * Apply the macro's changes and post the reply (as the agent edited it) in one transaction, on
 * the version the agent sees. A 412 re-applies it once on the current version when none of the
 * fields the macro's actions set moved since; else a TicketConflict says what changed.
 */
export function applyMacro(ticket: Ticket, macro: Pick<Macro, 'id' | 'actions'>, reply: { body?: string; visibility?: Visibility }) {
  return withConflictRetry({
    base: ticket,
    fields: fieldsOfMacro(macro.actions),
    is412,
    fetchCurrent: () => fetchTicket(ticket.key),
    attempt: (version) =>
      unwrap(
        api.POST('/api/v1/tickets/{ticket}/macros/{macro_id}/apply', {
          params: { path: { ticket: version.key, macro_id: macro.id }, header: { 'if-match': ifMatch(version) } },
          body: reply,
        }),
      ),
  });
}

const FIELD_LABEL: Record<string, string> = {
  status: 'Status',
  priority: 'Priority',
  type: 'Type',
  category: 'Category',
  assignee: 'Assignee',
  team: 'Team',
  labels: 'Labels',
  custom_fields: 'Custom fields',
};

function shown(value: unknown, labels: Record<string, string>): string {
  if (value === null || value === undefined || value === '') return 'none';
  if (typeof value === 'string') return labels[value] ?? value.charAt(0).toUpperCase() + value.slice(1).replace(/_/g, ' ');
  if (Array.isArray(value)) return value.length ? value.map((v) => shown(v, labels)).join(', ') : 'none';
  if (typeof value === 'object') {
    const named = value as { name?: string; email?: string };
    if (named.name || named.email) return named.name ?? named.email ?? '';
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${shown(v, labels)}`)
      .join(', ');
  }
  return JSON.stringify(value);
}

/** The changes of a macro preview as lines a person reads: "Status → Resolved", "Labels + refund". */
export function describeChanges(changes: Record<string, Change | Record<string, unknown>>, statusLabels: Record<string, string> = {}): string[] {
  return Object.entries(changes).map(([field, raw]) => {
    const change = raw as Change;
    const label = FIELD_LABEL[field] ?? field.replace(/_/g, ' ');
    if (field === 'labels' && (change.added || change.removed)) {
      const parts = [...(change.added ?? []).map((l) => `+ ${l}`), ...(change.removed ?? []).map((l) => `− ${l}`)];
      return `${label}: ${parts.join(', ')}`;
    }
    const labels = field === 'status' ? statusLabels : {};
    return `${label}: ${shown(change.from, labels)} → ${shown(change.to, labels)}`;
  });
}

/** "#ref" → the macros whose name contains "ref", best first: name starts with it, then by name. */
export function rankMacros<M extends Pick<Macro, 'name'>>(macros: M[], query: string): M[] {
  const q = query.trim().toLowerCase().replace(/[-_]/g, ' ');
  const norm = (name: string) => name.toLowerCase().replace(/[-_]/g, ' ');
  return macros
    .filter((m) => !q || norm(m.name).includes(q))
    .sort((a, b) => Number(norm(b.name).startsWith(q)) - Number(norm(a.name).startsWith(q)) || a.name.localeCompare(b.name));
}
