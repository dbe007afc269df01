// Automations: trigger, conditions and actions, edited as JSON.
import { api, unwrap, type Schemas } from '../../api/client';
import { asBody, JsonCollection, type CollectionCalls, type Draft } from './JsonCollection';
import { Page } from './shared';

type Automation = Schemas['AutomationRead'];

const TEMPLATE: Draft<Schemas['AutomationCreate']> = {
  name: 'Urgent to the on-call team',
  trigger: 'ticket.created',
  conditions: { all: [{ field: 'priority', op: 'is', value: 'urgent' }] },
  actions: [{ type: 'add_labels', value: ['oncall'] }],
  active: true,
};

const calls: CollectionCalls<Automation> = {
  list: () => unwrap(api.GET('/api/v1/automations')),
  create: (body) => unwrap(api.POST('/api/v1/automations', { body: asBody<Schemas['AutomationCreate']>(body) })),
  update: (id, body) =>
    unwrap(api.PATCH('/api/v1/automations/{rule_id}', { params: { path: { rule_id: id } }, body: asBody<Schemas['AutomationUpdate']>(body) })),
  remove: (id) => unwrap(api.DELETE('/api/v1/automations/{rule_id}', { params: { path: { rule_id: id } } })),
};

export function AutomationsPage() {
  return (
    <Page title="Automations" intro="When the trigger fires and the conditions hold, the actions run, in order of position.">
      <JsonCollection
        calls={calls}
        queryKey="automations"
        noun="automation"
        fields={['name', 'trigger', 'conditions', 'actions', 'active', 'position']}
        template={TEMPLATE}
        summary={(a) => `on ${a.trigger} · ${a.actions.length} action(s)`}
      />
    </Page>
  );
}
