// Business hours: a weekly editor (open intervals per day), the time zone, and holidays (added
// by date or imported per country and year). SLA targets count only in these hours.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { Collection, FormButtons, type CollectionCalls } from './Collection';
import { placeErrors } from './fieldErrors';
import { Field, FieldError, FormErrors, TimeZoneSelect } from './form';
import { DAYS, describeWeek, emptyWeek, officeWeek, weekFromJson, weekToJson, type Day, type Interval, type Week } from './hours';

type Schedule = Schemas['BusinessHoursRead'];

const calls: CollectionCalls<Schedule> = {
  list: () => unwrap(api.GET('/api/v1/business-hours')),
  update: () => Promise.resolve(),
  remove: (id) => unwrap(api.DELETE('/api/v1/business-hours/{hours_id}', { params: { path: { hours_id: id } } })),
};

export function BusinessHoursSection() {
  return (
    <Collection
      queryKey="business-hours"
      calls={calls}
      noun="schedule"
      plural="schedules"
      empty="Without business hours, SLA clocks run around the clock. Add your opening times below."
      summary={(h) => `${h.timezone} · ${describeWeek(h.weekly)}${h.holidays.length ? ` · ${h.holidays.length} holiday(s)` : ''}`}
      renderForm={(schedule, done) => <HoursForm schedule={schedule} done={done} />}
    />
  );
}

function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

