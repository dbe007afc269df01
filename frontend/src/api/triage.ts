// Triage: the workspace's model (state, quality, whether a language model is configured), a
// ticket's insights, suggestions for a draft ticket as it is typed, and the auto-apply
// thresholds. The small rules the screens share (confidence in words, what a suggestion may
// fill) live here so they are tested once.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, ApiError, unwrap, type Schemas } from './client';

export type TriageModel = Schemas['TriageModelRead'];
export type Prediction = Schemas['Prediction'];
export type Insights = Schemas['TicketInsights'];
export type Suggested = Schemas['SuggestedValue'];
export type TriageFieldName = 'type' | 'category' | 'priority' | 'team' | 'labels';

export const TRIAGE_FIELDS: readonly TriageFieldName[] = ['category', 'type', 'priority', 'team', 'labels'];
export const TRIAGE_FIELD_LABELS: Record<TriageFieldName, string> = { category: 'Category', type: 'Type', priority: 'Priority', team: 'Team', labels: 'Labels' };

/** How long typing must pause before the draft is sent for suggestions. */
export const SUGGEST_DELAY_MS = 400;

/** A confidence (0..1) as a person reads it: "87 %"; below 1 % "< 1 %", never "100 %" unless it is. */
export function formatConfidence(confidence: number): string {
  if (!Number.isFinite(confidence)) return '—';
  const clamped = Math.min(1, Math.max(0, confidence));
  if (clamped > 0 && clamped < 0.01) return '< 1 %';
  const percent = clamped < 1 ? Math.min(99, Math.round(clamped * 100)) : 100;
  return `${percent} %`;
}

/** A figure measured on held-out tickets (0..1) as a percentage with one decimal; null: "—". */
export function formatRate(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(1)} %`;
}

/** How sure the model is, as a word for the chip's tone. */
export function confidenceTone(confidence: number): 'high' | 'medium' | 'low' {
  return confidence >= 0.8 ? 'high' : confidence >= 0.5 ? 'medium' : 'low';
}

/** The parts of a draft ticket a suggestion may fill: only what the agent left empty. */
export interface DraftFields {
  type: string;
  category: string;
  priority: string;
  team_id: string;
  labels: string;
}

/** Whether a field of the draft is still the agent's to fill (empty, or priority untouched). */
export function isEmptyField(draft: DraftFields, field: TriageFieldName, touched: ReadonlySet<string>): boolean {
  switch (field) {
    case 'priority':
      // the form starts at "normal": untouched counts as empty, any choice of the agent's does not
      return !touched.has('priority');
    case 'team':
      return !draft.team_id;
    case 'labels':
      return true; // labels add to what is there, never replace it
    default:
      return !draft[field].trim();
  }
}

/** The draft with one suggestion filled in, or the same draft when the agent already set it. */
export function applySuggestion(draft: DraftFields, field: TriageFieldName, value: string, touched: ReadonlySet<string>): DraftFields {
  if (!isEmptyField(draft, field, touched)) return draft;
  switch (field) {
    case 'team':
      return { ...draft, team_id: value };
    case 'labels': {
      const labels = draft.labels.split(',').map((l) => l.trim().toLowerCase()).filter(Boolean);
      if (labels.includes(value.toLowerCase())) return draft;
      return { ...draft, labels: [...labels, value.toLowerCase()].join(', ') };
    }
    default:
      return { ...draft, [field]: value };
  }
}

/** The suggestions worth showing as chips: per field, only where the draft still has room. */
export function openSuggestions(prediction: Prediction | undefined, draft: DraftFields, touched: ReadonlySet<string>): { field: TriageFieldName; suggestion: Suggested }[] {
  if (!prediction) return [];
  const out: { field: TriageFieldName; suggestion: Suggested }[] = [];
  for (const field of TRIAGE_FIELDS) {
    if (field === 'labels') {
      const have = new Set(draft.labels.split(',').map((l) => l.trim().toLowerCase()));
      for (const label of prediction.labels ?? []) if (!have.has(label.value.toLowerCase())) out.push({ field, suggestion: label });
      continue;
    }
    const suggestion = prediction[field];
    if (suggestion && isEmptyField(draft, field, touched) && !(field === 'priority' && draft.priority === suggestion.value)) out.push({ field, suggestion });
  }
  return out;
}

/** `value` once it has stopped changing for `delay` ms. */
export function useDebounced<T>(value: T, delay: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

export const isNoModel = (error: unknown) => error instanceof ApiError && error.status === 409;

export function useTriageModel(options: { refetchInterval?: number | false } = {}) {
  return useQuery({
    queryKey: ['triage-model'],
    queryFn: () => unwrap(api.GET('/api/v1/triage/model')),
    staleTime: 60_000,
    refetchInterval: options.refetchInterval,
  });
}

export function useTicketInsights(key: string, version: number, enabled: boolean) {
  return useQuery({
    // a new version of the ticket (its text, its fields) asks again
    queryKey: ['insights', key, version],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/tickets/{ticket}/insights', { params: { path: { ticket: key } }, signal })),
    enabled,
    staleTime: 30_000,
    retry: false,
  });
}

/**
 * Suggestions for a draft, asked for once typing pauses: each new text cancels the request still
 * on its way for the old one (React Query aborts the signal when the key it served is left).
 */
export function useDraftPrediction(subject: string, description: string, enabled: boolean) {
  const settled = useDebounced({ subject: subject.trim(), description: description.trim() }, SUGGEST_DELAY_MS);
  return useQuery({
    queryKey: ['triage-predict', settled.subject, settled.description],
    queryFn: ({ signal }) => unwrap(api.POST('/api/v1/triage/predict', { body: settled, signal })),
    enabled: enabled && settled.subject.length >= 3,
    staleTime: 60_000,
    retry: false,
    placeholderData: (previous) => previous,
  });
}

export function useTriageSettings() {
  return useQuery({ queryKey: ['triage-settings'], queryFn: () => unwrap(api.GET('/api/v1/settings/triage')) });
}

/** After asking for a run from `before` (the version then): has it ended, and how? */
export function trainingOutcome(model: TriageModel | undefined, before: number | null): 'waiting' | 'trained' | 'failed' {
  if (!model) return 'waiting';
  if (model.version !== null && model.version !== undefined && model.version !== before) return 'trained';
  if (model.state !== 'training' && model.last_error) return 'failed';
  return 'waiting';
}

/** The thresholds form's rows from the stored settings: each field on or off, with its value. */
export function thresholdRows(stored: Record<string, number>): Record<TriageFieldName, { on: boolean; value: string }> {
  return Object.fromEntries(TRIAGE_FIELDS.map((f) => [f, { on: f in stored, value: String(stored[f] ?? 0.9) }])) as Record<TriageFieldName, { on: boolean; value: string }>;
}

/** The body of `PUT /settings/triage` from the form's rows (fields switched off are left out). */
export function thresholdsBody(rows: Record<TriageFieldName, { on: boolean; value: string }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const field of TRIAGE_FIELDS) if (rows[field].on) out[field] = Number(rows[field].value);
  return out;
}
