// The Reports dashboard's data shaping: date ranges and buckets in the workspace's time zone,
// report series into chart rows, and a chart bucket into the matching queue link. Pure
// functions (no React, no fetch), so every rule here has a Vitest.
import { filtersToSearch, FILTER_KEYS, cfEntries, type Filters } from '../../lib/filters';

export type Interval = 'day' | 'week' | 'month';
export const INTERVALS: Interval[] = ['day', 'week', 'month'];
export type Preset = '7' | '30' | '90' | 'custom';
export const PRESETS: { value: Preset; label: string }[] = [
  { value: '7', label: 'Last 7 days' },
  { value: '30', label: 'Last 30 days' },
  { value: '90', label: 'Last 90 days' },
  { value: 'custom', label: 'Custom' },
];
export type VolumeMetric = 'created' | 'solved' | 'backlog';

/** What the dashboard's URL says (besides the queue's filters). */
export interface DashboardState {
  preset: Preset;
  /** local dates (YYYY-MM-DD), both inclusive; only read for a custom range */
  from?: string;
  to?: string;
  interval: Interval;
  /** the volume breakdown's dimension (`channel`, `cf.reason`, …); none: one series */
  groupBy?: string;
  /** the custom field of the field breakdown (`cf.<key>`) */
  field?: string;
}

/** A report's time span: instants (RFC 3339, end exclusive) and the local dates it covers. */
export interface Range {
  from: string;
  to: string;
  firstDay: string;
  lastDay: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

// --- time zones ------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(instant: number, tz: string): Record<string, number> {
  let format = formatters.get(tz);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, format);
  }
  const out: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(instant))) {
    if (part.type !== 'literal') out[part.type] = Number(part.value);
  }
  return out;
}

/** How far `tz`'s wall clock is ahead of UTC at `instant` (ms). */
export function zoneOffset(instant: number, tz: string): number {
  const p = partsIn(instant, tz);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day, p.hour! % 24, p.minute, p.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The instant a local date's midnight happens in `tz` (DST-aware). */
export function startOfLocalDay(date: string, tz: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  let instant = wall - zoneOffset(wall, tz);
  // the offset at the guess can differ from the offset at the answer (a DST change that day)
  instant = wall - zoneOffset(instant, tz);
  return instant;
}

/** The local date (YYYY-MM-DD) of an instant in `tz`. */
export function localDate(instant: number, tz: string): string {
  const p = partsIn(instant, tz);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** A local date `days` later (calendar arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function addMonths(date: string, months: number): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + months, 1)).toISOString().slice(0, 10);
}

const iso = (instant: number) => new Date(instant).toISOString().replace('.000Z', 'Z');

// --- ranges and buckets ----------------------------------------------------------------

/** The span a dashboard state covers: the last N local days including today, or the custom
 * dates (swapped when given backwards; a bad date falls back to the last 30 days). */
export function rangeOf(state: Pick<DashboardState, 'preset' | 'from' | 'to'>, tz: string, now: number = Date.now()): Range {
  const today = localDate(now, tz);
  let firstDay: string;
  let lastDay: string;
  if (state.preset === 'custom' && state.from && state.to && DATE.test(state.from) && DATE.test(state.to)) {
    [firstDay, lastDay] = state.from <= state.to ? [state.from, state.to] : [state.to, state.from];
  } else {
    const days = state.preset === 'custom' ? 30 : Number(state.preset);
    firstDay = addDays(today, -(days - 1));
    lastDay = today;
  }
  return { from: iso(startOfLocalDay(firstDay, tz)), to: iso(startOfLocalDay(addDays(lastDay, 1), tz)), firstDay, lastDay };
}

/** The local date a bucket label starts on ("2026-11", "2026-W45" or a date). */
export function bucketStart(bucket: string): string {
  if (/^\d{4}-\d{2}$/.test(bucket)) return `${bucket}-01`;
  const week = bucket.match(/^(\d{4})-W(\d{2})$/);
  if (week) {
    // ISO week 1 holds 4 January; weeks start on Monday
    const jan4 = new Date(Date.UTC(Number(week[1]), 0, 4));
    const monday = Date.UTC(Number(week[1]), 0, 4 - ((jan4.getUTCDay() + 6) % 7));
    return new Date(monday + (Number(week[2]) - 1) * 7 * 86_400_000).toISOString().slice(0, 10);
  }
  return bucket.slice(0, 10);
}