function HoursForm({ schedule, done }: { schedule: Schedule | null; done: () => void }) {
  const [name, setName] = useState(schedule?.name ?? '');
  const [timezone, setTimezone] = useState(schedule?.timezone ?? browserZone());
  const [week, setWeek] = useState<Week>(() => (schedule ? weekFromJson(schedule.weekly) : officeWeek()));
  const [holidays, setHolidays] = useState<string[]>(schedule?.holidays ?? []);
  const [newHoliday, setNewHoliday] = useState('');
  const save = useMutation({
    mutationFn: () => {
      const body = { name: name.trim(), timezone, weekly: weekToJson(week), holidays };
      return schedule
        ? unwrap(api.PATCH('/api/v1/business-hours/{hours_id}', { params: { path: { hours_id: schedule.id } }, body }))
        : unwrap(api.POST('/api/v1/business-hours', { body }));
    },
    onSuccess: done,
  });
  const known = [
    'name',
    'timezone',
    'weekly',
    ...DAYS.flatMap((d) => [`weekly.${d.key}`, ...week[d.key].map((_, i) => `weekly.${d.key}.${i}`)]),
    'holidays',
    ...holidays.map((_, i) => `holidays.${i}`),
  ];
  const errors = placeErrors(save.error, known);
  const setDay = (day: Day, intervals: Interval[]) => setWeek({ ...week, [day]: intervals });
  const holidayErrors = [...(errors.byPath.holidays ?? []), ...holidays.flatMap((h, i) => (errors.byPath[`holidays.${i}`] ?? []).map((m) => `${h}: ${m}`))];

  return (
    <form
      className="card admin-form hours-form"
      aria-label={schedule ? `Edit schedule ${schedule.name}` : 'New schedule'}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <h2>{schedule ? `Edit “${schedule.name}”` : 'New business hours'}</h2>
      <div className="form-grid">
        <Field label="Name" errors={errors.byPath.name}>
          <input value={name} required maxLength={100} placeholder="Office hours" onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Time zone" errors={errors.byPath.timezone}>
          <TimeZoneSelect value={timezone} onChange={setTimezone} />
        </Field>
      </div>

      <h3>Opening hours</h3>
      <div className="row">
        <button type="button" className="btn btn-small" onClick={() => setWeek(officeWeek())}>
          Weekdays 9–17
        </button>
        <button type="button" className="btn btn-small" onClick={() => setWeek({ ...emptyWeek(), ...Object.fromEntries(DAYS.map((d) => [d.key, [['00:00', '00:00']]])) })}>
          Around the clock
        </button>
        <button type="button" className="btn btn-small" onClick={() => setWeek({ ...week, tue: week.mon, wed: week.mon, thu: week.mon, fri: week.mon })}>
          Copy Monday to weekdays
        </button>
      </div>
      <table className="week-grid">
        <caption className="sr-only">Open intervals per day</caption>
        <tbody>
          {DAYS.map((d) => {
            const intervals = week[d.key];
            const dayErrors = [...(errors.byPath[`weekly.${d.key}`] ?? []), ...intervals.flatMap((_, i) => errors.byPath[`weekly.${d.key}.${i}`] ?? [])];
            return (
              <tr key={d.key} data-invalid={dayErrors.length ? true : undefined}>
                <th scope="row">
                  <label className="check">
                    <input type="checkbox" checked={intervals.length > 0} onChange={(e) => setDay(d.key, e.target.checked ? [['09:00', '17:00']] : [])} aria-label={`Open on ${d.label}`} />
                    {d.label}
                  </label>
                </th>
                <td>
                  {intervals.length === 0 ? (
                    <span className="muted">Closed</span>
                  ) : (
                    <span className="intervals">
                      {intervals.map(([start, end], i) => (
                        <span key={i} className="interval">
                          <input type="time" aria-label={`${d.label} opens${i ? ` (${i + 1})` : ''}`} value={start} required onChange={(e) => setDay(d.key, intervals.map((iv, j) => (j === i ? [e.target.value, iv[1]] : iv)))} />
                          <span aria-hidden="true">–</span>
                          <input type="time" aria-label={`${d.label} closes${i ? ` (${i + 1})` : ''}`} value={end} required onChange={(e) => setDay(d.key, intervals.map((iv, j) => (j === i ? [iv[0], e.target.value] : iv)))} />
                          <button type="button" className="btn btn-small btn-ghost" aria-label={`Remove ${d.label} interval ${i + 1}`} onClick={() => setDay(d.key, intervals.filter((_, j) => j !== i))}>
                            ×
                          </button>
                        </span>
                      ))}
                      {intervals.length < 12 && (
                        <button type="button" className="btn-link" onClick={() => setDay(d.key, [...intervals, ['13:00', '17:00']])}>
                          + interval
                        </button>
                      )}
                    </span>
                  )}
                  <FieldError messages={dayErrors.length ? dayErrors : undefined} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="muted small">A closing time of 00:00 means midnight.</p>
      <FieldError messages={errors.byPath.weekly} />

      <h3>Holidays</h3>
      <p className="muted small">Clocks stop on these days.</p>
      <div className="tokens holiday-list" aria-label="Holidays">
        {holidays.length === 0 && <span className="muted">No holidays.</span>}
        {holidays.map((h) => (
          <span key={h} className="chip">
            <time dateTime={h}>{new Date(`${h}T12:00:00`).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric', weekday: 'short' })}</time>
            <button type="button" className="chip-x" aria-label={`Remove holiday ${h}`} onClick={() => setHolidays(holidays.filter((x) => x !== h))}>
              ×
            </button>
          </span>
        ))}
      </div>
      <div className="row">
        <label className="inline-label">
          Add a day <input type="date" value={newHoliday} onChange={(e) => setNewHoliday(e.target.value)} />
        </label>
        <button
          type="button"
          className="btn btn-small"
          disabled={!newHoliday}
          onClick={() => {
            setHolidays([...new Set([...holidays, newHoliday])].sort());
            setNewHoliday('');
          }}
        >
          Add holiday
        </button>
      </div>
      <FieldError messages={holidayErrors.length ? holidayErrors : undefined} />
      {schedule ? (
        <HolidayImport scheduleId={schedule.id} onImported={(days) => setHolidays([...new Set([...holidays, ...days])].sort())} />
      ) : (
        <p className="muted small">Save the schedule to import public holidays by country.</p>
      )}

      <FormErrors messages={errors.other} />
      <FormButtons saving={save.isPending} onCancel={done} label={schedule ? 'Save schedule' : 'Create schedule'} />
    </form>
  );
}

function HolidayImport({ scheduleId, onImported }: { scheduleId: string; onImported: (days: string[]) => void }) {
  const queryClient = useQueryClient();
  const year = new Date().getFullYear();
  const [country, setCountry] = useState('');
  const [subdivision, setSubdivision] = useState('');
  const [years, setYears] = useState<number[]>([year]);
  const run = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/business-hours/{hours_id}/holidays/import', {
          params: { path: { hours_id: scheduleId } },
          body: { country: country.trim().toUpperCase(), subdivision: subdivision.trim().toUpperCase() || null, years },
        }),
      ),
    onSuccess: (updated) => {
      onImported(updated.holidays);
      void queryClient.invalidateQueries({ queryKey: ['business-hours'] });
    },
  });
  const errors = placeErrors(run.error, ['country', 'subdivision', 'years']);
  return (
    <fieldset className="holiday-import">
      <legend>Import public holidays</legend>
      <div className="row">
        <Field label="Country code" errors={errors.byPath.country} hint="Two letters, e.g. DE, US, GB">
          <input value={country} maxLength={2} size={4} onChange={(e) => setCountry(e.target.value.toUpperCase())} placeholder="DE" />
        </Field>
        <Field label="Region (optional)" errors={errors.byPath.subdivision} hint="e.g. BY, CA">
          <input value={subdivision} maxLength={4} size={5} onChange={(e) => setSubdivision(e.target.value.toUpperCase())} />
        </Field>
        <fieldset className="checks checks-inline">
          <legend>Years</legend>
          {[year, year + 1, year + 2].map((y) => (
            <label key={y} className="check">
              <input type="checkbox" checked={years.includes(y)} onChange={(e) => setYears(e.target.checked ? [...years, y].sort() : years.filter((x) => x !== y))} />
              {y}
            </label>
          ))}
          <FieldError messages={errors.byPath.years} />
        </fieldset>
        <button type="button" className="btn btn-small" disabled={!country.trim() || !years.length || run.isPending} onClick={() => run.mutate()}>
          {run.isPending ? 'Importing…' : 'Import holidays'}
        </button>
      </div>
      <FormErrors messages={errors.other} />
      {run.isSuccess && (
        <p className="muted small" role="status">
          Imported: the schedule now has {run.data.holidays.length} holidays.
        </p>
      )}
    </fieldset>
  );
}
