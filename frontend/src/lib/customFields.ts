// Custom field definitions on the client: which fields a ticket shows (type scope, archive,
// `visible_when`, evaluated live on the values being edited), and the queue's `cf.<key>`
// filter encoding (equality any-of, ranges, set/unset) as the API reads it.
import type { Schemas } from '../api/client';

export type FieldDef = Schemas['FieldRead'];
export type FieldKind = FieldDef['kind'];
export type CfValue = unknown;

/** The built-in ticket properties a `visible_when` or approval condition may name. */
export const BUILTIN_CONDITION_FIELDS = ['category', 'type', 'priority', 'channel', 'status'] as const;

export interface TicketFacts {
  type?: string | null;
  category?: string | null;
  priority?: string | null;
  channel?: string | null;
  status?: string | null;
}

/** Any stored value as text: scalars as themselves, lists joined, objects as JSON. */
export function valueText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(valueText).join(', ');
  return JSON.stringify(v);
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === null || v === undefined ? [] : [v]);

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return false;
  return valueText(a) === valueText(b);
}

/** The value `visible_when.field` names: a built-in property or another field's value. */
function conditionValue(field: string, ticket: TicketFacts, values: Record<string, CfValue>): unknown {
  if ((BUILTIN_CONDITION_FIELDS as readonly string[]).includes(field)) return ticket[field as keyof TicketFacts] ?? null;
  return values[field] ?? null;
}

/** Whether `visible_when` holds (no condition: always). A multi-select matches when any value does. */
export function conditionHolds(when: FieldDef['visible_when'], ticket: TicketFacts, values: Record<string, CfValue>): boolean {
  if (!when) return true;
  const field = valueText(when.field);
  const op = valueText(when.op) || 'is';
  const actual = asList(conditionValue(field, ticket, values));
  const wanted = when.value;
  const matches = (target: unknown) => actual.some((a) => same(a, target));
  if (op === 'is') return wanted === null || wanted === undefined ? actual.length === 0 : matches(wanted);
  if (op === 'is_not') return wanted === null || wanted === undefined ? actual.length > 0 : !matches(wanted);
  if (op === 'in') return asList(wanted).some(matches);
  return true;
}

/** Whether the field belongs to tickets of this type (`ticket_types` null: every ticket). */
export function inScope(field: FieldDef, type: string | null | undefined): boolean {
  return field.ticket_types === null || (!!type && field.ticket_types.includes(type));
}

/** Whether a field is shown for this ticket and these (possibly unsaved) values. Archived
 *  fields show only while they hold a value (read-only). Hidden fields carrying a condition on
 *  another hidden field hide too. */
export function isVisible(field: FieldDef, ticket: TicketFacts, values: Record<string, CfValue>, all: readonly FieldDef[] = [], depth = 0): boolean {
  if (field.archived) return hasValue(values[field.key]);
  if (!inScope(field, ticket.type)) return false;
  if (!conditionHolds(field.visible_when, ticket, values)) return false;
  const parentKey = field.visible_when ? valueText(field.visible_when.field) : null;
  const parent = parentKey ? all.find((f) => f.key === parentKey) : undefined;
  if (parent && depth < 10) return isVisible(parent, ticket, values, all, depth + 1);
  return true;
}

/** The fields a ticket shows, in position order. */
export function visibleFields(fields: readonly FieldDef[], ticket: TicketFacts, values: Record<string, CfValue>): FieldDef[] {
  return [...fields].sort((a, b) => a.position - b.position).filter((f) => isVisible(f, ticket, values, fields));
}

