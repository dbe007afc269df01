// The Reports API (`/reports/*`, API.md "Reports and CSAT"): one thin typed hook per report.
// Every report takes the range, the time zone and the queue's filters; `Accept: text/csv`
// gives the same table as a file.
import { useQueries, useQuery } from '@tanstack/react-query';
import { ApiError, getToken } from './client';
import { saveBlob } from './export';
import type { Interval, VolumeMetric } from '../features/reports/shape';

export type ReportName = 'volume' | 'response-times' | 'agents' | 'sla' | 'fields' | 'csat';
export type ReportQuery = Record<string, string | undefined>;

// The shapes below mirror the reports room's schemas (openapi: VolumeReportRead, …).
interface ReportWindow {
  from: string;
  to: string;
  tz: string;
  /** exact: counted from the tickets' metrics; rollup: estimated from the daily rollups */
  source: 'exact' | 'rollup';
}

/** Minutes. */
export interface DurationStats {
  median: number | null;
  p90: number | null;
  avg: number | null;
}
export interface Duration {
  calendar: DurationStats;
  business: DurationStats;
}

export interface VolumeReport extends ReportWindow {
  metric: VolumeMetric;
  interval: Interval;
  group_by: string | null;
  buckets: string[];
  series: { key: string | null; name?: string | null; counts: number[]; total: number }[];
  total: number;
}

export interface ResponseTimesRow {
  key: string | null;
  name?: string | null;
  tickets: number;
  first_response: Duration;
  resolution: Duration;
  requester_wait: Duration;
}
export interface ResponseTimesReport extends ReportWindow {
  group_by: string | null;
  rows: ResponseTimesRow[];
}

export interface CsatSummary {
  score: number | null;
  responses: number;
  good: number;
  bad: number;
}

export interface AgentRow {
  key: string | null;
  name?: string | null;
  assigned: number;
  solved: number;
  reopened: number;
  one_touch: number;
  first_response: Duration;
  resolution: Duration;
  csat: CsatSummary;
}
export interface AgentsReport extends ReportWindow {
  rows: AgentRow[];
}

export interface SlaOutcome {
  tickets: number;
  met: number;
  breached: number;
  breach_rate: number | null;
  near_miss: number;
}
export interface SlaRow {
  policy_id: string;
  policy: string | null;
  priority: string;
  tickets: number;
  first_response: SlaOutcome;
  resolution: SlaOutcome;
}
export interface SlaReport extends ReportWindow {
  rows: SlaRow[];
}

export interface FieldsRow {
  key: string | null;
  name?: string | null;
  tickets: number;
  /** sum/avg/min/max as an exact decimal string (count: null) */
  value?: string | null;
  /** count: tickets per option or value */
  options: { value: string; count: number }[];
}
export interface FieldsReport extends ReportWindow {
  field: string;
  kind: string;
  agg: string;
  group_by: string | null;
  rows: FieldsRow[];
}

export interface CsatReport extends ReportWindow, CsatSummary {
  sent: number;
  response_rate: number | null;
  interval: Interval;
  group_by: string | null;
  buckets: string[];
  series: { key: string | null; name?: string | null; sent: number[]; responses: number[]; score: (number | null)[] }[];
}

function reportUrl(name: ReportName, query: ReportQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, value);
  const search = params.toString();
  return `${globalThis.location?.origin ?? ''}/api/v1/reports/${name}${search ? `?${search}` : ''}`;
}

async function fetchReport(name: ReportName, query: ReportQuery, accept: string, signal?: AbortSignal): Promise<Response> {
  const token = getToken();
  const response = await globalThis.fetch(reportUrl(name, query), {
    headers: { Accept: accept, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    signal,
  });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  return response;
}

export async function getReport<T>(name: ReportName, query: ReportQuery, signal?: AbortSignal): Promise<T> {
  return (await (await fetchReport(name, query, 'application/json', signal)).json()) as T;
}

/** The same report as CSV, saved as `<name>-<from>-<to>.csv`. */
export async function downloadReport(name: ReportName, query: ReportQuery): Promise<void> {
  const blob = await (await fetchReport(name, query, 'text/csv')).blob();
  const day = (value: string | undefined) => (value ?? '').slice(0, 10);
  saveBlob(`${name}-${day(query.from)}-${day(query.to)}.csv`, blob);
}

const REPORT = { staleTime: 60_000, refetchOnWindowFocus: false, placeholderData: <T,>(previous: T | undefined) => previous };

function useReport<T>(name: ReportName, query: ReportQuery, enabled = true) {
  return useQuery({
    queryKey: ['report', name, query],
    queryFn: ({ signal }) => getReport<T>(name, query, signal),
    enabled,
    ...REPORT,
  });
}

export function useVolume(query: ReportQuery, metric: VolumeMetric, interval: Interval, groupBy?: string) {
  return useReport<VolumeReport>('volume', { ...query, metric, interval, group_by: groupBy });
}

/** Created, solved and backlog at once (three requests, one chart). */
export function useVolumeTrend(query: ReportQuery, interval: Interval) {
  const metrics: VolumeMetric[] = ['created', 'solved', 'backlog'];
  return useQueries({
    queries: metrics.map((metric) => {
      const q = { ...query, metric, interval };
      return { queryKey: ['report', 'volume', q], queryFn: ({ signal }: { signal: AbortSignal }) => getReport<VolumeReport>('volume', q, signal), ...REPORT };
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
  return useReport<ResponseTimesReport>('response-times', { ...query, group_by: groupBy });
}

/** One response-times answer per bucket (`spans`: each bucket's from/to), for the trend chart. */
export function useResponseTimesOverTime(query: ReportQuery, spans: { from: string; to: string }[]) {
  return useQueries({
    queries: spans.map((span) => {
      const q = { ...query, from: span.from, to: span.to };
      return { queryKey: ['report', 'response-times', q], queryFn: ({ signal }: { signal: AbortSignal }) => getReport<ResponseTimesReport>('response-times', q, signal), ...REPORT };
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
  return useReport<AgentsReport>('agents', query);
}

export function useSlaReport(query: ReportQuery) {
  return useReport<SlaReport>('sla', query);
}

export function useCsat(query: ReportQuery, interval: Interval) {
  return useReport<CsatReport>('csat', { ...query, interval });
}

export function useFieldsReport(query: ReportQuery, field: string | undefined, agg: string) {
  return useReport<FieldsReport>('fields', { ...query, field, agg }, !!field);
}
