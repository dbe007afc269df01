// A 412 on a ticket edit: the agent acted on an older version than the server's (a ticket
// shown from the cache while it refreshes, another agent, the reply's SLA bookkeeping). Pure
// decisions here, so they are testable without a server: when none of the fields the change
// touches moved since the version the agent saw, the change is re-applied once on the new
// version; otherwise the agent is told what changed, with the new values.
import type { Schemas, Ticket, TicketUpdate } from './client';

/** A ticket field as an agent sees it: `assignee`, `labels`, `custom_fields.order_id`, … */
export type Field = string;
/** A macro's action as `MacroRead.actions` lists it: `{ type: 'set_status', value: 'waiting' }`. */
export type MacroAction = Pick<Schemas['MacroAction'], 'value'> & { type?: unknown };

/** One field someone else changed: what the agent saw, and what it is now (both shown). */
export type FieldChange = { field: Field; label: string; before: string; now: string };

export type Decision = { retry: true } | { retry: false; changed: FieldChange[] };

const UPDATE_FIELD: Record<string, Field> = { assignee_id: 'assignee', team_id: 'team' };

/** The fields a PATCH body changes (custom fields one by one: the server merges them). */
export function fieldsOfUpdate(changes: TicketUpdate): Field[] {
  const fields: Field[] = [];
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (key === 'custom_fields' && value && typeof value === 'object') {
      for (const name of Object.keys(value)) fields.push(`custom_fields.${name}`);
    } else fields.push(UPDATE_FIELD[key] ?? key);
  }
  return fields;
}

/** The values a PATCH body asks for, by field: a field already at its target is no conflict. */
export function targetsOfUpdate(changes: TicketUpdate): Record<Field, unknown> {
  const targets: Record<Field, unknown> = {};
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (key === 'custom_fields' && value && typeof value === 'object') {
      for (const [name, v] of Object.entries(value as Record<string, unknown>)) targets[`custom_fields.${name}`] = v ?? null;
    } else targets[UPDATE_FIELD[key] ?? key] = normalise(key === 'labels' ? 'labels' : '', value);
  }
  return targets;
}

const ACTION_FIELD: Record<string, Field> = {
  set_status: 'status',
  set_priority: 'priority',
  set_type: 'type',
  set_category: 'category',
  set_team: 'team',
  assign: 'assignee',
  add_labels: 'labels',
  remove_labels: 'labels',
};

/** The fields a macro's actions change (its reply is the agent's text and never conflicts). */
export function fieldsOfMacro(actions: readonly MacroAction[]): Field[] {
  const fields = new Set<Field>();
  for (const action of actions) {
    const type = String(action.type);
    if (type === 'set_custom_field') {
      const key = (action.value as { key?: unknown } | null)?.key;
      fields.add(typeof key === 'string' ? `custom_fields.${key}` : 'custom_fields');
    } else fields.add(ACTION_FIELD[type] ?? type);
  }
  return [...fields];
}

function normalise(field: Field, value: unknown): unknown {
  if (value === undefined) return null;
  if (field === 'labels' && Array.isArray(value)) return [...(value as string[])].sort();
  return value;
}

