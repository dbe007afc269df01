// A macro (canned reply) as its form edits it: name, reply with placeholders, visibility, the
// ticket changes as action rows, shared or personal; to and from the API's JSON
// (src/ticketdesk/macros/schemas.py). The reply is previewed here with sample values, the way
// the server renders it for a ticket; the server still checks it on save (a 422 at `body`).
import type { Schemas } from '../../api/client';
import { actionToJson, newAction, type ActionRow, type ActionType, type Json } from './rules';

export type MacroRead = Schemas['MacroRead'];
export type MacroBody = Schemas['MacroCreate'];
export type Visibility = 'public' | 'internal';

export interface MacroForm {
  name: string;
  body: string;
  visibility: Visibility;
  actions: ActionRow[];
  shared: boolean;
}

/** The automation actions a macro may take (its reply is its body; no emails or notices). */
export const MACRO_ACTION_TYPES: { value: ActionType; label: string }[] = [
  { value: 'set_status', label: 'Set status' },
  { value: 'set_priority', label: 'Set priority' },
  { value: 'assign', label: 'Assign' },
  { value: 'set_team', label: 'Set team' },
  { value: 'add_labels', label: 'Add labels' },
  { value: 'remove_labels', label: 'Remove labels' },
  { value: 'set_type', label: 'Set type' },
  { value: 'set_category', label: 'Set category' },
  { value: 'set_custom_field', label: 'Set custom field' },
];

/** Whoever applies the macro (the API's `assign: "me"`). */
export const ASSIGN_ME = 'me';

/** A macro's fresh action values where they differ from an automation's. */
export const MACRO_DEFAULTS: Partial<Record<ActionType, Json>> = { assign: ASSIGN_ME, set_status: 'solved' };

export function newMacroAction(type: ActionType = 'set_status'): ActionRow {
  const row = newAction(type);
  return type in MACRO_DEFAULTS ? { ...row, value: MACRO_DEFAULTS[type]! } : row;
}

export function emptyMacro(shared: boolean): MacroForm {
  return { name: '', body: '', visibility: 'public', actions: [], shared };
}

export function macroFromRead(macro: MacroRead): MacroForm {
  return {
    name: macro.name,
    body: macro.body ?? '',
    visibility: macro.visibility,
    shared: macro.shared,
    actions: macro.actions.map((a) => ({ ...newAction(), type: a.type as ActionType, value: (a.value ?? null) as Json })),
  };
}

/** The body the API takes: an empty reply is no reply (a macro of changes only). */
export function macroToBody(form: MacroForm): MacroBody {
  const body = form.body.trim() ? form.body : null;
  return {
    name: form.name.trim(),
    body,
    visibility: form.visibility,
    shared: form.shared,
    actions: form.actions.map(actionToJson) as MacroBody['actions'],
  };
}

/** What is wrong before saving, by field path (the server says the rest). */
export function macroProblems(form: MacroForm): Record<string, string> {
  const out: Record<string, string> = {};
  if (!form.name.trim()) out.name = 'Give the macro a name.';
  if (!form.body.trim() && form.actions.length === 0) out.body = 'Write a reply or add a ticket change (or both).';
  const unknown = unknownPlaceholders(form.body);
  if (unknown.length) out.body = `Unknown placeholder ${unknown.map((u) => `{{ ${u} }}`).join(', ')}.`;
  form.actions.forEach((a, i) => {
    if ((a.type === 'add_labels' || a.type === 'remove_labels') && (!Array.isArray(a.value) || a.value.length === 0)) out[`actions.${i}`] = 'Name at least one label.';
    if (a.type === 'set_custom_field' && !(a.value && typeof a.value === 'object' && !Array.isArray(a.value) && a.value.key)) out[`actions.${i}`] = 'Name the custom field.';
  });
  return out;
}

// -- placeholders ----------------------------------------------------------------------------

type Tree = { [key: string]: Tree | null | 'any' };
const PERSON: Tree = { name: null, first_name: null, email: null };
/** The names a reply may use (as src/ticketdesk/macros/render.py PLACEHOLDERS). */
export const PLACEHOLDERS: Tree = {
  ticket: {
    key: null,
    number: null,
    subject: null,
    description: null,
    status: null,
    status_label: null,
    status_category: null,
    priority: null,
    type: null,
    category: null,
    channel: null,
    labels: null,
    custom_fields: 'any',
    requester: PERSON,
    assignee: PERSON,
    team: { name: null },
  },
  requester: PERSON,
  agent: PERSON,
  workspace: { name: null },
};

