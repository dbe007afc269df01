// The triage model (`/triage/model`): what it was trained on and how good it is per field, against
// always guessing the most common value, measured on the newest 20 % of tickets it did not see;
// a Train button that waits for the new version; and the auto-apply thresholds.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import {
  formatRate,
  thresholdRows,
  thresholdsBody,
  trainingOutcome,
  TRIAGE_FIELD_LABELS,
  TRIAGE_FIELDS,
  useTriageModel,
  useTriageSettings,
  type TriageFieldName,
  type TriageModel,
} from '../../api/triage';
import { ErrorState, Spinner } from '../../components/ui';
import { absolute, relative } from '../../lib/format';
import { placeErrors } from './fieldErrors';
import { FieldError, FormErrors } from './form';
import { Failure, Page } from './shared';

const STATE_WORDS: Record<TriageModel['state'], string> = { none: 'No model yet', training: 'Training', ready: 'Ready' };

export function TriagePage() {
  return (
    <Page
      title="Triage model"
      intro="The desk learns category, type, priority, team and labels from this workspace's own tickets, on this machine. Each run is measured on the newest 20 % of tickets before it is used."
    >
      <ModelSection />
      <ThresholdsSection />
    </Page>
  );
}

function ModelSection() {
  const queryClient = useQueryClient();
  // the version the last Train click started from; polling runs while it is set
  const [waitingFrom, setWaitingFrom] = useState<number | null | undefined>(undefined);
  const waiting = waitingFrom !== undefined;
  const model = useTriageModel({ refetchInterval: waiting ? 1_000 : false });
  const outcome = waiting ? trainingOutcome(model.data, waitingFrom) : null;
  if (waiting && outcome !== 'waiting') setWaitingFrom(undefined);
  const train = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/triage/train')),
    onMutate: () => setWaitingFrom(model.data?.version ?? null),
    onError: () => setWaitingFrom(undefined),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['triage-model'] }),
  });
  if (model.isPending) return <Spinner label="Loading the triage model…" />;
  if (model.isError) return <ErrorState error={model.error} retry={() => void model.refetch()} />;
  const m = model.data;
  const busy = waiting || m.state === 'training';
  return (
    <section className="card admin-form" aria-label="Model">
      <div className="card-title-row">
        <h2>Model</h2>
        <button type="button" className="btn btn-primary" disabled={busy || train.isPending} onClick={() => train.mutate()}>
          {busy ? 'Training…' : m.version ? 'Train again' : 'Train'}
        </button>
      </div>
      <dl className="meta" aria-label="Model state">
        <dt>State</dt>
        <dd data-state={m.state}>
          {STATE_WORDS[m.state]}
          {m.version ? ` · version ${m.version}` : ''}
        </dd>
        <dt>Last training</dt>
        <dd>{m.trained_at ? <span title={absolute(m.trained_at)}>{relative(m.trained_at)}</span> : '—'}</dd>
        <dt>Tickets trained on</dt>
        <dd>{m.examples.toLocaleString()}</dd>
        {m.training_seconds !== null && m.training_seconds !== undefined && (
          <>
            <dt>Training took</dt>
            <dd>{m.training_seconds.toFixed(1)} s</dd>
          </>
        )}
        <dt>Language model</dt>
        <dd>{m.llm_configured ? 'Configured: ticket summaries and reply drafts are on' : 'Not configured (TICKETDESK_LLM_URL): nothing leaves this machine'}</dd>
      </dl>
      {m.last_error && (
        <p className="form-error" role="alert">
          The last run failed: {m.last_error}
        </p>
      )}
      {outcome === null && train.isSuccess && m.version && <p className="muted" role="status">Version {m.version} is in use.</p>}
      <Failure error={train.error} />
      {Object.keys(m.fields).length > 0 && (
        <div className="table-scroll">
          <table className="admin-table" aria-label="Quality per field">
            <thead>
              <tr>
                <th>Field</th>
                <th>Accuracy</th>
                <th>Macro-F1</th>
                <th>Always the most common value</th>
                <th>Values</th>
                <th>Tickets measured</th>
              </tr>
            </thead>
            <tbody>
              {TRIAGE_FIELDS.filter((f) => f in m.fields).map((f) => {
                const q = m.fields[f]!;
                return (
                  <tr key={f} data-field={f}>
                    <th scope="row">{TRIAGE_FIELD_LABELS[f]}</th>
                    <td>{formatRate(q.accuracy)}</td>
                    <td>{q.macro_f1 === null || q.macro_f1 === undefined ? '—' : q.macro_f1.toFixed(3)}</td>
                    <td>{formatRate(q.baseline_accuracy)}</td>
                    <td>{q.classes}</td>
                    <td>{q.support}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {Object.keys(m.left_out).length > 0 && (
        <>
          <h3>Not learned</h3>
          <ul className="plain-list" aria-label="Fields not learned">
            {Object.entries(m.left_out).map(([field, why]) => (
              <li key={field}>
                <strong>{TRIAGE_FIELD_LABELS[field as TriageFieldName] ?? field}</strong>: {why}
              </li>
            ))}
          </ul>
        </>
      )}
      {m.state === 'none' && !busy && <p className="hint">Train once the workspace has solved tickets (the desk also trains by itself once 50 are solved).</p>}
    </section>
  );
}

function ThresholdsSection() {
  const settings = useTriageSettings();
  if (settings.isPending) return <Spinner label="Loading the thresholds…" />;
  if (settings.isError) return <ErrorState error={settings.error} retry={() => void settings.refetch()} />;
  return <ThresholdsForm stored={settings.data.auto_apply} />;
}

function ThresholdsForm({ stored }: { stored: Record<string, number> }) {
  const queryClient = useQueryClient();
  const [rows, setRows] = useState(() => thresholdRows(stored));
  const save = useMutation({
    mutationFn: () => unwrap(api.PUT('/api/v1/settings/triage', { body: { auto_apply: thresholdsBody(rows) } })),
    onSuccess: (data) => queryClient.setQueryData(['triage-settings'], data),
  });
  const errors = placeErrors(save.error, TRIAGE_FIELDS.map((f) => `auto_apply.${f}`));
  const setRow = (field: TriageFieldName, change: Partial<{ on: boolean; value: string }>) => setRows({ ...rows, [field]: { ...rows[field], ...change } });
  return (
    <form
      className="card admin-form"
      aria-label="Auto-apply thresholds"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <h2>Auto-apply</h2>
      <p className="hint">
        On a new ticket from any channel (imports excepted), a field its creator left empty is filled in when the model is at least this sure (0 to 1). Each change is recorded as
        made by triage, with its confidence.
      </p>
      <div className="form-grid">
        {TRIAGE_FIELDS.map((field) => {
          const id = `threshold-${field}`;
          const messages = errors.byPath[`auto_apply.${field}`];
          return (
            <div className="field" key={field} data-invalid={messages ? true : undefined}>
              <label className="check">
                <input type="checkbox" checked={rows[field].on} onChange={(e) => setRow(field, { on: e.target.checked })} /> Fill in {TRIAGE_FIELD_LABELS[field].toLowerCase()}
              </label>
              <label htmlFor={id} className="sr-only">
                {TRIAGE_FIELD_LABELS[field]} threshold
              </label>
              <input
                id={id}
                type="number"
                step={0.05}
                disabled={!rows[field].on}
                value={rows[field].value}
                aria-invalid={messages ? true : undefined}
                aria-describedby={messages ? `${id}-error` : undefined}
                onChange={(e) => setRow(field, { value: e.target.value })}
              />
              <FieldError id={`${id}-error`} messages={messages} />
            </div>
          );
        })}
      </div>
      <FormErrors messages={errors.other} />
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save thresholds'}
        </button>
        {save.isSuccess && (
          <span className="muted" role="status">
            {Object.keys(save.data.auto_apply).length ? `Filled in when sure enough: ${Object.keys(save.data.auto_apply).join(', ')}.` : 'Triage fills in nothing by itself.'}
          </span>
        )}
      </div>
    </form>
  );
}