/** A field's value for comparing two versions: people by id, labels in any order. */
export function valueOf(ticket: Ticket, field: Field): unknown {
  if (field === 'assignee') return ticket.assignee?.id ?? null;
  if (field === 'team') return ticket.team?.id ?? null;
  if (field.startsWith('custom_fields.')) return normalise(field, ticket.custom_fields?.[field.slice('custom_fields.'.length)]);
  return normalise(field, (ticket as Record<string, unknown>)[field]);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const LABEL: Record<string, string> = {
  status: 'Status',
  priority: 'Priority',
  type: 'Type',
  category: 'Category',
  assignee: 'Assignee',
  team: 'Team',
  labels: 'Labels',
  subject: 'Subject',
  description: 'Description',
  custom_fields: 'Custom fields',
};

/** A field's value as a person reads it (status names go through the status labels later). */
export function shownValue(ticket: Ticket, field: Field): string {
  if (field === 'assignee') return ticket.assignee?.name ?? 'nobody';
  if (field === 'team') return ticket.team?.name ?? 'no team';
  const value = valueOf(ticket, field);
  if (value === null || value === '') return 'none';
  if (Array.isArray(value)) return value.length ? value.join(', ') : 'none';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function labelOf(field: Field): string {
  if (field.startsWith('custom_fields.')) return field.slice('custom_fields.'.length).replace(/_/g, ' ');
  return LABEL[field] ?? field.replace(/_/g, ' ');
}

/** The fields (of those given) that differ between the version the agent saw and the current one. */
export function changedFields(base: Ticket, current: Ticket, fields: readonly Field[]): FieldChange[] {
  const watched = fields.includes('custom_fields') ? [...fields.filter((f) => f !== 'custom_fields'), ...customKeys(base, current)] : fields;
  return [...new Set(watched)]
    .filter((field) => !same(valueOf(base, field), valueOf(current, field)))
    .map((field) => ({ field, label: labelOf(field), before: shownValue(base, field), now: shownValue(current, field) }));
}

function customKeys(a: Ticket, b: Ticket): Field[] {
  return [...new Set([...Object.keys(a.custom_fields ?? {}), ...Object.keys(b.custom_fields ?? {})])].map((k) => `custom_fields.${k}`);
}

/**
 * After a 412: re-apply when no field the change touches moved between the agent's version
 * (`base`) and the server's (`current`). A field someone else already set to what the agent
 * asks for (`targets`) is no conflict either: the outcome the agent wants holds.
 */
export function decideOn412(base: Ticket, current: Ticket, fields: readonly Field[], targets: Record<Field, unknown> = {}): Decision {
  const changed = changedFields(base, current, fields).filter(
    (c) => !(c.field in targets && same(valueOf(current, c.field), targets[c.field])),
  );
  return changed.length ? { retry: false, changed } : { retry: true };
}

/** "Status: In progress → Waiting" for each field someone else changed. */
export function describeFieldChanges(changed: readonly FieldChange[], statusLabels: Record<string, string> = {}): string[] {
  const shown = (c: FieldChange, v: string) => (c.field === 'status' ? (statusLabels[v] ?? v) : v);
  return changed.map((c) => `${c.label}: ${shown(c, c.before)} → ${shown(c, c.now)}`);
}

/** Thrown when the ticket changed under the agent (412); carries the current state and what moved. */
export class TicketConflict extends Error {
  readonly current: Ticket;
  readonly changed: FieldChange[];
  constructor(current: Ticket, changed: FieldChange[] = []) {
    super(
      changed.length
        ? `Someone else changed this ticket: ${describeFieldChanges(changed).join('; ')}. Your change was not saved.`
        : 'Someone else changed this ticket while you were editing it.',
    );
    this.current = current;
    this.changed = changed;
  }
}

/** Whether an error is the server's 412 (If-Match no longer the ticket's version). */
export type Is412 = (error: unknown) => boolean;

/**
 * Run `attempt` on the agent's version; on a 412, fetch the current ticket and either re-run it
 * once on that version (nothing the agent changes moved) or throw a TicketConflict. A second
 * 412 (the ticket moved again meanwhile) is a conflict too: no loop against a busy ticket.
 */
export async function withConflictRetry<T>(options: {
  base: Ticket;
  fields: readonly Field[];
  targets?: Record<Field, unknown>;
  attempt: (version: Ticket) => Promise<T>;
  fetchCurrent: () => Promise<Ticket>;
  is412: Is412;
}): Promise<T> {
  const { base, fields, targets, attempt, fetchCurrent, is412 } = options;
  try {
    return await attempt(base);
  } catch (error) {
    if (!is412(error)) throw error;
  }
  const current = await fetchCurrent();
  const decision = decideOn412(base, current, fields, targets);
  if (!decision.retry) throw new TicketConflict(current, decision.changed);
  try {
    return await attempt(current);
  } catch (error) {
    if (!is412(error)) throw error;
  }
  const latest = await fetchCurrent();
  throw new TicketConflict(latest, changedFields(base, latest, fields));
}
