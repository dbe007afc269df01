// The Reports API (`/reports/*`, API.md "Reports and CSAT"): one thin typed hook per report.
// Every report takes the range, the time zone and the queue's filters; `Accept: text/csv`
// gives the same table as a file.
import { useQueries, useQuery } from '@tanstack/react-query';
import { ApiError, getToken } from './client';
import { saveBlob } from './export';
import type { Interval, Minutes, VolumeMetric } from '../features/reports/shape';

export type ReportName = 'volume' | 'response-times' | 'agents' | 'sla' | 'fields' | 'csat';
export type ReportQuery = Record<string, string | undefined>;

/** median / p90 / avg of a duration, each in calendar and business minutes. */
export interface DurationStats {
  median: Minutes | null;
  p90: Minutes | null;
  avg: Minutes | null;
  [extra: string]: unknown;
}

export interface VolumeReport {
  interval: Interval;
  buckets: string[];
  series: { key: string | null; counts: number[] }[];
  total: number;
  [extra: string]: unknown;
}

export interface ResponseTimesRow {
  key: string | null;
  tickets: number;
  first_response: DurationStats;
  resolution: DurationStats;
  requester_wait?: DurationStats;
}
export interface ResponseTimesReport {
  rows: ResponseTimesRow[];
  [extra: string]: unknown;
}

export interface AgentRow {
  key?: string | null;
  agent_id?: string | null;
  name?: string | null;
  assigned: number;
  solved: number;
  reopened: number;
  one_touch: number;
  first_response: DurationStats;
  resolution: DurationStats;
  csat?: { score: number | null; responses: number; [extra: string]: unknown } | number | null;
}
export interface AgentsReport {
  rows: AgentRow[];
  [extra: string]: unknown;
}

export interface SlaRow {
  policy?: string | null;
  policy_id?: string | null;
  policy_name?: string | null;
  priority?: string | null;
  target?: string | null;
  tickets: number;
  met: number;
  breached: number;
  breach_rate: number | null;
  near_miss: number;
  [extra: string]: unknown;
}
export interface SlaReport {
  rows: SlaRow[];
  [extra: string]: unknown;
}

export interface FieldsRow {
  key: string | null;
  tickets?: number;
  count?: number;
  value?: number | string | null;
  [extra: string]: unknown;
}
export interface FieldsReport {
  field: string;
  agg: string;
  rows: FieldsRow[];
  [extra: string]: unknown;
}

export interface CsatReport {
  score: number | null;
  responses: number;
  sent: number;
  response_rate: number | null;
  good?: number;
  bad?: number;
  [extra: string]: unknown;
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

/** One CSAT answer per bucket, for the trend chart. */
export function useCsatOverTime(query: ReportQuery, spans: { from: string; to: string }[]) {
  return useQueries({
    queries: spans.map((span) => {
      const q = { ...query, from: span.from, to: span.to };
      return { queryKey: ['report', 'csat', q], queryFn: ({ signal }: { signal: AbortSignal }) => getReport<CsatReport>('csat', q, signal), ...REPORT };
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

export function useCsat(query: ReportQuery) {
  return useReport<CsatReport>('csat', query);
}

export function useFieldsReport(query: ReportQuery, field: string | undefined, agg: string) {
  return useReport<FieldsReport>('fields', { ...query, field, agg }, !!field);
}
