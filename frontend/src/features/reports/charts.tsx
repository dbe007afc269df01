// The dashboard's charts (Recharts). Colours are the app's CSS variables, so dark mode follows
// the theme; a bar opens the queue of its tickets (`onOpen`), and every chart has its numbers
// as a table with the same links for keyboard and screen-reader users.
import { Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Link } from 'react-router-dom';
import { formatMinutes, percent, type CsatRow, type SlaBar, type TimesRow, type TrendRow, type VolumeMetric } from './shape';

export const PALETTE = ['var(--blue)', 'var(--teal)', 'var(--amber)', 'var(--purple)', 'var(--orange)', 'var(--green)', 'var(--red)', 'var(--stone)'];
const AXIS = { stroke: 'var(--muted)', fontSize: 12 };
const GRID = <CartesianGrid stroke="var(--border-soft)" vertical={false} />;
const TOOLTIP = {
  contentStyle: { background: 'var(--panel)', border: '1px solid var(--border)', borderRadius: 6, color: 'var(--text)' },
  labelStyle: { color: 'var(--text)', fontWeight: 600 },
  itemStyle: { color: 'var(--text-2)' },
  cursor: { fill: 'var(--hover)' },
};
const HEIGHT = 260;

type Payload = { payload?: { bucket?: string } };
const bucketOf = (item: Payload) => item.payload?.bucket;

export function VolumeChart({ rows, link, onOpen }: { rows: TrendRow[]; link: (metric: VolumeMetric, bucket: string) => string; onOpen: (to: string) => void }) {
  const open = (metric: VolumeMetric) => (item: Payload) => {
    const bucket = bucketOf(item);
    if (bucket) onOpen(link(metric, bucket));
  };
  const summary = `Created ${rows.reduce((a, r) => a + r.created, 0)}, solved ${rows.reduce((a, r) => a + r.solved, 0)}, backlog at the end ${rows.at(-1)?.backlog ?? 0}.`;
  return (
    <figure className="chart" aria-label={`Ticket volume by bucket. ${summary}`} role="group">
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <ComposedChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: -12 }}>
          {GRID}
          <XAxis dataKey="label" tick={AXIS} stroke="var(--border)" minTickGap={16} />
          <YAxis allowDecimals={false} tick={AXIS} stroke="var(--border)" />
          <Tooltip {...TOOLTIP} />
          <Legend wrapperStyle={{ color: 'var(--text-2)', fontSize: 12 }} />
          <Bar dataKey="created" name="Created" fill="var(--blue)" cursor="pointer" onClick={open('created')} radius={[3, 3, 0, 0]} />
          <Bar dataKey="solved" name="Solved" fill="var(--green)" cursor="pointer" onClick={open('solved')} radius={[3, 3, 0, 0]} />
          <Line dataKey="backlog" name="Backlog" stroke="var(--amber)" strokeWidth={2} dot={false} type="monotone" />
        </ComposedChart>
      </ResponsiveContainer>
      <figcaption className="sr-only">{summary} The table below lists every bucket with links to its tickets.</figcaption>
    </figure>
  );
}

