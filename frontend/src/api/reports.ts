// The Reports API (`/reports/*`, API.md "Reports and CSAT"): one thin typed hook per report.
// Every report takes the range, the time zone and the queue's filters; `Accept: text/csv`
// gives the same table as a file.
import { useQueries, useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from './client';
import type { paths } from './schema';
import { saveBlob } from './export';
import type { Interval, VolumeMetric } from '../features/reports/shape';

export type ReportName = 'volume' | 'response-times' | 'agents' | 'sla' | 'fields' | 'csat';
export type ReportQuery = Record<string, string | undefined>;

export type VolumeReport = Schemas['VolumeReportRead'];
export type ResponseTimesReport = Schemas['ResponseTimesReportRead'];
export type AgentsReport = Schemas['AgentsReportRead'];
export type AgentRow = Schemas['AgentReportRow'];
export type SlaReport = Schemas['SlaReportRead'];
export type FieldsReport = Schemas['FieldsReportRead'];
export type CsatReport = Schemas['CsatReportRead'];

const PATHS = {
  volume: '/api/v1/reports/volume',
  'response-times': '/api/v1/reports/response-times',
  agents: '/api/v1/reports/agents',
  sla: '/api/v1/reports/sla',
  fields: '/api/v1/reports/fields',
  csat: '/api/v1/reports/csat',
} as const;

interface Answers {
  volume: VolumeReport;
  'response-times': ResponseTimesReport;
  agents: AgentsReport;
  sla: SlaReport;
  fields: FieldsReport;
  csat: CsatReport;
}

// A report's query: its own parameters, the range and the queue's filters, `cf.<key>` ones
// included (which the schema cannot name one by one, as for the ticket list).
type AnyQuery = NonNullable<paths['/api/v1/reports/fields']['get']['parameters']['query']>;

function cleaned(query: ReportQuery): AnyQuery {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== '')) as unknown as AnyQuery;
}

export function getReport<N extends ReportName>(name: N, query: ReportQuery, signal?: AbortSignal): Promise<Answers[N]> {
  return unwrap(api.GET(PATHS[name] as '/api/v1/reports/fields', { params: { query: cleaned(query) }, signal })) as Promise<Answers[N]>;
}

/** The same report as CSV (`Accept: text/csv`), saved as `<name>-<from>-<to>.csv`. */
export async function downloadReport(name: ReportName, query: ReportQuery): Promise<void> {
  const blob = await unwrap(
    api.GET(PATHS[name] as '/api/v1/reports/fields', { params: { query: cleaned(query) }, headers: { Accept: 'text/csv' }, parseAs: 'blob' }),
  );
  const day = (value: string | undefined) => (value ?? '').slice(0, 10);
  saveBlob(`${name}-${day(query.from)}-${day(query.to)}.csv`, blob);
}

const REPORT = { staleTime: 60_000, refetchOnWindowFocus: false, placeholderData: <T,>(previous: T | undefined) => previous };

function useReport<N extends ReportName>(name: N, query: ReportQuery, enabled = true) {
  return useQuery({
    queryKey: ['report', name, query],
    queryFn: ({ signal }) => getReport(name, query, signal),
    enabled,
    ...REPORT,
  });
}

export function useVolume(query: ReportQuery, metric: VolumeMetric, interval: Interval, groupBy?: string) {
  return useReport('volume', { ...query, metric, interval, group_by: groupBy });
}

/** Created, solved and backlog at once (three requests, one chart). */
export function useVolumeTrend(query: ReportQuery, interval: Interval) {
  const metrics: VolumeMetric[] = ['created', 'solved', 'backlog'];
  return useQueries({
    queries: metrics.map((metric) => {
      const q = { ...query, metric, interval };
      return { queryKey: ['report', 'volume', q], queryFn: ({ signal }: { signal: AbortSignal }) => getReport('volume', q, signal), ...REPORT };
    }),
    combine: (results) => ({
      created: results[0]!.data,
      solved: results[1]!.data,
      backlog: results[2]!.data,
      pending: results.some((r) => r.isPending),
      fetching: results.some((r) => r.isFetching),
      error: results.find((r) => r.error)?.error ?? null,
      refetch: () => results.forEach((r) => void r.refetch()),
    }),
  });
}

export function useResponseTimes(query: ReportQuery, groupBy?: string) {
  return useReport('response-times', { ...query, group_by: groupBy });
}

/** One response-times answer per bucket (`spans`: each bucket's from/to), for the trend chart. */
export function useResponseTimesOverTime(query: ReportQuery, spans: { from: string; to: string }[]) {
  return useQueries({
    queries: spans.map((span) => {
      const q = { ...query, from: span.from, to: span.to };
      return { queryKey: ['report', 'response-times', q], queryFn: ({ signal }: { signal: AbortSignal }) => getReport('response-times', q, signal), ...REPORT };
    }),
    combine: (results) => ({
      data: results.map((r) => r.data),
      pending: results.some((r) => r.isPending),
      error: results.find((r) => r.error)?.error ?? null,
      refetch: () => results.forEach((r) => void r.refetch()),
    }),
  });
}

export function useAgentsReport(query: ReportQuery) {
  return useReport('agents', query);
}

export function useSlaReport(query: ReportQuery) {
  return useReport('sla', query);
}

export function useCsat(query: ReportQuery, interval: Interval) {
  return useReport('csat', { ...query, interval });
}

export function useFieldsReport(query: ReportQuery, field: string | undefined, agg: string) {
  return useReport('fields', { ...query, field, agg }, !!field);
}
