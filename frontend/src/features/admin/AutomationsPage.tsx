// Automations: rules built from pickers (trigger, conditions, actions), plus the two built-in
// helpers that have their own settings: auto-assign rules and auto-close.
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { AutoAssignSection } from './AutoAssignSection';
import { AutoCloseSection } from './AutoCloseSection';
import { Collection, FormButtons, type CollectionCalls } from './Collection';
import { placeErrors } from './fieldErrors';
import { Field, FormErrors } from './form';
import { usePickers } from './pickers';
import { ActionsEditor, ConditionsEditor } from './RuleBuilder';
import { ACTION_TYPES, TRIGGERS, conditionProblems, conditionsFromJson, describeConditions, emptyRule, ruleFromRead, ruleToBody, type RuleForm } from './rules';
import { Page, useSection } from './shared';

type Automation = Schemas['AutomationRead'];

const calls: CollectionCalls<Automation> = {
  list: () => unwrap(api.GET('/api/v1/automations')),
  update: (id, body) => unwrap(api.PATCH('/api/v1/automations/{rule_id}', { params: { path: { rule_id: id } }, body })),
  remove: (id) => unwrap(api.DELETE('/api/v1/automations/{rule_id}', { params: { path: { rule_id: id } } })),
};

const SECTIONS = [
  { key: 'rules', label: 'Rules' },
  { key: 'auto-assign', label: 'Auto-assign' },
  { key: 'auto-close', label: 'Auto-close' },
] as const;

export function AutomationsPage() {
  const [section, nav] = useSection(SECTIONS);
  const pickers = usePickers();
  return (
    <Page title="Automations" intro="Rules run when their trigger fires and their conditions hold, in list order. Auto-assign routes new tickets; auto-close ends tickets left waiting on the customer.">
      {nav}
      {section === 'rules' && (
        <Collection
          queryKey="automations"
          calls={calls}
          noun="automation"
          plural="automations"
          ordered
          empty="Create one below: for example, label refund requests and send them to billing."
          summary={(rule) => {
            const trigger = TRIGGERS.find((t) => t.value === rule.trigger)?.label ?? rule.trigger;
            const actions = rule.actions.map((a) => ACTION_TYPES.find((t) => t.value === a.type)?.label.toLowerCase() ?? String(a.type)).join(', ');
            return `When ${trigger.toLowerCase()}, if ${describeConditions(conditionsFromJson(rule.conditions), pickers.nameOf)}: ${actions}${rule.managed_by ? ` · managed by ${rule.managed_by}` : ''}`;
          }}
          renderForm={(rule, done) => <RuleEditor rule={rule} done={done} />}
        />
      )}
      {section === 'auto-assign' && <AutoAssignSection />}
      {section === 'auto-close' && <AutoCloseSection />}
    </Page>
  );
}

function RuleEditor({ rule, done }: { rule: Automation | null; done: () => void }) {
  const pickers = usePickers();
  const [form, setForm] = useState<RuleForm>(() => (rule ? ruleFromRead(rule) : emptyRule()));
  const [tried, setTried] = useState(false);
  const problems = conditionProblems(form.conditions);
  const save = useMutation({
    mutationFn: () => {
      const body = ruleToBody(form);
      return rule
        ? unwrap(api.PATCH('/api/v1/automations/{rule_id}', { params: { path: { rule_id: rule.id } }, body }))
        : unwrap(api.POST('/api/v1/automations', { body }));
    },
    onSuccess: done,
  });
  const known = ['name', 'trigger', 'active', 'conditions', 'actions', ...form.actions.map((_, i) => `actions.${i}`)];
  const errors = placeErrors(save.error, known);
  const trigger = TRIGGERS.find((t) => t.value === form.trigger);
  return (
    <form
      className="card admin-form rule-form"
      aria-label={rule ? `Edit automation ${rule.name}` : 'New automation'}
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (problems.size === 0) save.mutate();
      }}
    >
      <h2>{rule ? `Edit “${rule.name}”` : 'New automation'}</h2>
      <div className="form-grid">
        <Field label="Name" errors={errors.byPath.name}>
          <input value={form.name} required maxLength={100} onChange={(e) => setForm({ ...form, name: e.target.value })} placeholder="Refunds to billing" />
        </Field>
        <Field label="When" errors={errors.byPath.trigger} hint={trigger?.hint}>
          <select value={form.trigger} onChange={(e) => setForm({ ...form, trigger: e.target.value as RuleForm['trigger'] })}>
            {TRIGGERS.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <h3>If</h3>
      <ConditionsEditor value={form.conditions} onChange={(conditions) => setForm({ ...form, conditions })} pickers={pickers} problems={tried ? problems : new Map()} errors={errors.byPath.conditions} />
      <h3>Then</h3>
      <ActionsEditor value={form.actions} onChange={(actions) => setForm({ ...form, actions })} pickers={pickers} errorsAt={(i) => errors.byPath[`actions.${i}`]} errors={errors.byPath.actions} />
      <label className="check">
        <input type="checkbox" checked={form.active} onChange={(e) => setForm({ ...form, active: e.target.checked })} /> Active
      </label>
      <FormErrors messages={[...errors.other, ...(errors.byPath.active ?? [])]} />
      {tried && problems.size > 0 && (
        <p className="form-error" role="alert">
          Some conditions are incomplete (marked above).
        </p>
      )}
      <FormButtons saving={save.isPending} onCancel={done} label={rule ? 'Save automation' : 'Create automation'} />
    </form>
  );
}
