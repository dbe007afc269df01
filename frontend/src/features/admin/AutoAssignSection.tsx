// Auto-assign (`/settings/auto-assign`): the first rule whose "when" fits a new ticket routes it
// to a team and/or an agent (round robin, least loaded or one person), optionally setting its
// priority. Saved as one list.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorState, Spinner } from '../../components/ui';
import { placeErrors } from './fieldErrors';
import { Field, FormErrors, TokenInput } from './form';
import { NullableSelect, usePickers } from './pickers';

type Rule = Schemas['AutoAssignRule'];
interface RuleRow {
  key: number;
  category: string;
  label: string;
  email_domain: string;
  subject_keywords: string[];
  team_id: string | null;
  assign: string | null;
  priority: Rule['priority'];
}

let seq = 0;
const str = (v: unknown) => (typeof v === 'string' ? v : '');

export function rowFromRule(rule: Record<string, unknown>): RuleRow {
  return {
    key: ++seq,
    category: str(rule.category),
    label: str(rule.label),
    email_domain: str(rule.email_domain),
    subject_keywords: Array.isArray(rule.subject_keywords) ? rule.subject_keywords.map(String) : [],
    team_id: str(rule.team_id) || null,
    assign: str(rule.assign) || null,
    priority: (str(rule.priority) || null) as Rule['priority'],
  };
}

/** A row as the API takes it: blank "when" fields left out. */
export function ruleFromRow(row: RuleRow): Rule {
  return {
    category: row.category.trim() || null,
    label: row.label.trim() || null,
    email_domain: row.email_domain.trim().replace(/^@/, '') || null,
    subject_keywords: row.subject_keywords.length ? row.subject_keywords : null,
    team_id: row.team_id,
    assign: row.assign,
    priority: row.priority ?? null,
  };
}

const blank = (): RuleRow => rowFromRule({});

export function AutoAssignSection() {
  const settings = useQuery({ queryKey: ['auto-assign'], queryFn: () => unwrap(api.GET('/api/v1/settings/auto-assign')) });
  if (settings.isPending) return <Spinner label="Loading auto-assign rules…" />;
  if (settings.isError) return <ErrorState error={settings.error} retry={() => void settings.refetch()} />;
  return <AutoAssignForm initial={settings.data.rules.map(rowFromRule)} />;
}

function AutoAssignForm({ initial }: { initial: RuleRow[] }) {
  const queryClient = useQueryClient();
  const pickers = usePickers();
  const [rows, setRows] = useState<RuleRow[]>(initial);
  const save = useMutation({
    mutationFn: () => unwrap(api.PUT('/api/v1/settings/auto-assign', { body: { rules: rows.map(ruleFromRow) } })),
    onSuccess: (data) => {
      queryClient.setQueryData(['auto-assign'], data);
      setRows(data.rules.map(rowFromRule));
    },
  });
  const fields = ['category', 'label', 'email_domain', 'subject_keywords', 'team_id', 'assign', 'priority'];
  const known = ['rules', ...rows.flatMap((_, i) => [`rules.${i}`, ...fields.map((f) => `rules.${i}.${f}`)])];
  const errors = placeErrors(save.error, known);
  const set = (i: number, patch: Partial<RuleRow>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const at = (i: number, f: string) => errors.byPath[`rules.${i}.${f}`];
  return (
    <form
      className="admin-form"
      aria-label="Auto-assign rules"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <p className="muted">The first rule that fits a new ticket routes it. Give at least one “when” and a team or an agent.</p>
      {rows.length === 0 && <p className="empty-state">No auto-assign rules: new tickets stay unassigned until an agent or an automation picks them up.</p>}
      <ol className="assign-rules">
        {rows.map((row, i) => (
          <li key={row.key} className="card">
            <fieldset className="form-grid" aria-invalid={errors.byPath[`rules.${i}`] ? true : undefined}>
              <legend>Rule {i + 1}</legend>
              <Field label="When category is" errors={at(i, 'category')}>
                <input value={row.category} maxLength={50} placeholder="billing" onChange={(e) => set(i, { category: e.target.value.toLowerCase() })} />
              </Field>
              <Field label="When it has the label" errors={at(i, 'label')}>
                <input value={row.label} maxLength={50} list="assign-labels" placeholder="vip" onChange={(e) => set(i, { label: e.target.value.toLowerCase() })} />
              </Field>
              <Field label="When the requester's domain is" errors={at(i, 'email_domain')}>
                <input value={row.email_domain} maxLength={255} placeholder="example.com" onChange={(e) => set(i, { email_domain: e.target.value.trim() })} />
              </Field>
              <Field label="When the subject has a keyword" errors={at(i, 'subject_keywords')}>
                <TokenInput value={row.subject_keywords} onChange={(subject_keywords) => set(i, { subject_keywords })} placeholder="refund, invoice" />
              </Field>
              <Field label="Route to team" errors={at(i, 'team_id')}>
                <NullableSelect value={row.team_id} onChange={(team_id) => set(i, { team_id })} choices={pickers.teams} noneLabel="No team" />
              </Field>
              <Field label="Assign to" errors={at(i, 'assign')}>
                <NullableSelect
                  value={row.assign}
                  onChange={(assign) => set(i, { assign })}
                  noneLabel="Nobody"
                  choices={[{ value: 'round_robin', label: 'Round robin' }, { value: 'least_loaded', label: 'Least loaded agent' }, ...pickers.agents]}
                />
              </Field>
              <Field label="Set priority" errors={at(i, 'priority')}>
                <NullableSelect value={row.priority ?? null} onChange={(p) => set(i, { priority: p as RuleRow['priority'] })} choices={pickers.priorities} noneLabel="Keep" />
              </Field>
              <div className="field-wide">
                <FormErrors messages={errors.byPath[`rules.${i}`] ?? []} />
                <div className="row">
                  <button type="button" className="btn btn-small" disabled={i === 0} onClick={() => setRows(swap(rows, i, i - 1))}>
                    Move up
                  </button>
                  <button type="button" className="btn btn-small" disabled={i === rows.length - 1} onClick={() => setRows(swap(rows, i, i + 1))}>
                    Move down
                  </button>
                  <button type="button" className="btn btn-small btn-danger" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                    Remove rule
                  </button>
                </div>
              </div>
            </fieldset>
          </li>
        ))}
      </ol>
      <datalist id="assign-labels">
        {pickers.labels.map((l) => (
          <option key={l} value={l} />
        ))}
      </datalist>
      <FormErrors messages={[...errors.other, ...(errors.byPath.rules ?? [])]} />
      <div className="row">
        <button type="button" className="btn" onClick={() => setRows([...rows, blank()])} disabled={rows.length >= 100}>
          + Rule
        </button>
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save auto-assign rules'}
        </button>
        {save.isSuccess && <span className="muted" role="status">Saved.</span>}
      </div>
    </form>
  );
}

function swap<T>(list: T[], a: number, b: number): T[] {
  const next = [...list];
  [next[a], next[b]] = [next[b]!, next[a]!];
  return next;
}
