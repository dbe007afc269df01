// Insights on the side of a ticket: what the workspace's own model suggests for its fields (with
// how sure it is, one click to apply), open tickets that may be the same request (merge), solved
// tickets like it, and the replies that solved them (insert into the composer); a summary and a
// reply draft when a language model is configured.
import type { UseMutationResult } from '@tanstack/react-query';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, errorMessage, unwrap, type Ticket, type TicketUpdate } from '../../api/client';
import { useTicketTypes } from '../../api/queries';
import { confidenceTone, formatConfidence, isNoModel, TRIAGE_FIELD_LABELS, useTicketInsights, useTriageModel, type Insights, type Suggested, type TriageFieldName } from '../../api/triage';
import { useMe } from '../../auth/session';
import { titleCase } from '../../lib/format';

type Update = UseMutationResult<Ticket, Error, TicketUpdate>;

/** The change that applies one suggestion to the ticket, or null when the ticket already has it. */
export function suggestionChange(ticket: Ticket, field: TriageFieldName, value: string): TicketUpdate | null {
  switch (field) {
    case 'team':
      return ticket.team?.id === value ? null : { team_id: value };
    case 'labels':
      return ticket.labels.includes(value) ? null : { labels: [...ticket.labels, value] };
    case 'priority':
      return ticket.priority === value ? null : { priority: value as Ticket['priority'] };
    case 'type':
      return ticket.type === value ? null : { type: value };
    case 'category':
      return ticket.category === value ? null : { category: value };
  }
}

/** The same reply solved several tickets: shown once (the closest), with how many more it solved. */
export function distinctReplies(replies: Insights['suggested_replies']): { reply: Insights['suggested_replies'][number]; more: number }[] {
  const out: { reply: Insights['suggested_replies'][number]; more: number }[] = [];
  const seen = new Map<string, number>();
  for (const reply of replies) {
    const key = reply.body.trim().replace(/\s+/g, ' ');
    const at = seen.get(key);
    if (at === undefined) {
      seen.set(key, out.length);
      out.push({ reply, more: 0 });
    } else out[at]!.more += 1;
  }
  return out;
}

function Confidence({ value }: { value: number }) {
  return (
    <span className={`confidence confidence-${confidenceTone(value)}`} title="How sure the model is (measured on this workspace's tickets)">
      {formatConfidence(value)}
    </span>
  );
}

export function InsightsPanel({
  ticket,
  update,
  onInsert,
  onMerge,
}: {
  ticket: Ticket;
  update: Update;
  onInsert: (text: string) => void;
  onMerge: (key: string) => void;
}) {
  const me = useMe();
  const model = useTriageModel();
  const ready = model.data?.version !== null && model.data?.version !== undefined;
  const insights = useTicketInsights(ticket.key, ticket.version, ready);
  const llm = !!model.data?.llm_configured;

  let body;
  if (model.isPending || (ready && insights.isPending)) body = <p className="muted">Looking at similar tickets…</p>;
  else if (model.isError) body = <InlineError error={model.error} />;
  else if (!ready || (insights.isError && isNoModel(insights.error)))
    body = (
      <div className="insights-empty">
        <p className="muted">
          {model.data?.state === 'training'
            ? 'The first triage model is being trained on this workspace’s tickets; suggestions appear when it is ready.'
            : 'No triage model yet: suggestions appear once one has been trained on this workspace’s solved tickets.'}
        </p>
        {me.isAdmin && <Link to="/admin/triage">Open the triage model page</Link>}
      </div>
    );
  else if (insights.isError) body = <InlineError error={insights.error} />;
  else body = <InsightsBody ticket={ticket} insights={insights.data!} update={update} onInsert={onInsert} onMerge={onMerge} />;

  return (
    <section className="card insights" aria-label="Insights">
      <h2>Insights</h2>
      {body}
      {llm && me.canWrite && <LanguageModel ticket={ticket} onInsert={onInsert} />}
    </section>
  );
}

function InlineError({ error }: { error: unknown }) {
  return (
    <p className="form-error" role="alert">
      {errorMessage(error)}
    </p>
  );
}

