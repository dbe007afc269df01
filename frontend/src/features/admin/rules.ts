// The automation rule builder's model: conditions (field / operator / value, in all/any groups
// nested up to three levels) and actions (a type and a value of the shape that type takes), to
// and from the API's JSON (src/ticketdesk/automations/schemas.py).
import type { Schemas } from '../../api/client';

export type Trigger = Schemas['AutomationCreate']['trigger'];
export type ActionType = Schemas['Action']['type'];
export type Operator = 'is' | 'is_not' | 'contains' | 'not_contains' | 'starts_with' | 'matches' | 'in' | 'gt' | 'gte' | 'lt' | 'lte' | 'is_empty';
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export const TRIGGERS: { value: Trigger; label: string; hint: string }[] = [
  { value: 'ticket.created', label: 'A ticket is created', hint: 'Runs once, as the ticket is created.' },
  { value: 'ticket.updated', label: 'A ticket is updated', hint: 'Runs after every change to a ticket.' },
  { value: 'schedule', label: 'Every minute (schedule)', hint: 'Checks open tickets every minute; use time conditions such as hours in status.' },
];

export type FieldKind = 'text' | 'choice' | 'slug' | 'user' | 'team' | 'labels' | 'number' | 'custom';

export const CONDITION_FIELDS: { value: string; label: string; kind: FieldKind }[] = [
  { value: 'subject', label: 'Subject', kind: 'text' },
  { value: 'description', label: 'Description', kind: 'text' },
  { value: 'requester_email', label: 'Requester email', kind: 'text' },
  { value: 'requester_domain', label: 'Requester domain', kind: 'text' },
  { value: 'channel', label: 'Channel', kind: 'choice' },
  { value: 'status', label: 'Status', kind: 'choice' },
  { value: 'status_category', label: 'Status category', kind: 'choice' },
  { value: 'priority', label: 'Priority', kind: 'choice' },
  { value: 'type', label: 'Type', kind: 'choice' },
  { value: 'category', label: 'Category', kind: 'slug' },
  { value: 'assignee', label: 'Assignee', kind: 'user' },
  { value: 'team', label: 'Team', kind: 'team' },
  { value: 'labels', label: 'Labels', kind: 'labels' },
  { value: 'hours_since_created', label: 'Hours since created', kind: 'number' },
  { value: 'hours_since_updated', label: 'Hours since updated', kind: 'number' },
  { value: 'hours_in_status', label: 'Hours in current status', kind: 'number' },
];
export const CUSTOM_PREFIX = 'custom_fields.';

export const OPERATOR_LABELS: Record<Operator, string> = {
  is: 'is',
  is_not: 'is not',
  contains: 'contains',
  not_contains: 'does not contain',
  starts_with: 'starts with',
  matches: 'matches pattern',
  in: 'is any of',
  gt: 'is more than',
  gte: 'is at least',
  lt: 'is less than',
  lte: 'is at most',
  is_empty: 'is empty',
};

const OPERATORS: Record<FieldKind, Operator[]> = {
  text: ['contains', 'not_contains', 'is', 'is_not', 'starts_with', 'matches', 'is_empty'],
  choice: ['is', 'is_not', 'in', 'is_empty'],
  slug: ['is', 'is_not', 'in', 'contains', 'starts_with', 'is_empty'],
  user: ['is', 'is_not', 'in', 'is_empty'],
  team: ['is', 'is_not', 'in', 'is_empty'],
  labels: ['contains', 'not_contains', 'in', 'is_empty'],
  number: ['gte', 'gt', 'lte', 'lt', 'is'],
  custom: ['is', 'is_not', 'contains', 'in', 'gt', 'gte', 'lt', 'lte', 'is_empty'],
};

/** Labels read better with "includes" than "contains". */
export function operatorLabel(kind: FieldKind, op: Operator): string {
  if (kind === 'labels') return { contains: 'include', not_contains: 'do not include', in: 'include any of', is_empty: 'are empty' }[op as string] ?? OPERATOR_LABELS[op];
  return OPERATOR_LABELS[op];
}

export function fieldKind(field: string): FieldKind {
  return CONDITION_FIELDS.find((f) => f.value === field)?.kind ?? 'custom';
}

export function operatorsFor(field: string): Operator[] {
  return OPERATORS[fieldKind(field)];
}

export const NUMERIC_OPS: readonly Operator[] = ['gt', 'gte', 'lt', 'lte'];

let seq = 0;
const nextId = () => `r${++seq}`;

