// SLA policies: which tickets a policy matches (pickers), its targets per priority (a grid in
// minutes or hours), the business hours they count in, and escalations on warning or breach.
// The business hours themselves are the page's second section.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Priority, type Schemas } from '../../api/client';
import { PRIORITIES } from '../../lib/filters';
import { titleCase } from '../../lib/format';
import { BusinessHoursSection } from './BusinessHoursSection';
import { Collection, FormButtons, type CollectionCalls } from './Collection';
import { placeErrors } from './fieldErrors';
import { CheckboxGroup, Field, FieldError, FormErrors, TokenInput } from './form';
import { ActionValue, NullableSelect, usePickers } from './pickers';
import { defaultActionValue, type Json } from './rules';
import { METRICS, describeMatch, describeTargets, gridFromTargets, gridProblems, matchFromJson, matchToJson, targetsFromGrid, type Grid, type MatchForm, type Unit } from './sla';
import { Page, useSection } from './shared';

type Policy = Schemas['SlaPolicyRead'];
type Escalation = Schemas['EscalationAction'];
type EscalationRow = { key: number; on: Escalation['on']; type: Escalation['type']; value: Json };

const calls: CollectionCalls<Policy> = {
  list: () => unwrap(api.GET('/api/v1/sla-policies')),
  update: (id, body) => unwrap(api.PATCH('/api/v1/sla-policies/{policy_id}', { params: { path: { policy_id: id } }, body })),
  remove: (id) => unwrap(api.DELETE('/api/v1/sla-policies/{policy_id}', { params: { path: { policy_id: id } } })),
};

const SECTIONS = [
  { key: 'policies', label: 'Policies' },
  { key: 'hours', label: 'Business hours' },
] as const;

export function useBusinessHours() {
  return useQuery({ queryKey: ['business-hours'], queryFn: () => unwrap(api.GET('/api/v1/business-hours')) });
}

export function SlaPoliciesPage() {
  const [section, nav] = useSection(SECTIONS);
  const hours = useBusinessHours();
  const hoursName = (id: string | null) => (id ? hours.data?.find((h) => h.id === id)?.name ?? 'business hours' : 'calendar time (24/7)');
  return (
    <Page title="SLA policies" intro="The first active policy (top to bottom) that matches a ticket sets its response and resolution targets, counted in its business hours.">
      {nav}
      {section === 'policies' ? (
        <Collection
          queryKey="sla-policies"
          calls={calls}
          noun="policy"
          plural="policies"
          ordered
          empty="Create one below: for example, urgent tickets get a first response within 1 hour."
          summary={(p) => `Matches ${describeMatch(p.match)} · ${describeTargets(p.targets)} · in ${hoursName(p.business_hours_id)}${p.escalation.length ? ` · ${p.escalation.length} escalation(s)` : ''}`}
          renderForm={(policy, done) => <PolicyForm policy={policy} done={done} />}
        />
      ) : (
        <BusinessHoursSection />
      )}
    </Page>
  );
}

let seq = 0;