/** The local date the bucket after this one starts on. */
export function bucketEnd(bucket: string, interval: Interval): string {
  const start = bucketStart(bucket);
  if (interval === 'day') return addDays(start, 1);
  if (interval === 'week') return addDays(start, 7);
  return addMonths(start, 1);
}

/** A bucket as instants, clipped to the report's range (the first week may start before it). */
export function bucketSpan(bucket: string, interval: Interval, tz: string, range?: Range): { from: string; to: string } {
  let from = startOfLocalDay(bucketStart(bucket), tz);
  let to = startOfLocalDay(bucketEnd(bucket, interval), tz);
  if (range) {
    from = Math.max(from, Date.parse(range.from));
    to = Math.min(to, Date.parse(range.to));
  }
  return { from: iso(from), to: iso(to) };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2 Nov", "w/c 2 Nov", "Nov 2026": a bucket's axis label. */
export function bucketLabel(bucket: string, interval: Interval): string {
  const start = bucketStart(bucket);
  const [y, m, d] = start.split('-').map(Number) as [number, number, number];
  if (interval === 'month') return `${MONTHS[m - 1]} ${y}`;
  const day = `${d} ${MONTHS[m - 1]}`;
  return interval === 'week' ? `w/c ${day}` : day;
}

/** The interval that keeps a chart readable when the agent has not picked one. */
export function defaultInterval(range: Range): Interval {
  const days = Math.round((Date.parse(range.to) - Date.parse(range.from)) / 86_400_000);
  if (days <= 31) return 'day';
  if (days <= 190) return 'week';
  return 'month';
}

// --- series into chart rows ------------------------------------------------------------

export interface VolumeSeries {
  key: string | null;
  counts: number[];
}
export interface VolumeLike {
  buckets: string[];
  series: VolumeSeries[];
}

/** The sum over every series of a report, per bucket (zeros when it has none). */
export function bucketTotals(report: VolumeLike): number[] {
  return report.buckets.map((_, i) => report.series.reduce((sum, s) => sum + (s.counts[i] ?? 0), 0));
}

export interface TrendRow {
  bucket: string;
  label: string;
  created: number;
  solved: number;
  backlog: number;
}

/** Created, solved and backlog side by side, one row per bucket (the created report's buckets
 * lead; a bucket another report lacks counts 0). */
export function trendRows(reports: Record<VolumeMetric, VolumeLike | undefined>, interval: Interval): TrendRow[] {
  const lead = reports.created ?? reports.solved ?? reports.backlog;
  if (!lead) return [];
  const totals = Object.fromEntries(
    (Object.keys(reports) as VolumeMetric[]).map((metric) => {
      const report = reports[metric];
      const byBucket = new Map<string, number>();
      if (report) bucketTotals(report).forEach((n, i) => byBucket.set(report.buckets[i]!, n));
      return [metric, byBucket];
    }),
  ) as Record<VolumeMetric, Map<string, number>>;
  return lead.buckets.map((bucket) => ({
    bucket,
    label: bucketLabel(bucket, interval),
    created: totals.created.get(bucket) ?? 0,
    solved: totals.solved.get(bucket) ?? 0,
    backlog: totals.backlog.get(bucket) ?? 0,
  }));
}

/** A grouped report as stacked-bar rows: `{bucket, label, [seriesKey]: count}`, the biggest
 * `limit - 1` series by name and the rest summed under "Other". */
export function stackedRows(report: VolumeLike, interval: Interval, limit = 8): { rows: Record<string, string | number>[]; keys: string[] } {
  const ranked = report.series
    .map((s) => ({ key: seriesName(s.key), counts: s.counts, total: s.counts.reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total || a.key.localeCompare(b.key));
  const kept = ranked.length > limit ? ranked.slice(0, limit - 1) : ranked;
  const rest = ranked.length > limit ? ranked.slice(limit - 1) : [];
  const keys = kept.map((s) => s.key);
  if (rest.length) keys.push(OTHER);
  const rows = report.buckets.map((bucket, i) => {
    const row: Record<string, string | number> = { bucket, label: bucketLabel(bucket, interval) };
    for (const s of kept) row[s.key] = s.counts[i] ?? 0;
    if (rest.length) row[OTHER] = rest.reduce((sum, s) => sum + (s.counts[i] ?? 0), 0);
    return row;
  });
  return { rows, keys };
}

export const OTHER = 'Other';
export const NONE = '(none)';

/** A series key as shown: a missing value is "(none)". */
export function seriesName(key: string | null | undefined): string {
  return key === null || key === undefined || key === '' ? NONE : key;
}

export function isEmpty(report: VolumeLike | undefined): boolean {
  return !report || report.series.every((s) => s.counts.every((n) => n === 0));
}

// --- durations --------------------------------------------------------------------------

export interface Minutes {
  calendar: number | null;
  business: number | null;
}

/** 95 → "1h 35m", 3000 → "2d 2h", null → "—". */
export function formatMinutes(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined || Number.isNaN(minutes)) return '—';
  const m = Math.round(minutes);
  if (m < 60) return `${m}m`;
  if (m < 24 * 60) {
    const rest = m % 60;
    return rest ? `${Math.floor(m / 60)}h ${rest}m` : `${m / 60}h`;
  }
  const days = Math.floor(m / 1440);
  const hours = Math.floor((m % 1440) / 60);
  return hours ? `${days}d ${hours}h` : `${days}d`;
}

/** A share as a percentage ("92%", "—" without a denominator). */
export function percent(share: number | null | undefined, digits = 0): string {
  if (share === null || share === undefined || Number.isNaN(share)) return '—';
  return `${(share * 100).toFixed(digits)}%`;
}

// --- chart to queue ---------------------------------------------------------------------

/** The queue filter a report dimension maps to (the group key is the filter's value). */
export function queueParamOf(groupBy: string): string | null {
  if (groupBy === 'agent') return 'assignee';
  if (groupBy.startsWith('cf.')) return groupBy;
  return (FILTER_KEYS as readonly string[]).includes(groupBy) ? groupBy : null;
}

export interface QueueTarget {
  filters: Filters;
  metric: VolumeMetric;
  bucket: string;
  interval: Interval;
  tz: string;
  range?: Range;
  groupBy?: string;
  groupKey?: string | null;
}

/**
 * The queue that lists a chart point's tickets: the dashboard's filters, the series' group
 * value, and the bucket's dates. Created: created in the bucket. Solved: solved or closed now,
 * created before the bucket ends and changed since it began (the queue cannot filter on the
 * solve time itself). Backlog: not solved now and created before the bucket ends.
 */
export function queueLink(target: QueueTarget): string {
  const { filters, metric, bucket, interval, tz, range, groupBy, groupKey } = target;
  const span = bucketSpan(bucket, interval, tz, range);
  const extra: Record<string, string> =
    metric === 'created'
      ? { created_after: span.from, created_before: span.to }
      : metric === 'solved'
        ? { status_category: 'solved,closed', created_before: span.to, updated_after: span.from }
        : { status_category: 'open,pending', created_before: span.to };
  return filteredQueue(filters, { ...groupParams(groupBy, groupKey), ...extra });
}

/** The queue filter of a series' group value (`Other` and a missing custom value: none). */
export function groupParams(groupBy: string | undefined, groupKey: string | null | undefined): Record<string, string> {
  const param = groupBy ? queueParamOf(groupBy) : null;
  if (!param || groupKey === undefined || groupKey === OTHER) return {};
  if (groupKey === null || groupKey === NONE) {
    if (param === 'assignee' || param === 'team') return { [param]: 'none' };
    return param.startsWith('cf.') ? { [`${param}.set`]: 'false' } : {};
  }
  return { [param]: groupKey };
}

/** The queue with the dashboard's filters (its sort left out) and `extra` on top. */
export function filteredQueue(filters: Filters, extra: Record<string, string>): string {
  const next: Filters = {};
  for (const key of FILTER_KEYS) if (key !== 'sort' && filters[key]) next[key] = filters[key];
  for (const [name, value] of cfEntries(filters)) next[name] = value;
  Object.assign(next, extra);
  return `/${filtersToSearch(next)}`;
}

// --- the dashboard's URL ------------------------------------------------------------------

export const DASHBOARD_KEYS = ['range', 'from', 'to', 'interval', 'group_by', 'field'] as const;

export function parseDashboard(params: URLSearchParams): DashboardState {
  const preset = params.get('range');
  const interval = params.get('interval');
  const groupBy = params.get('group_by')?.trim();
  const field = params.get('field')?.trim();
  return {
    preset: PRESETS.some((p) => p.value === preset) ? (preset as Preset) : '30',
    from: params.get('from') ?? undefined,
    to: params.get('to') ?? undefined,
    interval: INTERVALS.includes(interval as Interval) ? (interval as Interval) : 'day',
    groupBy: groupBy || undefined,
    field: field?.startsWith('cf.') ? field : undefined,
  };
}

/** The dashboard's query string: its own settings, then the queue's filters. */
export function dashboardSearch(state: DashboardState, filters: Filters): string {
  const params = new URLSearchParams();
  if (state.preset !== '30') params.set('range', state.preset);
  if (state.preset === 'custom') {
    if (state.from) params.set('from', state.from);
    if (state.to) params.set('to', state.to);
  }
  if (state.interval !== 'day') params.set('interval', state.interval);
  if (state.groupBy) params.set('group_by', state.groupBy);
  if (state.field) params.set('field', state.field);
  const queue = new URLSearchParams(filtersToSearch({ ...filters, sort: undefined }));
  for (const [k, v] of queue) params.set(k, v);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The query every report takes: range, time zone and the queue's filters. */
export function reportQuery(range: Range, tz: string, filters: Filters): Record<string, string> {
  const query: Record<string, string> = { from: range.from, to: range.to, tz };
  for (const key of FILTER_KEYS) {
    const value = filters[key];
    if (key !== 'sort' && value) query[key] = value;
  }
  for (const [name, value] of cfEntries(filters)) query[name] = value;
  return query;
}

// --- durations and rates over time ----------------------------------------------------

export type Clock = 'business' | 'calendar';
export type StatName = 'median' | 'p90' | 'avg';

/** One figure of a duration, whichever way round the report nests it
 * (`{median: {calendar, business}}` or `{business: {median, …}}`). */
export function statOf(duration: unknown, stat: StatName, clock: Clock): number | null {
  if (!duration || typeof duration !== 'object') return null;
  const d = duration as Record<string, unknown>;
  const byStat = d[stat];
  if (byStat && typeof byStat === 'object') {
    const value = (byStat as Record<string, unknown>)[clock];
    return typeof value === 'number' ? value : null;
  }
  if (typeof byStat === 'number') return byStat;
  const byClock = d[clock];
  if (byClock && typeof byClock === 'object') {
    const value = (byClock as Record<string, unknown>)[stat];
    return typeof value === 'number' ? value : null;
  }
  return null;
}

/** The buckets of a per-bucket chart (one request each): the range cut by `interval`, made
 * coarser until there are at most `max` (90 days by day would be 90 requests). */
export function trendBuckets(range: Range, interval: Interval, max = 16): { interval: Interval; buckets: string[] } {
  for (const step of INTERVALS.slice(INTERVALS.indexOf(interval))) {
    const buckets: string[] = [];
    let day = step === 'week' ? mondayOf(range.firstDay) : step === 'month' ? `${range.firstDay.slice(0, 7)}-01` : range.firstDay;
    while (day <= range.lastDay) {
      buckets.push(day);
      day = bucketEnd(day, step);
    }
    if (buckets.length <= max || step === 'month') return { interval: step, buckets };
  }
  return { interval, buckets: [] };
}

function mondayOf(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
  return addDays(date, -weekday);
}

export interface TimesRow {
  bucket: string;
  label: string;
  tickets: number;
  first_median: number | null;
  first_p90: number | null;
  resolution_median: number | null;
  resolution_p90: number | null;
}

interface TimesLike {
  rows: { tickets: number; first_response: unknown; resolution: unknown }[];
}

/** First response and resolution (median and p90) per bucket, from one ungrouped
 * response-times answer per bucket (a bucket still loading or without tickets is a gap). */
export function timesRows(buckets: string[], interval: Interval, answers: (TimesLike | undefined)[], clock: Clock): TimesRow[] {
  return buckets.map((bucket, i) => {
    const row = answers[i]?.rows?.[0];
    const has = !!row && row.tickets > 0;
    return {
      bucket,
      label: bucketLabel(bucket, interval),
      tickets: row?.tickets ?? 0,
      first_median: has ? statOf(row.first_response, 'median', clock) : null,
      first_p90: has ? statOf(row.first_response, 'p90', clock) : null,
      resolution_median: has ? statOf(row.resolution, 'median', clock) : null,
      resolution_p90: has ? statOf(row.resolution, 'p90', clock) : null,
    };
  });
}

export interface CsatRow {
  bucket: string;
  label: string;
  score: number | null;
  responses: number;
  sent: number;
}

interface CsatLike {
  buckets: string[];
  series: { sent: number[]; responses: number[]; score: (number | null)[] }[];
}

/** The CSAT score per bucket as a percentage, over every series (good and bad are not per
 * bucket in the report, so a grouped report's buckets are weighted by answers); a bucket
 * without answers is a gap, not 0 %. */
export function csatRows(report: CsatLike | undefined, interval: Interval): CsatRow[] {
  if (!report) return [];
  return report.buckets.map((bucket, i) => {
    let responses = 0;
    let sent = 0;
    let weighted = 0;
    for (const s of report.series) {
      const n = s.responses[i] ?? 0;
      responses += n;
      sent += s.sent[i] ?? 0;
      weighted += (s.score[i] ?? 0) * n;
    }
    return { bucket, label: bucketLabel(bucket, interval), score: responses ? Math.round((weighted / responses) * 1000) / 10 : null, responses, sent };
  });
}

export interface SlaBar {
  name: string;
  met: number;
  breached: number;
  near_miss: number;
  tickets: number;
  attainment: number | null;
}

type Outcome = { tickets: number; met: number; breached: number; near_miss: number };

/** SLA rows (per policy and priority, an outcome per target kind) summed per policy and
 * target kind; attainment is met ÷ (met + breached). */
export function slaBars(rows: { policy: string | null; first_response: Outcome; resolution: Outcome }[]): SlaBar[] {
  const byName = new Map<string, SlaBar>();
  for (const row of rows) {
    for (const [target, outcome] of [
      ['first response', row.first_response],
      ['resolution', row.resolution],
    ] as const) {
      if (!outcome.tickets) continue;
      const name = `${row.policy ?? 'No policy'} · ${target}`;
      const bar = byName.get(name) ?? { name, met: 0, breached: 0, near_miss: 0, tickets: 0, attainment: null };
      bar.met += outcome.met;
      bar.breached += outcome.breached;
      bar.near_miss += outcome.near_miss;
      bar.tickets += outcome.tickets;
      byName.set(name, bar);
    }
  }
  return [...byName.values()].map((bar) => ({ ...bar, attainment: bar.met + bar.breached ? bar.met / (bar.met + bar.breached) : null }));
}

export interface FieldBar {
  /** the value (count) or the group (sum, avg, …) as the API names it; null: none */
  raw: string | null;
  key: string;
  value: number;
}

/** A fields report as bars: counts per option (summed over groups), or one figure per group. */
export function fieldBars(
  report: { agg: string; rows: { key: string | null; name?: string | null; value?: string | null; options?: { value: string; count: number }[] }[] } | undefined,
  optionLabel: (value: string) => string = (v) => v,
): FieldBar[] {
  if (!report) return [];
  if (report.agg === 'count') {
    const counts = new Map<string, number>();
    for (const row of report.rows) for (const o of row.options ?? []) counts.set(o.value, (counts.get(o.value) ?? 0) + o.count);
    return [...counts].map(([value, count]) => ({ raw: value, key: optionLabel(value), value: count })).sort((a, b) => b.value - a.value || a.key.localeCompare(b.key));
  }
  return report.rows.filter((r) => r.value !== null && r.value !== undefined).map((r) => ({ raw: r.key, key: r.name ?? seriesName(r.key), value: Number(r.value) }));
}