export interface ConditionRow {
  kind: 'condition';
  id: string;
  field: string;
  op: Operator;
  value: Json;
}
export interface GroupRow {
  kind: 'group';
  id: string;
  all: Row[];
  any: Row[];
}
export type Row = ConditionRow | GroupRow;
export interface Conditions {
  all: Row[];
  any: Row[];
}
export interface ActionRow {
  id: string;
  type: ActionType;
  value: Json;
}
export interface RuleForm {
  name: string;
  trigger: Trigger;
  active: boolean;
  conditions: Conditions;
  actions: ActionRow[];
}

export const MAX_DEPTH = 3;

/** A JSON value as text for a person: lists joined, objects as JSON. */
export function jsonText(value: Json | undefined): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(jsonText).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The value a fresh condition on `field` with `op` starts with. */
export function defaultValue(field: string, op: Operator): Json {
  if (op === 'is_empty') return null;
  if (op === 'in') return [];
  if (NUMERIC_OPS.includes(op) || fieldKind(field) === 'number') return 24;
  if (field === 'priority') return 'urgent';
  if (field === 'channel') return 'email';
  if (field === 'status') return 'open';
  if (field === 'status_category') return 'open';
  if (fieldKind(field) === 'user' || fieldKind(field) === 'team') return null;
  return '';
}

export function newCondition(field = 'subject'): ConditionRow {
  const op = operatorsFor(field)[0]!;
  return { kind: 'condition', id: nextId(), field, op, value: defaultValue(field, op) };
}

export function newGroup(): GroupRow {
  return { kind: 'group', id: nextId(), all: [newCondition()], any: [] };
}

/** A condition with a new field: the operator and value reset when they no longer fit. */
export function withField(row: ConditionRow, field: string): ConditionRow {
  const ops = operatorsFor(field);
  const op = ops.includes(row.op) ? row.op : ops[0]!;
  const keep = fieldKind(field) === fieldKind(row.field) && op === row.op;
  return { ...row, field, op, value: keep ? row.value : defaultValue(field, op) };
}

export function withOperator(row: ConditionRow, op: Operator): ConditionRow {
  const wasList = row.op === 'in';
  const isList = op === 'in';
  const numeric = NUMERIC_OPS.includes(op) !== NUMERIC_OPS.includes(row.op);
  let value = row.value;
  if (op === 'is_empty') value = null;
  else if (isList && !wasList) value = row.value === null || row.value === '' ? [] : [row.value];
  else if (!isList && wasList) value = Array.isArray(row.value) ? (row.value[0] ?? defaultValue(row.field, op)) : defaultValue(row.field, op);
  else if (numeric || row.op === 'is_empty') value = defaultValue(row.field, op);
  return { ...row, op, value };
}

/** What is wrong with a condition before it goes to the server, in words (null: fine). */
export function conditionProblem(row: ConditionRow): string | null {
  if (row.field.startsWith(CUSTOM_PREFIX) && row.field.length === CUSTOM_PREFIX.length) return 'Name the custom field.';
  if (row.op === 'is_empty') return null;
  if (NUMERIC_OPS.includes(row.op)) return typeof row.value === 'number' && Number.isFinite(row.value) ? null : 'Give a number.';
  if (row.op === 'in') return Array.isArray(row.value) && row.value.length > 0 ? null : 'Pick at least one value.';
  if ((row.op === 'is' || row.op === 'is_not') && row.value === null) return null;
  if (row.value === null || row.value === '') return 'Give a value.';
  return null;
}

function rowProblems(rows: Row[], out: Map<string, string>) {
  for (const row of rows) {
    if (row.kind === 'group') {
      rowProblems(row.all, out);
      rowProblems(row.any, out);
    } else {
      const problem = conditionProblem(row);
      if (problem) out.set(row.id, problem);
    }
  }
}

/** Every condition's problem by row id. */
export function conditionProblems(conditions: Conditions): Map<string, string> {
  const out = new Map<string, string>();
  rowProblems(conditions.all, out);
  rowProblems(conditions.any, out);
  return out;
}

function rowToJson(row: Row): Record<string, Json> {
  if (row.kind === 'group') return { all: row.all.map(rowToJson), any: row.any.map(rowToJson) };
  if (row.op === 'is_empty') return { field: row.field, op: row.op };
  return { field: row.field, op: row.op, value: row.value };
}

function rowFromJson(item: unknown): Row {
  const node = (item ?? {}) as Record<string, unknown>;
  if ('all' in node || 'any' in node) {
    return { kind: 'group', id: nextId(), all: listFromJson(node.all), any: listFromJson(node.any) };
  }
  const field = typeof node.field === 'string' ? node.field : 'subject';
  const op = (typeof node.op === 'string' ? node.op : 'is') as Operator;
  return { kind: 'condition', id: nextId(), field, op, value: (node.value ?? null) as Json };
}

function listFromJson(items: unknown): Row[] {
  return Array.isArray(items) ? items.map(rowFromJson) : [];
}

