// Business hours (weekly opening times and holidays per time zone), edited as JSON. Shown on
// the SLA policies page, whose targets count in these hours.
import { api, unwrap, type Schemas } from '../../api/client';
import { asBody, JsonCollection, type CollectionCalls, type Draft } from './JsonCollection';

type Schedule = Schemas['BusinessHoursRead'];

const TEMPLATE: Draft<Schemas['BusinessHoursCreate']> = {
  name: 'Office',
  timezone: 'Europe/Berlin',
  weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']] },
  holidays: [],
};

const calls: CollectionCalls<Schedule> = {
  list: () => unwrap(api.GET('/api/v1/business-hours')),
  create: (body) => unwrap(api.POST('/api/v1/business-hours', { body: asBody<Schemas['BusinessHoursCreate']>(body) })),
  update: (id, body) =>
    unwrap(api.PATCH('/api/v1/business-hours/{hours_id}', { params: { path: { hours_id: id } }, body: asBody<Schemas['BusinessHoursUpdate']>(body) })),
  remove: (id) => unwrap(api.DELETE('/api/v1/business-hours/{hours_id}', { params: { path: { hours_id: id } } })),
};

export function BusinessHoursSection() {
  return (
    <>
      <h2>Business hours</h2>
      <JsonCollection
        calls={calls}
        queryKey="business-hours"
        noun="schedule"
        fields={['name', 'timezone', 'weekly', 'holidays']}
        template={TEMPLATE}
        summary={(h) => `${h.timezone} · ${Object.keys(h.weekly).join(', ')}`}
      />
    </>
  );
}
