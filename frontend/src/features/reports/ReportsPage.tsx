// Reports: volume, response times, SLA, CSAT, agents and custom fields over a date range, in
// the workspace's time zone, filtered like the queue (same chips, same URL parameters). Every
// bar opens the queue of its tickets; every card downloads its report as CSV.
import { useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useCustomFields, useTeams, useUsers } from '../../api/queries';
import {
  useAgentsReport,
  useCsat,
  useFieldsReport,
  useResponseTimesOverTime,
  useSlaReport,
  useVolume,
  useVolumeTrend,
  type AgentRow,
} from '../../api/reports';
import { useMe } from '../../auth/session';
import { titleCase } from '../../lib/format';
import { CHANNEL_LABELS, activeFilterCount, parseFilters, type Filters } from '../../lib/filters';
import { FilterChips, useFilterOptions } from '../queue/FilterBar';
import { CustomFieldChips } from '../queue/CustomFieldFilters';
import { BreakdownChart, CsatChart, SlaChart, StackedChart, TimesChart, TimesTable, VolumeChart, VolumeTable } from './charts';
import { ReportCard } from './ReportCard';
import {
  INTERVALS,
  NONE,
  PRESETS,
  bucketSpan,
  csatRows,
  dashboardSearch,
  fieldBars,
  filteredQueue,
  groupParams,
  formatMinutes,
  isEmpty,
  parseDashboard,
  percent,
  queueLink,
  rangeOf,
  reportQuery,
  slaBars,
  stackedRows,
  statOf,
  timesRows,
  trendBuckets,
  trendRows,
  type Clock,
  type DashboardState,
  type Interval,
  type Preset,
  type VolumeMetric,
} from './shape';

const GROUPS: { value: string; label: string }[] = [
  { value: 'channel', label: 'Channel' },
  { value: 'priority', label: 'Priority' },
  { value: 'type', label: 'Type' },
  { value: 'category', label: 'Category' },
  { value: 'team', label: 'Team' },
  { value: 'assignee', label: 'Assignee' },
  { value: 'label', label: 'Label' },
  { value: 'status', label: 'Status' },
];
const COUNTABLE = ['dropdown', 'multi_select', 'checkbox', 'user', 'text'];
const NUMERIC = ['integer', 'decimal'];