export function VolumeTable({ rows, link }: { rows: TrendRow[]; link: (metric: VolumeMetric, bucket: string) => string }) {
  return (
    <table className="admin-table report-numbers">
      <thead>
        <tr>
          <th scope="col">Bucket</th>
          <th scope="col">Created</th>
          <th scope="col">Solved</th>
          <th scope="col">Backlog</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.bucket}>
            <th scope="row">{r.label}</th>
            <td>
              <Link to={link('created', r.bucket)}>{r.created}</Link>
            </td>
            <td>
              <Link to={link('solved', r.bucket)}>{r.solved}</Link>
            </td>
            <td>
              <Link to={link('backlog', r.bucket)}>{r.backlog}</Link>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function StackedChart({ rows, keys, onOpen, label }: { rows: Record<string, string | number>[]; keys: string[]; onOpen: (bucket: string, key: string) => void; label: string }) {
  return (
    <figure className="chart" aria-label={label} role="group">
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: -12 }}>
          {GRID}
          <XAxis dataKey="label" tick={AXIS} stroke="var(--border)" minTickGap={16} />
          <YAxis allowDecimals={false} tick={AXIS} stroke="var(--border)" />
          <Tooltip {...TOOLTIP} />
          <Legend wrapperStyle={{ color: 'var(--text-2)', fontSize: 12 }} />
          {keys.map((key, i) => (
            <Bar
              key={key}
              dataKey={key}
              name={key}
              stackId="group"
              fill={PALETTE[i % PALETTE.length]}
              cursor="pointer"
              onClick={(item: Payload) => {
                const bucket = bucketOf(item);
                if (bucket) onOpen(bucket, key);
              }}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

const hours = (minutes: number | null) => (minutes === null ? null : Math.round((minutes / 60) * 10) / 10);

export function TimesChart({ rows }: { rows: TimesRow[] }) {
  const data = rows.map((r) => ({
    label: r.label,
    'First response, median': hours(r.first_median),
    'First response, p90': hours(r.first_p90),
    'Resolution, median': hours(r.resolution_median),
    'Resolution, p90': hours(r.resolution_p90),
  }));
  const lines: [string, string, string | undefined][] = [
    ['First response, median', 'var(--blue)', undefined],
    ['First response, p90', 'var(--blue)', '5 4'],
    ['Resolution, median', 'var(--purple)', undefined],
    ['Resolution, p90', 'var(--purple)', '5 4'],
  ];
  return (
    <figure className="chart" aria-label="First response and resolution times in hours, median and 90th percentile, per bucket" role="group">
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <LineChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -12 }}>
          {GRID}
          <XAxis dataKey="label" tick={AXIS} stroke="var(--border)" minTickGap={16} />
          <YAxis tick={AXIS} stroke="var(--border)" unit="h" />
          <Tooltip {...TOOLTIP} formatter={(value) => (typeof value === 'number' ? formatMinutes(value * 60) : '—')} />
          <Legend wrapperStyle={{ color: 'var(--text-2)', fontSize: 12 }} />
          {lines.map(([key, color, dash]) => (
            <Line key={key} dataKey={key} stroke={color} strokeDasharray={dash} strokeWidth={2} connectNulls dot={{ r: 2 }} type="monotone" />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

export function TimesTable({ rows }: { rows: TimesRow[] }) {
  return (
    <table className="admin-table report-numbers">
      <thead>
        <tr>
          <th scope="col">Bucket</th>
          <th scope="col">Tickets</th>
          <th scope="col">First response, median</th>
          <th scope="col">p90</th>
          <th scope="col">Resolution, median</th>
          <th scope="col">p90</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.bucket}>
            <th scope="row">{r.label}</th>
            <td>{r.tickets}</td>
            <td>{formatMinutes(r.first_median)}</td>
            <td>{formatMinutes(r.first_p90)}</td>
            <td>{formatMinutes(r.resolution_median)}</td>
            <td>{formatMinutes(r.resolution_p90)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SlaChart({ bars }: { bars: SlaBar[] }) {
  const data = bars.map((b) => ({ name: b.name, Met: b.met - b.near_miss, 'Met, near miss': b.near_miss, Breached: b.breached }));
  return (
    <figure className="chart" aria-label={`SLA attainment: ${bars.map((b) => `${b.name} ${percent(b.attainment)}`).join(', ')}`} role="group">
      <ResponsiveContainer width="100%" height={Math.max(140, 36 * bars.length + 60)}>
        <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid stroke="var(--border-soft)" horizontal={false} />
          <XAxis type="number" allowDecimals={false} tick={AXIS} stroke="var(--border)" />
          <YAxis type="category" dataKey="name" width={170} tick={AXIS} stroke="var(--border)" />
          <Tooltip {...TOOLTIP} />
          <Legend wrapperStyle={{ color: 'var(--text-2)', fontSize: 12 }} />
          <Bar dataKey="Met" stackId="sla" fill="var(--green)" />
          <Bar dataKey="Met, near miss" stackId="sla" fill="var(--amber)" />
          <Bar dataKey="Breached" stackId="sla" fill="var(--red)" />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

export function CsatChart({ rows }: { rows: CsatRow[] }) {
  return (
    <figure className="chart" aria-label="Customer satisfaction score per bucket, in percent good" role="group">
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <ComposedChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: -12 }}>
          {GRID}
          <XAxis dataKey="label" tick={AXIS} stroke="var(--border)" minTickGap={16} />
          <YAxis yAxisId="score" domain={[0, 100]} unit="%" tick={AXIS} stroke="var(--border)" />
          <YAxis yAxisId="responses" orientation="right" allowDecimals={false} tick={AXIS} stroke="var(--border)" />
          <Tooltip {...TOOLTIP} />
          <Legend wrapperStyle={{ color: 'var(--text-2)', fontSize: 12 }} />
          <Bar yAxisId="responses" dataKey="responses" name="Answers" fill="var(--grey-bg)" stroke="var(--border)" />
          <Line yAxisId="score" dataKey="score" name="Score (% good)" stroke="var(--teal)" strokeWidth={2} connectNulls type="monotone" />
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}

export function BreakdownChart({ rows, onOpen, valueName }: { rows: { key: string; value: number }[]; onOpen: (key: string) => void; valueName: string }) {
  return (
    <figure className="chart" aria-label={`${valueName} per value: ${rows.map((r) => `${r.key} ${r.value}`).join(', ')}`} role="group">
      <ResponsiveContainer width="100%" height={Math.max(140, 30 * rows.length + 50)}>
        <BarChart data={rows} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid stroke="var(--border-soft)" horizontal={false} />
          <XAxis type="number" tick={AXIS} stroke="var(--border)" />
          <YAxis type="category" dataKey="key" width={140} tick={AXIS} stroke="var(--border)" />
          <Tooltip {...TOOLTIP} />
          <Bar
            dataKey="value"
            name={valueName}
            fill="var(--accent)"
            cursor="pointer"
            radius={[0, 3, 3, 0]}
            onClick={(item: { payload?: { key?: string } }) => item.payload?.key !== undefined && onOpen(item.payload.key)}
          />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
