// CSAT surveys (`/settings/csat`): on/off, the scale, and how long after the solve the survey
// email goes. The email itself is the `csat_survey` template (Templates above).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorState, Spinner } from '../../components/ui';
import { placeErrors } from './fieldErrors';
import { Field, FormErrors } from './form';

type Settings = Schemas['CsatSettingsRead'];

export function CsatSection() {
  const settings = useQuery({ queryKey: ['csat-settings'], queryFn: () => unwrap(api.GET('/api/v1/settings/csat')) });
  if (settings.isPending) return <Spinner label="Loading CSAT settings…" />;
  if (settings.isError) return <ErrorState error={settings.error} retry={() => void settings.refetch()} />;
  return <CsatForm settings={settings.data} />;
}

function CsatForm({ settings }: { settings: Settings }) {
  const queryClient = useQueryClient();
  const [enabled, setEnabled] = useState(settings.enabled);
  const [scale, setScale] = useState<Settings['scale']>(settings.scale);
  const [delay, setDelay] = useState(String(settings.delay_minutes));
  const save = useMutation({
    mutationFn: () => unwrap(api.PUT('/api/v1/settings/csat', { body: { enabled, scale, delay_minutes: Number(delay) } })),
    onSuccess: (data) => queryClient.setQueryData(['csat-settings'], data),
  });
  const errors = placeErrors(save.error, ['enabled', 'scale', 'delay_minutes']);
  return (
    <form
      className="card admin-form"
      aria-label="CSAT surveys"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <label className="check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Ask requesters how we did when their ticket is solved
      </label>
      <fieldset className="form-grid" disabled={!enabled}>
        <legend className="sr-only">Survey</legend>
        <Field label="Scale" errors={errors.byPath.scale}>
          <select value={scale} onChange={(e) => setScale(e.target.value as Settings['scale'])}>
            <option value="good_bad">Good or bad</option>
            <option value="five">1 to 5 (4 and 5 count as good)</option>
          </select>
        </Field>
        <Field label="Send after (minutes)" errors={errors.byPath.delay_minutes} hint="0 sends it as soon as the ticket is solved.">
          <input type="number" min={0} max={43200} required value={delay} onChange={(e) => setDelay(e.target.value)} />
        </Field>
      </fieldset>
      <p className="hint">
        One survey per ticket: a ticket reopened and solved again is not asked twice. The answer shows on the ticket and can be changed until it closes.
      </p>
      <FormErrors messages={errors.other} />
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save CSAT'}
        </button>
        {save.isSuccess && (
          <span className="muted" role="status">
            {save.data.enabled ? `On: surveys go ${save.data.delay_minutes ? `${save.data.delay_minutes} min after the solve` : 'when a ticket is solved'}.` : 'CSAT surveys are off.'}
          </span>
        )}
      </div>
    </form>
  );
}
