import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api, errorMessage, unwrap, type TicketCreate } from '../api/client';
import { useCustomFields, useTeams, useTicketTypes, useUsers } from '../api/queries';
import { applySuggestion, formatConfidence, confidenceTone, isNoModel, openSuggestions, TRIAGE_FIELD_LABELS, useDraftPrediction, useTriageModel, type Suggested, type TriageFieldName } from '../api/triage';
import { useMe } from '../auth/session';
import { hasValue, visibleFields, type CfValue } from '../lib/customFields';
import { PRIORITIES } from '../lib/filters';
import { placeErrors } from './admin/fieldErrors';
import { ContactLookup } from './customers/ContactLookup';
import { FieldInput } from './ticket/CustomFields';
import { relative, titleCase } from '../lib/format';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The customer behind an email, from their tickets (`GET /tickets?requester=`). */
function useKnownCustomer(email: string) {
  const [settled, setSettled] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setSettled(email.trim().toLowerCase()), 300);
    return () => clearTimeout(t);
  }, [email]);
  return useQuery({
    queryKey: ['requester-tickets', settled],
    queryFn: () => unwrap(api.GET('/api/v1/tickets', { params: { query: { requester: settled, sort: '-created_at', limit: 6 } } })),
    enabled: EMAIL.test(settled),
    staleTime: 30_000,
  });
}