function PolicyForm({ policy, done }: { policy: Policy | null; done: () => void }) {
  const pickers = usePickers();
  const hours = useBusinessHours();
  const [name, setName] = useState(policy?.name ?? '');
  const [match, setMatch] = useState<MatchForm>(() => matchFromJson(policy?.match));
  const [grid, setGrid] = useState<Grid>(() => gridFromTargets(policy?.targets ?? { urgent: { first_response_minutes: 60, resolution_minutes: 480 } }));
  const [hoursId, setHoursId] = useState<string | null>(policy?.business_hours_id ?? null);
  const [escalation, setEscalation] = useState<EscalationRow[]>(() =>
    (policy?.escalation ?? []).map((e) => ({ key: ++seq, on: e.on as Escalation['on'], type: e.type as Escalation['type'], value: (e.value ?? null) as Json })),
  );
  const [active, setActive] = useState(policy?.active ?? true);
  const [tried, setTried] = useState(false);
  const problems = gridProblems(grid);
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: name.trim(),
        match: matchToJson(match),
        targets: targetsFromGrid(grid),
        business_hours_id: hoursId,
        escalation: escalation.map(({ on, type, value }) => ({ on, type, value })),
        active,
      };
      return policy
        ? unwrap(api.PATCH('/api/v1/sla-policies/{policy_id}', { params: { path: { policy_id: policy.id } }, body }))
        : unwrap(api.POST('/api/v1/sla-policies', { body }));
    },
    onSuccess: done,
  });
  const known = [
    'name',
    'match',
    'match.priority',
    'match.channel',
    'match.type',
    'match.labels',
    'targets',
    ...PRIORITIES.flatMap((p) => [`targets.${p}`, ...METRICS.map((m) => `targets.${p}.${m.key}_minutes`)]),
    'business_hours_id',
    'escalation',
    ...escalation.map((_, i) => `escalation.${i}`),
    'active',
  ];
  const errors = placeErrors(save.error, known);
  const setCell = (p: Priority, metric: (typeof METRICS)[number]['key'], patch: Partial<Grid[Priority]['first_response']>) =>
    setGrid({ ...grid, [p]: { ...grid[p], [metric]: { ...grid[p][metric], ...patch } } });
  const setEsc = (i: number, patch: Partial<EscalationRow>) => setEscalation(escalation.map((e, j) => (j === i ? { ...e, ...patch } : e)));

  return (
    <form
      className="card admin-form policy-form"
      aria-label={policy ? `Edit policy ${policy.name}` : 'New policy'}
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (problems.size === 0) save.mutate();
      }}
    >
      <h2>{policy ? `Edit “${policy.name}”` : 'New SLA policy'}</h2>
      <div className="form-grid">
        <Field label="Name" errors={errors.byPath.name}>
          <input value={name} required maxLength={100} placeholder="Urgent tickets" onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Counted in" errors={errors.byPath.business_hours_id} hint={hours.data?.length === 0 ? 'Add business hours in the next section to pause clocks outside office hours.' : undefined}>
          <NullableSelect value={hoursId} onChange={setHoursId} noneLabel="Calendar time (24/7)" choices={(hours.data ?? []).map((h) => ({ value: h.id, label: `${h.name} (${h.timezone})` }))} />
        </Field>
      </div>

      <h3>Applies to</h3>
      <p className="muted small">Leave a criterion empty to match every ticket on it; a ticket must meet every criterion you set.</p>
      <div className="match-grid">
        <CheckboxGroup legend="Priority" options={pickers.priorities as { value: Priority; label: string }[]} value={match.priority} onChange={(priority) => setMatch({ ...match, priority })} errors={errors.byPath['match.priority']} />
        <CheckboxGroup legend="Channel" options={pickers.channels} value={match.channel} onChange={(channel) => setMatch({ ...match, channel })} errors={errors.byPath['match.channel']} />
        <Field label="Type (any of)" errors={errors.byPath['match.type']}>
          <TokenInput value={match.type} onChange={(type) => setMatch({ ...match, type })} suggestions={pickers.types.map((t) => t.value)} lowercase maxLength={50} placeholder="incident" />
        </Field>
        <Field label="Label (any of)" errors={errors.byPath['match.labels']}>
          <TokenInput value={match.labels} onChange={(labels) => setMatch({ ...match, labels })} suggestions={pickers.labels} lowercase maxLength={50} placeholder="vip" />
        </Field>
      </div>
      <FieldError messages={errors.byPath.match} />

      <h3>Targets</h3>
      <div className="table-scroll">
        <table className="target-grid">
          <caption className="sr-only">Targets per priority</caption>
          <thead>
            <tr>
              <th scope="col">Priority</th>
              {METRICS.map((m) => (
                <th key={m.key} scope="col">
                  {m.label}
                  <span className="muted small"> {m.hint}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {PRIORITIES.map((p) => (
              <tr key={p}>
                <th scope="row">
                  {titleCase(p)}
                  <FieldError messages={errors.byPath[`targets.${p}`]} />
                </th>
                {METRICS.map((m) => {
                  const cell = grid[p][m.key];
                  const label = `${titleCase(p)} ${m.label.toLowerCase()}`;
                  const messages = errors.byPath[`targets.${p}.${m.key}_minutes`] ?? (tried && problems.get(`${p}.${m.key}`) ? [problems.get(`${p}.${m.key}`)!] : undefined);
                  return (
                    <td key={m.key} data-invalid={messages ? true : undefined}>
                      <span className="duration">
                        <input
                          aria-label={label}
                          aria-invalid={messages ? true : undefined}
                          inputMode="decimal"
                          className="input-number"
                          value={cell.amount}
                          placeholder="—"
                          maxLength={8}
                          onChange={(e) => setCell(p, m.key, { amount: e.target.value })}
                        />
                        <select aria-label={`${label} unit`} value={cell.unit} onChange={(e) => setCell(p, m.key, { unit: e.target.value as Unit })}>
                          <option value="minutes">min</option>
                          <option value="hours">hours</option>
                        </select>
                      </span>
                      <FieldError messages={messages} />
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <FieldError messages={errors.byPath.targets} />

      <h3>Escalations</h3>
      {escalation.length === 0 && <p className="muted small">None: add one to notify someone or raise the priority when a target is at risk (80 % elapsed) or breached.</p>}
      {escalation.length > 0 && (
        <ol className="rule-rows">
          {escalation.map((row, i) => {
            const label = `Escalation ${i + 1}`;
            return (
              <li key={row.key} className="rule-row" data-invalid={errors.byPath[`escalation.${i}`] ? true : undefined}>
                <div className="rule-row-controls">
                  <select aria-label={`${label} when`} value={row.on} onChange={(e) => setEsc(i, { on: e.target.value as Escalation['on'] })}>
                    <option value="warning">When at risk</option>
                    <option value="breach">When breached</option>
                  </select>
                  <select
                    aria-label={`${label} action`}
                    value={row.type}
                    onChange={(e) => {
                      const type = e.target.value as Escalation['type'];
                      setEsc(i, { type, value: defaultActionValue(type, { teams: pickers.teams.map((t) => t.value) }) });
                    }}
                  >
                    <option value="notify">Notify</option>
                    <option value="set_priority">Set priority</option>
                    <option value="assign">Assign</option>
                    <option value="set_team">Set team</option>
                  </select>
                  <ActionValue type={row.type} value={row.value} label={`${label} value`} pickers={pickers} onChange={(value) => setEsc(i, { value })} />
                  <button type="button" className="btn btn-small btn-ghost" aria-label={`Remove ${label}`} onClick={() => setEscalation(escalation.filter((_, j) => j !== i))}>
                    ×
                  </button>
                </div>
                <FieldError messages={errors.byPath[`escalation.${i}`]} />
              </li>
            );
          })}
        </ol>
      )}
      <div className="row">
        <button type="button" className="btn btn-small" disabled={escalation.length >= 20} onClick={() => setEscalation([...escalation, { key: ++seq, on: 'breach', type: 'notify', value: ['assignee'] }])}>
          + Escalation
        </button>
      </div>
      <FieldError messages={errors.byPath.escalation} />

      <label className="check">
        <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} /> Active
      </label>
      <FormErrors messages={[...errors.other, ...(errors.byPath.active ?? [])]} />
      <FormButtons saving={save.isPending} onCancel={done} label={policy ? 'Save policy' : 'Create policy'} />
    </form>
  );
}
