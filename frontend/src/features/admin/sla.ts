// The SLA policy form's model: the target grid (priority × first response / next response /
// resolution, each in minutes or hours) and the match criteria, to and from the API's JSON.
import type { Priority, Schemas } from '../../api/client';
import { PRIORITIES } from '../../lib/filters';

export type Metric = 'first_response' | 'next_response' | 'resolution';
export type Unit = 'minutes' | 'hours';
export interface Cell {
  amount: string;
  unit: Unit;
}
export type Grid = Record<Priority, Record<Metric, Cell>>;
type Target = Schemas['Target'];

export const METRICS: { key: Metric; label: string; hint: string }[] = [
  { key: 'first_response', label: 'First response', hint: 'until the first public reply' },
  { key: 'next_response', label: 'Next response', hint: 'to each later customer message' },
  { key: 'resolution', label: 'Resolution', hint: 'until solved' },
];

const FACTOR: Record<Unit, number> = { minutes: 1, hours: 60 };

export function cellOf(minutes: number | null | undefined): Cell {
  if (minutes === null || minutes === undefined) return { amount: '', unit: 'hours' };
  return minutes % 60 === 0 ? { amount: String(minutes / 60), unit: 'hours' } : { amount: String(minutes), unit: 'minutes' };
}

/** The cell in whole minutes; null when empty, NaN when it is not a number. */
export function cellMinutes(cell: Cell): number | null {
  const text = cell.amount.trim();
  if (!text) return null;
  const value = Number(text.replace(',', '.'));
  return Number.isFinite(value) ? Math.round(value * FACTOR[cell.unit]) : NaN;
}

export function gridFromTargets(targets: Record<string, unknown> | undefined): Grid {
  const grid = {} as Grid;
  for (const p of PRIORITIES) {
    const t = ((targets ?? {})[p] ?? {}) as Target;
    grid[p] = {
      first_response: cellOf(t.first_response_minutes),
      next_response: cellOf(t.next_response_minutes),
      resolution: cellOf(t.resolution_minutes),
    };
  }
  return grid;
}

/** The targets the API takes: a priority with no target at all is left out. */
export function targetsFromGrid(grid: Grid): Partial<Record<Priority, Target>> {
  const targets: Partial<Record<Priority, Target>> = {};
  for (const p of PRIORITIES) {
    const row = grid[p];
    const target: Target = {};
    for (const m of METRICS) {
      const minutes = cellMinutes(row[m.key]);
      if (minutes !== null) target[`${m.key}_minutes`] = minutes;
    }
    if (Object.keys(target).length) targets[p] = target;
  }
  return targets;
}

/** Cells that are not numbers, by "priority.metric". */
export function gridProblems(grid: Grid): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of PRIORITIES) for (const m of METRICS) if (Number.isNaN(cellMinutes(grid[p][m.key]))) out.set(`${p}.${m.key}`, 'Give a number.');
  return out;
}

/** "30 min", "4 h", "1 h 30 min", "3 d 2 h". */
export function formatMinutes(minutes: number): string {
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (minutes >= 2880 && m === 0) return h ? `${d} d ${h} h` : `${d} d`;
  const hours = Math.floor(minutes / 60);
  if (!hours) return `${m} min`;
  return m ? `${hours} h ${m} min` : `${hours} h`;
}

/** "Urgent: first response 30 min, resolution 4 h · High: …" */
export function describeTargets(targets: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const p of PRIORITIES) {
    const t = targets[p] as Target | undefined;
    if (!t) continue;
    const each = METRICS.map((m) => {
      const v = t[`${m.key}_minutes`];
      return typeof v === 'number' ? `${m.label.toLowerCase()} ${formatMinutes(v)}` : null;
    }).filter(Boolean);
    if (each.length) parts.push(`${p[0]!.toUpperCase()}${p.slice(1)}: ${each.join(', ')}`);
  }
  return parts.join(' · ') || 'no targets';
}

export interface MatchForm {
  priority: Priority[];
  channel: string[];
  type: string[];
  labels: string[];
}

export function matchFromJson(match: Record<string, unknown> | undefined): MatchForm {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  const m = match ?? {};
  return { priority: list(m.priority) as Priority[], channel: list(m.channel), type: list(m.type), labels: list(m.labels) };
}

/** Only the criteria with values: an empty list would match nothing. */
export function matchToJson(form: MatchForm): Schemas['PolicyMatch'] {
  const out: Schemas['PolicyMatch'] = {};
  if (form.priority.length) out.priority = form.priority;
  if (form.channel.length) out.channel = form.channel as NonNullable<Schemas['PolicyMatch']['channel']>;
  if (form.type.length) out.type = form.type;
  if (form.labels.length) out.labels = form.labels;
  return out;
}

/** "priority urgent or high, channel chat, label vip or vvip" or "every ticket" (labels: any of). */
export function describeMatch(match: Record<string, unknown>): string {
  const m = matchFromJson(match);
  const parts = [
    m.priority.length ? `priority ${m.priority.join(' or ')}` : '',
    m.channel.length ? `channel ${m.channel.join(' or ')}` : '',
    m.type.length ? `type ${m.type.join(' or ')}` : '',
    m.labels.length ? `label ${m.labels.join(' or ')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'every ticket';
}