function InsightsBody({ ticket, insights, update, onInsert, onMerge }: { ticket: Ticket; insights: Insights; update: Update; onInsert: (text: string) => void; onMerge: (key: string) => void }) {
  const me = useMe();
  const types = useTicketTypes();
  const typeName = (key: string) => types.data?.find((t) => t.key === key)?.name ?? titleCase(key);
  const shown = (field: TriageFieldName, s: Suggested) =>
    field === 'team' ? (s.name ?? s.value) : field === 'type' ? typeName(s.value) : field === 'priority' ? titleCase(s.value) : s.value;
  const rows: { field: TriageFieldName; suggestion: Suggested }[] = [];
  for (const field of ['category', 'type', 'priority', 'team'] as const) {
    const s = insights[field];
    if (s) rows.push({ field, suggestion: s });
  }
  for (const label of insights.labels ?? []) rows.push({ field: 'labels', suggestion: label });
  const disabled = !me.canWrite || update.isPending || !!ticket.merged_into;
  const replies = distinctReplies(insights.suggested_replies);

  return (
    <>
      <h3>Suggested</h3>
      {rows.length === 0 ? (
        <p className="muted">Nothing the model is sure enough to suggest.</p>
      ) : (
        <ul className="plain-list insight-list" aria-label="Suggested values">
          {rows.map(({ field, suggestion }) => {
            const change = suggestionChange(ticket, field, suggestion.value);
            const label = `${TRIAGE_FIELD_LABELS[field]}: ${shown(field, suggestion)}`;
            return (
              <li key={`${field}-${suggestion.value}`} className="insight-row" data-field={field}>
                <span className="insight-what">
                  <span className="muted">{field === 'labels' ? 'Label' : TRIAGE_FIELD_LABELS[field]}</span> <strong>{shown(field, suggestion)}</strong>
                </span>
                <Confidence value={suggestion.confidence} />
                {change ? (
                  me.canWrite && (
                    <button type="button" className="btn btn-small" aria-label={`Apply ${label}`} disabled={disabled} onClick={() => update.mutate(change)}>
                      Apply
                    </button>
                  )
                ) : (
                  <span className="muted small" aria-label={`${label} is set`}>
                    ✓ set
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {insights.possible_duplicates.length > 0 && (
        <>
          <h3>Possible duplicates</h3>
          <ul className="plain-list insight-list" aria-label="Possible duplicates">
            {insights.possible_duplicates.map((d) => (
              <li key={d.key} className="insight-row">
                <span className="insight-what">
                  <Link to={`/tickets/${d.key}`}>{d.key}</Link> <span className="link-subject">{d.subject}</span>
                </span>
                <Confidence value={d.score} />
                {me.canWrite && !ticket.merged_into && (
                  <button type="button" className="btn btn-small" aria-label={`Merge into ${d.key}`} onClick={() => onMerge(d.key)}>
                    Merge
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      {insights.similar.length > 0 && (
        <>
          <h3>Similar solved tickets</h3>
          <ul className="plain-list insight-list" aria-label="Similar solved tickets">
            {insights.similar.map((s) => (
              <li key={s.key}>
                <Link to={`/tickets/${s.key}`}>{s.key}</Link> <span className="link-subject">{s.subject}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {replies.length > 0 && (
        <>
          <h3>Suggested replies</h3>
          <ul className="plain-list insight-replies" aria-label="Suggested replies">
            {replies.map(({ reply: r, more }) => (
              <li key={r.ticket} className="insight-reply">
                <p className="insight-reply-body">{r.body}</p>
                <div className="insight-reply-foot">
                  <span className="muted small">
                    Solved <Link to={`/tickets/${r.ticket}`}>{r.ticket}</Link>
                    {more > 0 ? ` and ${more} more` : ''}
                    {r.author ? ` · ${r.author}` : ''}
                  </span>
                  {me.canWrite && (
                    <button type="button" className="btn btn-small" aria-label={`Insert the reply from ${r.ticket}`} onClick={() => onInsert(r.body)}>
                      Insert
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

/** Summary and reply draft by the configured language model; its failures said where asked. */
function LanguageModel({ ticket, onInsert }: { ticket: Ticket; onInsert: (text: string) => void }) {
  const [summary, setSummary] = useState<string | null>(null);
  const summarize = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/tickets/{ticket}/summary', { params: { path: { ticket: ticket.key } } })),
    onSuccess: (answer) => setSummary(answer.text),
  });
  const draft = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/tickets/{ticket}/reply-draft', { params: { path: { ticket: ticket.key } } })),
    onSuccess: (answer) => onInsert(answer.text),
  });
  return (
    <div className="insights-llm">
      <h3>Language model</h3>
      <div className="row">
        <button type="button" className="btn btn-small" disabled={summarize.isPending} onClick={() => summarize.mutate()}>
          {summarize.isPending ? 'Summarizing…' : 'Summary'}
        </button>
        <button type="button" className="btn btn-small" disabled={draft.isPending} onClick={() => draft.mutate()} title="Write a reply draft into the composer">
          {draft.isPending ? 'Drafting…' : 'Draft reply'}
        </button>
      </div>
      {summary && (
        <p className="insight-summary" aria-label="Summary">
          {summary}
        </p>
      )}
      {summarize.isError && <InlineError error={summarize.error} />}
      {draft.isError && <InlineError error={draft.error} />}
    </div>
  );
}