export function ReportsPage() {
  const me = useMe();
  const tz = me.workspace.timezone || 'UTC';
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => parseDashboard(params), [params]);
  const filters = useMemo(() => parseFilters(params), [params]);
  const range = useMemo(() => rangeOf(state, tz), [state, tz]);
  const query = useMemo(() => reportQuery(range, tz, filters), [range, tz, filters]);
  const [clock, setClock] = useState<Clock>('business');
  const users = useUsers();
  const teams = useTeams();
  const fields = useCustomFields();
  const options = useFilterOptions();

  const set = (next: Partial<DashboardState>, nextFilters: Filters = filters) => setParams(new URLSearchParams(dashboardSearch({ ...state, ...next }, nextFilters)));
  const link = (metric: VolumeMetric, bucket: string, groupBy?: string, groupKey?: string | null) =>
    queueLink({ filters, metric, bucket, interval: state.interval, tz, range, groupBy, groupKey });

  // names for the ids a report groups by
  const nameOf = useMemo(() => {
    const userNames = new Map((users.data ?? []).map((u) => [u.id, u.name]));
    const teamNames = new Map((teams.data ?? []).map((t) => [t.id, t.name]));
    return (groupBy: string | undefined, key: string | null): string => {
      if (key === null || key === '') return NONE;
      if (groupBy === 'assignee' || groupBy === 'agent') return userNames.get(key) ?? key;
      if (groupBy === 'team') return teamNames.get(key) ?? key;
      if (groupBy === 'channel') return CHANNEL_LABELS[key] ?? key;
      if (groupBy === 'status') return options('status').find((o) => o.value === key)?.label ?? key;
      return key;
    };
  }, [users.data, teams.data, options]);

  // volume trend: created, solved and backlog per bucket
  const trend = useVolumeTrend(query, state.interval);
  const trendData = useMemo(() => trendRows({ created: trend.created, solved: trend.solved, backlog: trend.backlog }, state.interval), [trend.created, trend.solved, trend.backlog, state.interval]);

  // the breakdown: created, grouped
  const groupBy = state.groupBy ?? 'channel';
  const grouped = useVolume(query, 'created', state.interval, groupBy);
  const stacked = useMemo(() => {
    if (!grouped.data) return null;
    const label = (s: { key: string | null; name?: string | null }) => s.name ?? nameOf(groupBy, s.key);
    const named = { ...grouped.data, series: grouped.data.series.map((s) => ({ ...s, key: label(s) })) };
    return { ...stackedRows(named, state.interval), raw: new Map(grouped.data.series.map((s) => [label(s), s.key])) };
  }, [grouped.data, groupBy, nameOf, state.interval]);

  // per-bucket reports (one request per bucket; coarser buckets over long ranges)
  const perBucket = useMemo(() => trendBuckets(range, state.interval), [range, state.interval]);
  const spans = useMemo(() => perBucket.buckets.map((b) => bucketSpan(b, perBucket.interval, tz, range)), [perBucket, tz, range]);
  const times = useResponseTimesOverTime(query, spans);
  const timeRows = useMemo(() => timesRows(perBucket.buckets, perBucket.interval, times.data, clock), [perBucket, times.data, clock]);
  const csat = useCsat(query, state.interval);
  const csatData = useMemo(() => csatRows(csat.data, state.interval), [csat.data, state.interval]);

  const sla = useSlaReport(query);
  const bars = useMemo(() => slaBars(sla.data?.rows ?? []), [sla.data]);
  const agents = useAgentsReport(query);

  // custom-field breakdown
  const usable = (fields.data ?? []).filter((f) => !f.archived && (COUNTABLE.includes(f.kind) || NUMERIC.includes(f.kind)));
  const field = state.field ?? (usable[0] ? `cf.${usable[0].key}` : undefined);
  const fieldDef = usable.find((f) => `cf.${f.key}` === field);
  // numbers: an exact sum (or average, min, max) over the tickets; the rest: tickets per value
  const [agg, setAgg] = useState('sum');
  const aggregate = fieldDef && NUMERIC.includes(fieldDef.kind) ? agg : 'count';
  const fieldReport = useFieldsReport(query, field, aggregate);
  const fieldRows = fieldBars(fieldReport.data, (value) => fieldDef?.options.find((o) => o.value === value)?.label ?? value);
  // the tickets created in the range with this value
  const inRange = { created_after: range.from, created_before: range.to };
  const fieldLink = (raw: string | null) =>
    filteredQueue(filters, { ...(aggregate === 'count' ? groupParams(field, raw) : field ? { [`${field}.set`]: 'true' } : {}), ...inRange });
  const agentLink = (id: string | null) => filteredQueue(filters, { ...groupParams('agent', id), ...inRange });

  const zoneNote = (
    <>
      {range.firstDay} to {range.lastDay}, by {state.interval} in <strong>{tz}</strong>
    </>
  );
  const csatScore = csat.data && csat.data.responses > 0 ? percent(csat.data.score) : '—';

  return (
    <div className="reports">
      <div className="page-header">
        <h1>Reports</h1>
        <p className="muted" aria-live="polite">
          {trend.created ? `${trend.created.total} created, ${trend.solved?.total ?? 0} solved` : ''}
        </p>
      </div>
      <form className="report-controls" aria-label="Report settings" onSubmit={(e) => e.preventDefault()}>
        <label>
          Range{' '}
          <select value={state.preset} onChange={(e) => set({ preset: e.target.value as Preset, from: range.firstDay, to: range.lastDay })}>
            {PRESETS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        {state.preset === 'custom' && (
          <>
            <label>
              From <input type="date" value={range.firstDay} max={range.lastDay} onChange={(e) => e.target.value && set({ from: e.target.value, to: range.lastDay })} />
            </label>
            <label>
              to <input type="date" value={range.lastDay} min={range.firstDay} onChange={(e) => e.target.value && set({ from: range.firstDay, to: e.target.value })} />
            </label>
          </>
        )}
        <label>
          Interval{' '}
          <select value={state.interval} onChange={(e) => set({ interval: e.target.value as Interval })}>
            {INTERVALS.map((i) => (
              <option key={i} value={i}>
                {i === 'week' ? 'ISO week' : titleCase(i)}
              </option>
            ))}
          </select>
        </label>
        <span className="muted small" title="Days, weeks (from Monday) and months are local to the workspace's time zone">
          Time zone: {tz}
        </span>
        <fieldset className="report-clock">
          <legend className="sr-only">Durations counted in</legend>
          {(['business', 'calendar'] as Clock[]).map((c) => (
            <label key={c} className="check">
              <input type="radio" name="clock" value={c} checked={clock === c} onChange={() => setClock(c)} /> {c === 'business' ? 'Business hours' : 'Calendar time'}
            </label>
          ))}
        </fieldset>
      </form>
      <div className="filterbar report-filters">
        <FilterChips filters={filters} onChange={(f) => set({}, f)} options={options} />
        <CustomFieldChips filters={filters} onChange={(f) => set({}, f)} />
        {activeFilterCount(filters) > 0 && (
          <button type="button" className="btn-link" onClick={() => set({}, {})}>
            Clear filters
          </button>
        )}
      </div>

      <div className="report-tiles" aria-label="Totals" role="group">
        <Tile label="Created" value={trend.created?.total} />
        <Tile label="Solved" value={trend.solved?.total} />
        <Tile label="Backlog now" value={trendData.at(-1)?.backlog} />
        <Tile label="CSAT" value={csatScore} hint={csat.data ? `${csat.data.responses} answers of ${csat.data.sent} sent` : undefined} />
      </div>

      <div className="report-grid">
        <ReportCard
          id="volume"
          wide
          title="Ticket volume"
          subtitle={<>Created and solved per bucket, backlog (not solved) at each bucket's end · {zoneNote}. Click a bar for its tickets.</>}
          csv={{ name: 'volume', query: { ...query, metric: 'created', interval: state.interval } }}
          loading={trend.pending}
          error={trend.error}
          retry={trend.refetch}
          empty={isEmpty(trend.created) && isEmpty(trend.solved) && isEmpty(trend.backlog)}
          table={<VolumeTable rows={trendData} link={(m, b) => link(m, b)} />}
        >
          <VolumeChart rows={trendData} link={(m, b) => link(m, b)} onOpen={(to) => void navigate(to)} />
        </ReportCard>

        <ReportCard
          id="breakdown"
          wide
          title="Created by"
          subtitle="Stacked by the dimension you pick; click a segment for its tickets."
          tools={
            <label>
              <span className="sr-only">Group by</span>
              <select aria-label="Group by" value={groupBy} onChange={(e) => set({ groupBy: e.target.value })}>
                {GROUPS.map((g) => (
                  <option key={g.value} value={g.value}>
                    {g.label}
                  </option>
                ))}
                {usable.filter((f) => COUNTABLE.includes(f.kind)).map((f) => (
                  <option key={f.key} value={`cf.${f.key}`}>
                    {f.label}
                  </option>
                ))}
              </select>
            </label>
          }
          csv={{ name: 'volume', query: { ...query, metric: 'created', interval: state.interval, group_by: groupBy } }}
          loading={grouped.isPending}
          error={grouped.error}
          retry={() => void grouped.refetch()}
          empty={isEmpty(grouped.data)}
          table={
            stacked && (
              <table className="admin-table report-numbers">
                <thead>
                  <tr>
                    <th scope="col">Bucket</th>
                    {stacked.keys.map((k) => (
                      <th key={k} scope="col">
                        {k}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {stacked.rows.map((row) => (
                    <tr key={String(row.bucket)}>
                      <th scope="row">{row.label}</th>
                      {stacked.keys.map((k) => (
                        <td key={k}>{row[k]}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        >
          {stacked && (
            <StackedChart
              rows={stacked.rows}
              keys={stacked.keys}
              label={`Tickets created per bucket by ${groupBy}`}
              onOpen={(bucket, key) => void navigate(link('created', bucket, groupBy, stacked.raw.has(key) ? (stacked.raw.get(key) ?? null) : key))}
            />
          )}
        </ReportCard>

        <ReportCard
          id="times"
          wide
          title="First response and resolution"
          subtitle={
            <>
              Median and 90th percentile by {perBucket.interval}
              {perBucket.interval !== state.interval ? ' (coarser over this range)' : ''}, in {clock === 'business' ? 'business hours' : 'calendar time'}.
            </>
          }
          csv={{ name: 'response-times', query: { ...query, group_by: 'agent' } }}
          loading={times.pending}
          error={times.error}
          retry={times.refetch}
          empty={timeRows.every((r) => r.tickets === 0)}
          table={<TimesTable rows={timeRows} />}
        >
          <TimesChart rows={timeRows} />
        </ReportCard>

        <ReportCard
          id="sla"
          title="SLA attainment"
          subtitle="Targets met (near misses: at risk, then met) and breached, per policy and target."
          csv={{ name: 'sla', query }}
          loading={sla.isPending}
          error={sla.error}
          retry={() => void sla.refetch()}
          empty={bars.length === 0}
          emptyText="No SLA targets fell due in this range."
          table={
            <table className="admin-table report-numbers">
              <thead>
                <tr>
                  <th scope="col">Policy · target</th>
                  <th scope="col">Tickets</th>
                  <th scope="col">Met</th>
                  <th scope="col">Near misses</th>
                  <th scope="col">Breached</th>
                  <th scope="col">Attainment</th>
                </tr>
              </thead>
              <tbody>
                {bars.map((b) => (
                  <tr key={b.name}>
                    <th scope="row">{b.name}</th>
                    <td>{b.tickets}</td>
                    <td>{b.met}</td>
                    <td>{b.near_miss}</td>
                    <td>{b.breached}</td>
                    <td>{percent(b.attainment)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          }
        >
          <SlaChart bars={bars} />
        </ReportCard>

        <ReportCard
          id="csat"
          title="Customer satisfaction"
          subtitle={
            <>
              Score {csatScore} (good ÷ rated; 4–5 count as good) · response rate {percent(csat.data?.response_rate)} · surveys sent per {state.interval}
            </>
          }
          csv={{ name: 'csat', query: { ...query, interval: state.interval } }}
          loading={csat.isPending}
          error={csat.error}
          retry={() => void csat.refetch()}
          empty={csatData.every((r) => r.responses === 0)}
          emptyText="No survey answers in this range."
          table={
            <table className="admin-table report-numbers">
              <thead>
                <tr>
                  <th scope="col">Bucket</th>
                  <th scope="col">Answers</th>
                  <th scope="col">Score</th>
                </tr>
              </thead>
              <tbody>
                {csatData.map((r) => (
                  <tr key={r.bucket}>
                    <th scope="row">{r.label}</th>
                    <td>{r.responses}</td>
                    <td>{r.score === null ? '—' : `${r.score}%`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          }
        >
          <CsatChart rows={csatData} />
        </ReportCard>

        <ReportCard
          id="agents"
          wide
          title="Agents"
          subtitle={`Per assignee, ${clock === 'business' ? 'business hours' : 'calendar time'}. One-touch: solved with at most one public reply.`}
          csv={{ name: 'agents', query }}
          loading={agents.isPending}
          error={agents.error}
          retry={() => void agents.refetch()}
          empty={(agents.data?.rows ?? []).length === 0}
        >
          <AgentsTable rows={agents.data?.rows ?? []} clock={clock} name={(id) => nameOf('agent', id)} link={agentLink} />
        </ReportCard>

        <ReportCard
          id="fields"
          wide
          title="Custom fields"
          subtitle={fieldDef ? `${fieldDef.label}: ${aggregate === 'count' ? 'tickets per value' : `${aggregate} per group`}, created in the range.` : 'Pick a field.'}
          tools={
            <>
              <label>
                <span className="sr-only">Field</span>
                <select aria-label="Field" value={field ?? ''} onChange={(e) => set({ field: e.target.value || undefined })}>
                  {usable.map((f) => (
                    <option key={f.key} value={`cf.${f.key}`}>
                      {f.label}
                    </option>
                  ))}
                </select>
              </label>
              {fieldDef && NUMERIC.includes(fieldDef.kind) && (
                <label>
                  <span className="sr-only">Aggregate</span>
                  <select aria-label="Aggregate" value={agg} onChange={(e) => setAgg(e.target.value)}>
                    {['sum', 'avg', 'min', 'max'].map((a) => (
                      <option key={a} value={a}>
                        {a === 'avg' ? 'Average' : titleCase(a)}
                      </option>
                    ))}
                  </select>
                </label>
              )}
            </>
          }
          csv={field ? { name: 'fields', query: { ...query, field, agg: aggregate } } : undefined}
          loading={!!field && fieldReport.isPending}
          error={fieldReport.error}
          retry={() => void fieldReport.refetch()}
          empty={!field || fieldRows.length === 0}
          emptyText={field ? 'No values in this range.' : 'This workspace has no custom fields to break down.'}
          table={
            <table className="admin-table report-numbers">
              <thead>
                <tr>
                  <th scope="col">Value</th>
                  <th scope="col">{aggregate === 'count' ? 'Tickets' : titleCase(aggregate)}</th>
                </tr>
              </thead>
              <tbody>
                {fieldRows.map((r) => (
                  <tr key={r.key}>
                    <th scope="row">{r.key}</th>
                    <td>{r.value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          }
        >
          <BreakdownChart rows={fieldRows} valueName={aggregate === 'count' ? 'Tickets' : titleCase(aggregate)} onOpen={(key) => void navigate(fieldLink(fieldRows.find((r) => r.key === key)?.raw ?? null))} />
        </ReportCard>
      </div>
    </div>
  );
}

function Tile({ label, value, hint }: { label: string; value: number | string | undefined; hint?: string }) {
  return (
    <div className="report-tile" title={hint}>
      <span className="muted small">{label}</span>
      <strong>{value ?? '…'}</strong>
    </div>
  );
}

function AgentsTable({ rows, clock, name, link }: { rows: AgentRow[]; clock: Clock; name: (id: string | null) => string; link: (id: string | null) => string }) {
  const sorted = [...rows].sort((a, b) => b.solved - a.solved);
  const csatOf = (row: AgentRow) => (row.csat.responses ? `${percent(row.csat.score)} (${row.csat.responses})` : '—');
  return (
    <div className="table-scroll">
      <table className="admin-table report-numbers" aria-label="Agents">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Assigned</th>
            <th scope="col">Solved</th>
            <th scope="col">Reopened</th>
            <th scope="col">One-touch</th>
            <th scope="col">First response, median</th>
            <th scope="col">Resolution, median</th>
            <th scope="col">CSAT</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => {
            const id = row.key;
            return (
              <tr key={id ?? 'none'}>
                <th scope="row">
                  <Link to={link(id)} title="Their tickets created in this range">
                    {row.name ?? name(id)}
                  </Link>
                </th>
                <td>{row.assigned}</td>
                <td>{row.solved}</td>
                <td>{row.reopened}</td>
                <td>{row.solved ? `${row.one_touch} (${percent(row.one_touch / row.solved)})` : row.one_touch}</td>
                <td>{formatMinutes(statOf(row.first_response, 'median', clock))}</td>
                <td>{formatMinutes(statOf(row.resolution, 'median', clock))}</td>
                <td>{csatOf(row)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