export function NewTicketPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const users = useUsers();
  const teams = useTeams();
  const me = useMe();
  const [form, setForm] = useState({
    subject: '',
    description: '',
    email: '',
    name: '',
    priority: 'normal',
    type: '',
    category: '',
    labels: '',
    // the agent who opens a ticket owns it, as the API does for a session without assignee_id;
    // "Unassigned" sends null and leaves it in the queue
    assignee_id: me.userId ?? '',
    team_id: '',
  });
  const types = useTicketTypes();
  const fieldDefs = useCustomFields();
  const [values, setValues] = useState<Record<string, CfValue>>({});
  const facts = { type: form.type || null, category: form.category.trim().toLowerCase() || null, priority: form.priority, channel: 'agent', status: null };
  const shownFields = visibleFields(fieldDefs.data ?? [], facts, values).filter((f) => !f.archived);
  const known = useKnownCustomer(form.email);
  const previous = known.data?.items ?? [];
  const knownName = previous.find((t) => t.requester?.name)?.requester?.name ?? null;
  // what the agent chose themselves: a suggestion never overwrites it
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => {
    setForm({ ...form, [key]: e.target.value });
    if (!touched.has(key)) setTouched(new Set([...touched, key]));
  };
  const model = useTriageModel();
  const prediction = useDraftPrediction(form.subject, form.description, model.data?.version !== null && model.data?.version !== undefined);
  const suggestions = openSuggestions(prediction.data, form, touched);
  const similar = prediction.data?.similar ?? [];
  const typeName = (key: string) => types.data?.find((t) => t.key === key)?.name ?? titleCase(key);
  const shown = (field: TriageFieldName, s: Suggested) =>
    field === 'team' ? (s.name ?? s.value) : field === 'type' ? typeName(s.value) : field === 'priority' ? titleCase(s.value) : s.value;
  const take = (field: TriageFieldName, value: string) => setForm((current) => ({ ...current, ...applySuggestion(current, field, value, touched) }));
  const create = useMutation({
    mutationFn: () => {
      const body: TicketCreate = {
        subject: form.subject.trim(),
        description: form.description,
        priority: form.priority as TicketCreate['priority'],
        channel: 'agent',
        labels: form.labels.split(',').map((l) => l.trim().toLowerCase()).filter(Boolean),
        // only the fields this type and these values show, and only those filled in
        custom_fields: Object.fromEntries(shownFields.filter((f) => hasValue(values[f.key])).map((f) => [f.key, values[f.key] as never])),
        requester: form.email.trim() ? { email: form.email.trim(), name: form.name.trim() || null } : null,
        type: form.type || null,
        category: form.category.trim().toLowerCase() || null,
        assignee_id: form.assignee_id || null,
        team_id: form.team_id || null,
      };
      return unwrap(api.POST('/api/v1/tickets', { body }));
    },
    onSuccess: (ticket) => {
      void queryClient.invalidateQueries({ queryKey: ['tickets'] });
      void queryClient.invalidateQueries({ queryKey: ['stats'] });
      void navigate(`/tickets/${ticket.key}`);
    },
  });
  const fieldErrors = placeErrors(create.error, shownFields.map((f) => `custom_fields.${f.key}`));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <div className="form-page">
      <Link to="/" className="back">
        ← Back to queue
      </Link>
      <h1>New ticket</h1>
      <p className="muted">Open a ticket on behalf of a customer who called, wrote or stopped by.</p>
      <form className="card form-grid" onSubmit={submit}>
        <div className="field">
          <span aria-hidden="true">Customer email</span>
          <ContactLookup
            value={form.email}
            onChange={(email) => setForm({ ...form, email })}
            onPick={(contact) => setForm({ ...form, email: contact.email, name: form.name.trim() ? form.name : (contact.name ?? '') })}
          />
        </div>
        <label className="field">
          <span>Customer name</span>
          <input value={form.name} onChange={set('name')} maxLength={200} placeholder={knownName ?? undefined} />
        </label>
        {previous.length > 0 && (
          <div className="field-wide notice known-customer" role="status">
            <strong>{knownName ?? form.email.trim()}</strong> has {previous.length === 6 ? 'at least 6' : previous.length} earlier ticket{previous.length === 1 ? '' : 's'}:{' '}
            {previous.slice(0, 5).map((t, i) => (
              <span key={t.key}>
                {i > 0 && ', '}
                <Link to={`/tickets/${t.key}`}>{t.key}</Link> {t.subject} <span className="muted">({relative(t.created_at)})</span>
              </span>
            ))}
            {knownName && !form.name.trim() && (
              <>
                {' '}
                <button type="button" className="btn-link" onClick={() => setForm({ ...form, name: knownName })}>
                  Use the name “{knownName}”
                </button>
              </>
            )}
          </div>
        )}
        <label className="field field-wide">
          <span>Subject</span>
          <input value={form.subject} onChange={set('subject')} required maxLength={300} />
        </label>
        <label className="field field-wide">
          <span>Description</span>
          <textarea rows={6} value={form.description} onChange={set('description')} maxLength={100000} />
        </label>
        {(suggestions.length > 0 || similar.length > 0 || (prediction.isError && !isNoModel(prediction.error))) && (
          <div className="field-wide triage-suggestions" role="region" aria-label="Suggestions">
            {suggestions.length > 0 && (
              <div className="suggestion-chips">
                <span className="muted small">Suggested:</span>
                {suggestions.map(({ field, suggestion }) => (
                  <button
                    key={`${field}-${suggestion.value}`}
                    type="button"
                    className="suggestion-chip"
                    aria-label={`Use ${TRIAGE_FIELD_LABELS[field].toLowerCase()} ${shown(field, suggestion)} (${formatConfidence(suggestion.confidence)} sure)`}
                    onClick={() => take(field, suggestion.value)}
                  >
                    <span>
                      <span className="muted">{field === 'labels' ? 'Label' : TRIAGE_FIELD_LABELS[field]}</span> {shown(field, suggestion)}
                    </span>
                    <span className={`confidence confidence-${confidenceTone(suggestion.confidence)}`}>{formatConfidence(suggestion.confidence)}</span>
                  </button>
                ))}
              </div>
            )}
            {similar.length > 0 && (
              <p className="small similar-tickets">
                <span className="muted">Similar tickets:</span>{' '}
                {similar.slice(0, 5).map((t, i) => (
                  <span key={t.key}>
                    {i > 0 && ', '}
                    <Link to={`/tickets/${t.key}`} target="_blank" rel="noreferrer">
                      {t.key}
                    </Link>{' '}
                    {t.subject}
                  </span>
                ))}
              </p>
            )}
            {prediction.isError && !isNoModel(prediction.error) && <p className="muted small">Suggestions are unavailable: {errorMessage(prediction.error)}</p>}
          </div>
        )}
        <label className="field">
          <span>Priority</span>
          <select value={form.priority} onChange={set('priority')}>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {titleCase(p)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Type</span>
          <select value={form.type} onChange={set('type')}>
            <option value="">—</option>
            {(types.data ?? [])
              .filter((t) => !t.archived)
              .map((t) => (
                <option key={t.key} value={t.key}>
                  {t.name}
                </option>
              ))}
          </select>
        </label>
        <label className="field">
          <span>Category</span>
          <input value={form.category} onChange={set('category')} maxLength={50} placeholder="billing" />
        </label>
        <label className="field">
          <span>Labels (comma separated)</span>
          <input value={form.labels} onChange={set('labels')} maxLength={500} />
        </label>
        <label className="field">
          <span>Assignee</span>
          <select value={form.assignee_id} onChange={set('assignee_id')}>
            <option value="">Unassigned</option>
            {(users.data ?? []).filter((u) => u.role !== 'viewer' && u.active).map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Team</span>
          <select value={form.team_id} onChange={set('team_id')}>
            <option value="">No team</option>
            {(teams.data ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        {shownFields.map((f) => {
          const id = `new-cf-${f.key}`;
          const messages = fieldErrors.byPath[`custom_fields.${f.key}`];
          return (
            <div key={f.key} className={f.kind === 'long_text' ? 'field field-wide' : 'field'} data-field={f.key}>
              <label htmlFor={id}>
                {f.label}
                {f.required && <span className="required"> *</span>}
              </label>
              <FieldInput
                field={f}
                value={values[f.key]}
                onChange={(v) => setValues({ ...values, [f.key]: v })}
                commit={(v) => setValues({ ...values, [f.key]: v })}
                disabled={false}
                id={id}
                describedBy={messages ? `${id}-error` : undefined}
                invalid={!!messages}
                people={(users.data ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: u.name }))}
              />
              {messages && (
                <span id={`${id}-error`} className="field-error">
                  {messages.join(' ')}
                </span>
              )}
            </div>
          );
        })}
        {create.isError && (fieldErrors.other.length > 0 || !Object.keys(fieldErrors.byPath).length) && (
          <p className="form-error field-wide" role="alert">
            {fieldErrors.other.join(' ') || errorMessage(create.error)}
          </p>
        )}
        <div className="field-wide">
          <button type="submit" className="btn btn-primary" disabled={!form.subject.trim() || create.isPending}>
            {create.isPending ? 'Creating…' : 'Create ticket'}
          </button>
        </div>
      </form>
    </div>
  );
}