export function hasValue(value: CfValue): boolean {
  if (value === null || value === undefined || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/** Values of custom fields that no longer show, as nulls (the server refuses a value in a hidden field). */
export function clearedHidden(fields: readonly FieldDef[], ticket: TicketFacts, values: Record<string, CfValue>): Record<string, null> {
  const out: Record<string, null> = {};
  for (const f of fields) if (!f.archived && hasValue(values[f.key]) && !isVisible(f, ticket, values, fields)) out[f.key] = null;
  return out;
}

/** A value as the editor shows it (decimals stay strings, exact). */
export function displayValue(field: Pick<FieldDef, 'kind' | 'options'>, value: CfValue, userName: (id: string) => string = (id) => id): string {
  if (!hasValue(value)) return '—';
  const optionLabel = (v: unknown) => field.options.find((o) => o.value === v)?.label ?? valueText(v);
  switch (field.kind) {
    case 'checkbox':
      return value ? 'Yes' : 'No';
    case 'dropdown':
      return optionLabel(value);
    case 'multi_select':
      return asList(value).map(optionLabel).join(', ');
    case 'user':
      return userName(valueText(value));
    default:
      return valueText(value);
  }
}

// ---- queue filters: cf.<key>=a,b  cf.<key>.gte=  cf.<key>.lte=  cf.<key>.set=true|false

export interface CfFilter {
  key: string;
  /** any of these values */
  values: string[];
  gte?: string;
  lte?: string;
  set?: boolean;
}

export const RANGE_KINDS: readonly FieldKind[] = ['integer', 'decimal', 'date'];
export const OPTION_KINDS: readonly FieldKind[] = ['dropdown', 'multi_select', 'checkbox', 'user'];

const CF_PARAM = /^cf\.([a-z][a-z0-9_]{0,62})(?:\.(gte|lte|set))?$/;

/** The URL parameter names a cf filter on `key` uses. */
export function cfParamNames(key: string): string[] {
  return [`cf.${key}`, `cf.${key}.gte`, `cf.${key}.lte`, `cf.${key}.set`];
}

/** Whether a query parameter is a custom-field filter. */
export function isCfParam(name: string): boolean {
  return CF_PARAM.test(name);
}

/** The cf filters in a set of parameters, one per field, in the order first seen. */
export function parseCfFilters(params: Iterable<[string, string]>): CfFilter[] {
  const byKey = new Map<string, CfFilter>();
  for (const [name, raw] of params) {
    const m = CF_PARAM.exec(name);
    const value = raw.trim();
    if (!m || !value) continue;
    const key = m[1]!;
    const f = byKey.get(key) ?? { key, values: [] };
    byKey.set(key, f);
    if (!m[2]) f.values = value.split(',').map((v) => v.trim()).filter(Boolean);
    else if (m[2] === 'set') f.set = value === 'true';
    else f[m[2] as 'gte' | 'lte'] = value;
  }
  return [...byKey.values()];
}

/** The parameters of one cf filter (none when it says nothing). */
export function encodeCfFilter(f: CfFilter): Record<string, string> {
  const out: Record<string, string> = {};
  if (f.values.length) out[`cf.${f.key}`] = f.values.join(',');
  if (f.gte) out[`cf.${f.key}.gte`] = f.gte;
  if (f.lte) out[`cf.${f.key}.lte`] = f.lte;
  if (f.set !== undefined) out[`cf.${f.key}.set`] = String(f.set);
  return out;
}

/** "Refund amount: 10–200", "Reason: Damaged, Lost", "Order id: set". */
export function cfChipText(f: CfFilter, field?: Pick<FieldDef, 'label' | 'kind' | 'options'>): string {
  const label = field?.label ?? f.key;
  const parts: string[] = [];
  if (f.set === true) parts.push('set');
  if (f.set === false) parts.push('not set');
  if (f.values.length) parts.push(f.values.map((v) => (field ? displayValue({ kind: field.kind === 'multi_select' ? 'dropdown' : field.kind, options: field.options }, field.kind === 'checkbox' ? v === 'true' : v) : v)).join(', '));
  if (f.gte && f.lte) parts.push(`${f.gte}–${f.lte}`);
  else if (f.gte) parts.push(`≥ ${f.gte}`);
  else if (f.lte) parts.push(`≤ ${f.lte}`);
  return `${label}: ${parts.length ? parts.join(', ') : 'any'}`;
}

/** A value typed into a field's editor as the API takes it (bulk "set field"): integers as
 *  numbers (what does not parse goes as typed, for the server to refuse by name), decimals as
 *  exact text, text trimmed, a checkbox as true/false; null when nothing was entered. */
export function typedValue(kind: FieldKind, raw: CfValue): CfValue {
  if (kind === 'checkbox') return raw === true;
  if (Array.isArray(raw)) return raw.length ? raw.map(valueText) : null;
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  if (!text) return null;
  if (kind === 'integer') return /^-?\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : text;
  return text;
}
