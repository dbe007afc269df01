// SLA policies (JSON editors for their match, targets and escalation), with the business hours
// they count in below them on the same page.
import { api, unwrap, type Schemas } from '../../api/client';
import { BusinessHoursSection } from './BusinessHoursSection';
import { asBody, JsonCollection, type CollectionCalls, type Draft } from './JsonCollection';
import { Page } from './shared';

type Policy = Schemas['SlaPolicyRead'];

const TEMPLATE: Draft<Schemas['SlaPolicyCreate']> = {
  name: 'Urgent tickets',
  match: { priority: ['urgent'] },
  targets: { urgent: { first_response_minutes: 30, resolution_minutes: 240 } },
  active: true,
};

const calls: CollectionCalls<Policy> = {
  list: () => unwrap(api.GET('/api/v1/sla-policies')),
  create: (body) => unwrap(api.POST('/api/v1/sla-policies', { body: asBody<Schemas['SlaPolicyCreate']>(body) })),
  update: (id, body) =>
    unwrap(api.PATCH('/api/v1/sla-policies/{policy_id}', { params: { path: { policy_id: id } }, body: asBody<Schemas['SlaPolicyUpdate']>(body) })),
  remove: (id) => unwrap(api.DELETE('/api/v1/sla-policies/{policy_id}', { params: { path: { policy_id: id } } })),
};

export function SlaPoliciesPage() {
  return (
    <Page title="SLA policies" intro="The first active policy whose match fits a ticket sets its targets (minutes), counted in its business hours.">
      <JsonCollection
        calls={calls}
        queryKey="sla-policies"
        noun="policy"
        plural="policies"
        fields={['name', 'match', 'targets', 'business_hours_id', 'escalation', 'active', 'position']}
        template={TEMPLATE}
        summary={(p) => `targets ${JSON.stringify(p.targets)} · match ${JSON.stringify(p.match)}`}
      />
      <BusinessHoursSection />
    </Page>
  );
}