export function conditionsFromJson(conditions: unknown): Conditions {
  const node = (conditions ?? {}) as Record<string, unknown>;
  return { all: listFromJson(node.all), any: listFromJson(node.any) };
}

export function conditionsToJson(conditions: Conditions): { all: Record<string, Json>[]; any: Record<string, Json>[] } {
  return { all: conditions.all.map(rowToJson), any: conditions.any.map(rowToJson) };
}

/** The value a fresh action of `type` starts with. */
export function defaultActionValue(type: ActionType, choices: { teams?: string[]; templates?: string[] } = {}): Json {
  switch (type) {
    case 'set_status':
      return 'open';
    case 'set_priority':
      return 'high';
    case 'set_type':
      return 'question';
    case 'set_category':
      return '';
    case 'set_team':
      return choices.teams?.[0] ?? null;
    case 'assign':
      return 'round_robin';
    case 'add_labels':
    case 'remove_labels':
      return [];
    case 'set_custom_field':
      return { key: '', value: '' };
    case 'add_comment':
      return { body: '', visibility: 'internal' };
    case 'send_email':
      return { template: choices.templates?.[0] ?? 'ticket_opened', to: 'requester' };
    case 'notify':
      return ['assignee'];
    case 'send_survey':
      return null;
  }
}

export const ACTION_TYPES: { value: ActionType; label: string }[] = [
  { value: 'set_status', label: 'Set status' },
  { value: 'set_priority', label: 'Set priority' },
  { value: 'set_type', label: 'Set type' },
  { value: 'set_category', label: 'Set category' },
  { value: 'set_team', label: 'Set team' },
  { value: 'assign', label: 'Assign' },
  { value: 'add_labels', label: 'Add labels' },
  { value: 'remove_labels', label: 'Remove labels' },
  { value: 'set_custom_field', label: 'Set custom field' },
  { value: 'add_comment', label: 'Add a comment' },
  { value: 'send_email', label: 'Send an email' },
  { value: 'notify', label: 'Notify agents' },
  { value: 'send_survey', label: 'Send the CSAT survey' },
];

export function newAction(type: ActionType = 'add_labels', choices?: { teams?: string[]; templates?: string[] }): ActionRow {
  return { id: nextId(), type, value: defaultActionValue(type, choices) };
}

/** An action's value as the API takes it (an empty category clears it). */
export function actionToJson(action: ActionRow): { type: ActionType; value: Json } {
  if ((action.type === 'set_category' || action.type === 'set_type') && action.value === '') return { type: action.type, value: null };
  return { type: action.type, value: action.value };
}

export function emptyRule(): RuleForm {
  return { name: '', trigger: 'ticket.created', active: true, conditions: { all: [newCondition()], any: [] }, actions: [newAction()] };
}

export function ruleFromRead(rule: Pick<Schemas['AutomationRead'], 'name' | 'trigger' | 'active' | 'conditions' | 'actions'>): RuleForm {
  return {
    name: rule.name,
    trigger: rule.trigger,
    active: rule.active,
    conditions: conditionsFromJson(rule.conditions),
    actions: rule.actions.map((a) => ({ id: nextId(), type: a.type as ActionType, value: (a.value ?? null) as Json })),
  };
}

export function ruleToBody(form: RuleForm): Schemas['AutomationCreate'] {
  return {
    name: form.name.trim(),
    trigger: form.trigger,
    active: form.active,
    conditions: conditionsToJson(form.conditions),
    actions: form.actions.map(actionToJson),
  };
}

/** "priority is urgent and subject contains refund" for a list of conditions. */
export function describeConditions(conditions: Conditions, names: (field: string, value: Json) => string = (_f, v) => jsonText(v)): string {
  const part = (rows: Row[], joiner: string): string =>
    rows
      .map((row) => {
        if (row.kind === 'group') {
          const inner = [part(row.all, ' and '), row.any.length ? `any of (${part(row.any, ', ')})` : ''].filter(Boolean).join(' and ');
          return `(${inner})`;
        }
        const label = CONDITION_FIELDS.find((f) => f.value === row.field)?.label ?? row.field.replace(CUSTOM_PREFIX, '');
        const kind = fieldKind(row.field);
        const op = operatorLabel(kind, row.op);
        if (row.op === 'is_empty') return `${label.toLowerCase()} ${op}`;
        const value = Array.isArray(row.value) ? row.value.map((v) => names(row.field, v)).join(', ') : row.value === null ? 'nobody' : names(row.field, row.value);
        return `${label.toLowerCase()} ${op} ${value}`;
      })
      .join(joiner);
  const all = part(conditions.all, ' and ');
  const any = conditions.any.length ? `any of (${part(conditions.any, ', ')})` : '';
  return [all, any].filter(Boolean).join(' and ') || 'every ticket';
}
