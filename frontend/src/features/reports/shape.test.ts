import { describe, expect, it } from 'vitest';
import { parseFilters } from '../../lib/filters';
import {
  bucketLabel,
  bucketSpan,
  bucketStart,
  csatRows,
  fieldBars,
  dashboardSearch,
  formatMinutes,
  localDate,
  parseDashboard,
  queueLink,
  rangeOf,
  reportQuery,
  slaBars,
  stackedRows,
  startOfLocalDay,
  statOf,
  timesRows,
  trendBuckets,
  trendRows,
} from './shape';

const BERLIN = 'Europe/Berlin';
const NOW = Date.parse('2026-11-20T10:00:00Z');

describe('time zones', () => {
  it('finds local midnight across a DST change', () => {
    // Berlin leaves summer time on 25 Oct 2026 at 03:00 local
    expect(new Date(startOfLocalDay('2026-10-25', BERLIN)).toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(new Date(startOfLocalDay('2026-10-26', BERLIN)).toISOString()).toBe('2026-10-25T23:00:00.000Z');
    expect(new Date(startOfLocalDay('2026-03-29', 'America/New_York')).toISOString()).toBe('2026-03-29T04:00:00.000Z');
  });

  it('names the local date of an instant', () => {
    expect(localDate(Date.parse('2026-11-19T23:30:00Z'), BERLIN)).toBe('2026-11-20');
    expect(localDate(Date.parse('2026-11-19T23:30:00Z'), 'UTC')).toBe('2026-11-19');
  });
});

describe('ranges', () => {
  it('covers the last N local days including today, end exclusive', () => {
    const range = rangeOf({ preset: '7' }, BERLIN, NOW);
    expect(range).toEqual({ from: '2026-11-13T23:00:00Z', to: '2026-11-20T23:00:00Z', firstDay: '2026-11-14', lastDay: '2026-11-20' });
  });

  it('takes custom dates both inclusive, swapped when backwards', () => {
    const range = rangeOf({ preset: 'custom', from: '2026-11-10', to: '2026-11-01' }, 'UTC', NOW);
    expect(range.from).toBe('2026-11-01T00:00:00Z');
    expect(range.to).toBe('2026-11-11T00:00:00Z');
  });

  it('falls back to 30 days on a broken custom range', () => {
    expect(rangeOf({ preset: 'custom', from: 'yesterday', to: '2026-11-01' }, 'UTC', NOW).firstDay).toBe('2026-10-22');
  });
});

describe('buckets', () => {
  it('reads day, ISO week and month labels', () => {
    expect(bucketStart('2026-11-02')).toBe('2026-11-02');
    expect(bucketStart('2026-11')).toBe('2026-11-01');
    expect(bucketStart('2026-W45')).toBe('2026-11-02');
    expect(bucketStart('2027-W01')).toBe('2027-01-04');
    expect(bucketLabel('2026-11-02', 'week')).toBe('w/c 2 Nov');
    expect(bucketLabel('2026-11-01', 'month')).toBe('Nov 2026');
  });

  it('spans a week in local time, clipped to the range', () => {
    expect(bucketSpan('2026-10-19', 'week', BERLIN)).toEqual({ from: '2026-10-18T22:00:00Z', to: '2026-10-25T23:00:00Z' });
    const range = rangeOf({ preset: 'custom', from: '2026-10-21', to: '2026-10-30' }, BERLIN, NOW);
    expect(bucketSpan('2026-10-19', 'week', BERLIN, range)).toEqual({ from: '2026-10-20T22:00:00Z', to: '2026-10-25T23:00:00Z' });
  });

  it('coarsens a per-bucket chart until it has few enough requests', () => {
    const range = rangeOf({ preset: '90' }, 'UTC', NOW);
    const weekly = trendBuckets(range, 'day');
    expect(weekly.interval).toBe('week');
    expect(weekly.buckets[0]).toBe('2026-08-17'); // the Monday of the week 23 Aug falls in
    expect(weekly.buckets.length).toBeLessThanOrEqual(16);
    expect(trendBuckets(rangeOf({ preset: '7' }, 'UTC', NOW), 'day').buckets).toHaveLength(7);
    expect(trendBuckets(range, 'month').buckets).toEqual(['2026-08-01', '2026-09-01', '2026-10-01', '2026-11-01']);
  });
});

describe('series', () => {
  const created = { buckets: ['2026-11-02', '2026-11-03'], series: [{ key: 'chat', counts: [3, 0] }, { key: 'email', counts: [1, 2] }] };
  const solved = { buckets: ['2026-11-02', '2026-11-03'], series: [{ key: null, counts: [1, 4] }] };

  it('puts created, solved and backlog side by side', () => {
    expect(trendRows({ created, solved, backlog: undefined }, 'day')).toEqual([
      { bucket: '2026-11-02', label: '2 Nov', created: 4, solved: 1, backlog: 0 },
      { bucket: '2026-11-03', label: '3 Nov', created: 2, solved: 4, backlog: 0 },
    ]);
  });

  it('stacks the biggest series and sums the rest as Other', () => {
    const report = { buckets: ['d1'], series: [{ key: 'a', counts: [1] }, { key: 'b', counts: [5] }, { key: null, counts: [2] }, { key: 'c', counts: [1] }] };
    const { rows, keys } = stackedRows(report, 'day', 3);
    expect(keys).toEqual(['b', '(none)', 'Other']);
    expect(rows[0]).toMatchObject({ b: 5, '(none)': 2, Other: 2 });
  });

  it('reads durations nested either way', () => {
    expect(statOf({ median: { calendar: 90, business: 30 } }, 'median', 'business')).toBe(30);
    expect(statOf({ calendar: { p90: 120 } }, 'p90', 'calendar')).toBe(120);
    expect(statOf(null, 'avg', 'calendar')).toBeNull();
    expect(formatMinutes(95)).toBe('1h 35m');
    expect(formatMinutes(3000)).toBe('2d 2h');
    expect(formatMinutes(null)).toBe('—');
  });

  it('leaves a gap where a bucket has no tickets or no answers', () => {
    const answers = [
      { rows: [{ tickets: 2, first_response: { median: { calendar: 10, business: 5 }, p90: { calendar: 20, business: 9 } }, resolution: {} }] },
      { rows: [{ tickets: 0, first_response: {}, resolution: {} }] },
    ];
    const rows = timesRows(['2026-11-02', '2026-11-03'], 'day', answers, 'business');
    expect(rows[0]).toMatchObject({ first_median: 5, first_p90: 9, resolution_median: null });
    expect(rows[1]!.first_median).toBeNull();
    const csat = { buckets: ['2026-11-02', '2026-11-03'], series: [{ sent: [10, 3], responses: [8, 0], score: [0.875, null] }, { sent: [2, 0], responses: [2, 0], score: [0, null] }] };
    expect(csatRows(csat, 'day').map((r) => [r.score, r.responses, r.sent])).toEqual([[70, 10, 12], [null, 0, 3]]);
  });

  it('sums SLA rows per policy and target', () => {
    const none = { tickets: 0, met: 0, breached: 0, near_miss: 0 };
    const bars = slaBars([
      { policy: 'Standard', first_response: { tickets: 10, met: 8, breached: 2, near_miss: 1 }, resolution: none },
      { policy: 'Standard', first_response: { tickets: 4, met: 2, breached: 0, near_miss: 0 }, resolution: { tickets: 1, met: 0, breached: 1, near_miss: 0 } },
    ]);
    expect(bars).toEqual([
      { name: 'Standard · first response', tickets: 14, met: 10, breached: 2, near_miss: 1, attainment: 10 / 12 },
      { name: 'Standard · resolution', tickets: 1, met: 0, breached: 1, near_miss: 0, attainment: 0 },
    ]);
  });

  it('counts field options over groups, or takes each group figure', () => {
    const rows = [
      { key: 'chat', tickets: 3, options: [{ value: 'pro', count: 2 }, { value: 'free', count: 1 }] },
      { key: 'email', tickets: 2, options: [{ value: 'pro', count: 2 }] },
    ];
    expect(fieldBars({ agg: 'count', rows }, (v) => v.toUpperCase())).toEqual([
      { raw: 'pro', key: 'PRO', value: 4 },
      { raw: 'free', key: 'FREE', value: 1 },
    ]);
    expect(fieldBars({ agg: 'sum', rows: [{ key: null, value: '12.50', options: [] }] })).toEqual([{ raw: null, key: '(none)', value: 12.5 }]);
  });
});

describe('chart to queue', () => {
  const filters = parseFilters(new URLSearchParams('priority=high&cf.plan=pro&sort=-priority'));

  it('opens the queue with the filters, the group value and the bucket dates', () => {
    const link = queueLink({ filters, metric: 'created', bucket: '2026-11-02', interval: 'week', tz: BERLIN, groupBy: 'channel', groupKey: 'chat' });
    const params = new URLSearchParams(link.slice(2));
    expect(link.startsWith('/?')).toBe(true);
    expect(Object.fromEntries(params)).toEqual({
      priority: 'high',
      channel: 'chat',
      created_after: '2026-11-01T23:00:00Z',
      created_before: '2026-11-08T23:00:00Z',
      'cf.plan': 'pro',
    });
  });

  it('maps agents to the assignee filter and a missing value to none', () => {
    const link = queueLink({ filters: {}, metric: 'backlog', bucket: '2026-11-02', interval: 'day', tz: 'UTC', groupBy: 'agent', groupKey: null });
    expect(Object.fromEntries(new URLSearchParams(link.slice(2)))).toEqual({
      status_category: 'open,pending',
      assignee: 'none',
      created_before: '2026-11-03T00:00:00Z',
    });
  });

  it('narrows solved tickets to those changed in the bucket', () => {
    const link = queueLink({ filters: {}, metric: 'solved', bucket: '2026-11', interval: 'month', tz: 'UTC', groupBy: 'cf.reason', groupKey: 'refund' });
    expect(Object.fromEntries(new URLSearchParams(link.slice(2)))).toEqual({
      status_category: 'solved,closed',
      created_before: '2026-12-01T00:00:00Z',
      updated_after: '2026-11-01T00:00:00Z',
      'cf.reason': 'refund',
    });
  });
});

describe('the dashboard URL', () => {
  it('round-trips its settings and the queue filters, defaults left out', () => {
    const params = new URLSearchParams('range=custom&from=2026-11-01&to=2026-11-10&interval=week&group_by=channel&field=cf.plan&team=t1&sort=-priority');
    const state = parseDashboard(params);
    expect(state).toEqual({ preset: 'custom', from: '2026-11-01', to: '2026-11-10', interval: 'week', groupBy: 'channel', field: 'cf.plan' });
    expect(dashboardSearch(state, parseFilters(params))).toBe('?range=custom&from=2026-11-01&to=2026-11-10&interval=week&group_by=channel&field=cf.plan&team=t1');
    expect(dashboardSearch(parseDashboard(new URLSearchParams('range=bogus&interval=hour')), {})).toBe('');
  });

  it('sends the range, the time zone and the filters to every report', () => {
    const range = rangeOf({ preset: '7' }, 'UTC', NOW);
    expect(reportQuery(range, 'UTC', parseFilters(new URLSearchParams('status=open&cf.plan=pro&sort=due')))).toEqual({
      from: range.from,
      to: range.to,
      tz: 'UTC',
      status: 'open',
      'cf.plan': 'pro',
    });
  });
});