/** The placeholders offered by the "Insert placeholder" picker, most used first. */
export const COMMON_PLACEHOLDERS: { path: string; label: string }[] = [
  { path: 'requester.first_name', label: 'Requester first name' },
  { path: 'requester.name', label: 'Requester full name' },
  { path: 'ticket.key', label: 'Ticket key' },
  { path: 'ticket.subject', label: 'Ticket subject' },
  { path: 'ticket.status_label', label: 'Ticket status' },
  { path: 'ticket.priority', label: 'Ticket priority' },
  { path: 'ticket.assignee.name', label: 'Assignee name' },
  { path: 'ticket.team.name', label: 'Team name' },
  { path: 'agent.first_name', label: 'Your first name' },
  { path: 'agent.name', label: 'Your full name' },
  { path: 'workspace.name', label: 'Workspace name' },
];

const EXPRESSION = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PATH = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/;

/** `{{ a.b }}` paths that name nothing a ticket has (filters and expressions are left to the server). */
export function unknownPlaceholders(body: string): string[] {
  const out: string[] = [];
  for (const match of body.matchAll(EXPRESSION)) {
    const path = (match[1] ?? '').split('|')[0]!.trim();
    if (!PATH.test(path)) continue;
    let level: Tree | null | 'any' = PLACEHOLDERS;
    const parts = path.split('.');
    for (let i = 0; i < parts.length; i++) {
      if (level === null || level === 'any') break;
      if (!(parts[i]! in level)) {
        const wrong = parts.slice(0, i + 1).join('.');
        if (!out.includes(wrong)) out.push(wrong);
        break;
      }
      level = level[parts[i]!]!;
    }
  }
  return out;
}

function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? '';
}

export type Sample = Record<string, unknown>;

function person(name: string, email: string) {
  return { name, first_name: name.split(' ')[0] ?? '', email };
}

/** Sample values for the preview (as the server's sample ticket), with the agent and workspace real. */
export function sampleContext(agent: { name: string; email: string }, workspace: string): Sample {
  const requester = person('Ada Lovelace', 'ada@example.com');
  return {
    ticket: {
      key: 'TKT-42',
      number: 42,
      subject: 'My order has not arrived',
      description: 'I ordered a lamp two weeks ago.',
      status: 'open',
      status_label: 'Open',
      status_category: 'open',
      priority: 'normal',
      type: 'question',
      category: 'shipping',
      channel: 'email',
      labels: ['shipping'],
      custom_fields: { order_id: '78932' },
      requester,
      assignee: person(agent.name, agent.email),
      team: { name: 'Support' },
    },
    requester,
    agent: person(agent.name, agent.email),
    workspace: { name: workspace },
  };
}

function lookup(context: Sample, path: string): unknown {
  let value: unknown = context;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return '';
    value = (value as Record<string, unknown>)[part];
  }
  return value ?? '';
}

/** The reply with `{{ path }}` filled in from `context`; other template syntax is kept as typed. */
export function renderPreview(body: string, context: Sample): string {
  return body.replace(EXPRESSION, (whole, inner: string) => {
    const path = inner.trim();
    if (!PATH.test(path)) return whole;
    const value = lookup(context, path);
    if (Array.isArray(value)) return value.map(text).join(', ');
    return value !== null && typeof value === 'object' ? '' : text(value);
  });
}

/** Insert `{{ path }}` at the caret (replacing a selection); the caret goes after it. */
export function insertPlaceholder(body: string, start: number, end: number, path: string): { text: string; caret: number } {
  const token = `{{ ${path} }}`;
  return { text: body.slice(0, start) + token + body.slice(end), caret: start + token.length };
}

const ACTION_WORDS: Record<string, string> = {
  set_status: 'status',
  set_priority: 'priority',
  assign: 'assign to',
  set_team: 'team',
  add_labels: 'add labels',
  remove_labels: 'remove labels',
  set_type: 'type',
  set_category: 'category',
  set_custom_field: 'set',
};

/** "status → Solved, assign to me, add labels refund" for a macro's actions. */
export function describeMacroActions(actions: readonly { type?: unknown; value?: unknown }[], nameOf: (field: string, value: Json) => string): string {
  return actions
    .map((a) => {
      const type = text(a.type);
      const value = (a.value ?? null) as Json;
      const words = ACTION_WORDS[type] ?? type.replace(/_/g, ' ');
      if (type === 'assign') return `${words} ${value === ASSIGN_ME ? 'me' : nameOf('assign', value)}`;
      if (type === 'set_custom_field' && value && typeof value === 'object' && !Array.isArray(value)) return `${words} ${text(value.key)} = ${text(value.value)}`;
      if (type === 'add_labels' || type === 'remove_labels') return `${words} ${Array.isArray(value) ? value.map(text).join(', ') : text(value)}`;
      const shown = value === null || value === '' ? 'none' : nameOf(type, value);
      return `${words} → ${shown}`;
    })
    .join(', ');
}
