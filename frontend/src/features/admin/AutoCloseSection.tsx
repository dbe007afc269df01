// Auto-close (`/settings/auto-close`): tickets left waiting on the customer get a reminder after
// some days and are closed after more; off by default.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorState, Spinner } from '../../components/ui';
import { placeErrors } from './fieldErrors';
import { Field, FormErrors } from './form';

type Settings = Schemas['AutoCloseRead'];

export function AutoCloseSection() {
  const settings = useQuery({ queryKey: ['auto-close'], queryFn: () => unwrap(api.GET('/api/v1/settings/auto-close')) });
  if (settings.isPending) return <Spinner label="Loading auto-close…" />;
  if (settings.isError) return <ErrorState error={settings.error} retry={() => void settings.refetch()} />;
  return <AutoCloseForm settings={settings.data} />;
}

function AutoCloseForm({ settings }: { settings: Settings }) {
  const queryClient = useQueryClient();
  const [enabled, setEnabled] = useState(settings.enabled);
  const [closeDays, setCloseDays] = useState(String(settings.close_after_days ?? 7));
  const [remind, setRemind] = useState(settings.reminder_after_days !== null || !settings.enabled);
  const [reminderDays, setReminderDays] = useState(String(settings.reminder_after_days ?? 3));
  const [reminderMessage, setReminderMessage] = useState(settings.reminder_message);
  const [closeMessage, setCloseMessage] = useState(settings.close_message);
  const save = useMutation({
    mutationFn: () =>
      enabled
        ? unwrap(
            api.POST('/api/v1/settings/auto-close', {
              body: {
                close_after_days: Number(closeDays),
                reminder_after_days: remind ? Number(reminderDays) : null,
                reminder_message: reminderMessage.trim() || null,
                close_message: closeMessage.trim() || null,
              },
            }),
          )
        : unwrap(api.DELETE('/api/v1/settings/auto-close')),
    onSuccess: (data) => queryClient.setQueryData(['auto-close'], data),
  });
  const errors = placeErrors(save.error, ['close_after_days', 'reminder_after_days', 'reminder_message', 'close_message']);
  return (
    <form
      className="card admin-form"
      aria-label="Auto-close"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <label className="check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Close tickets that wait on the customer
      </label>
      <fieldset className="form-grid" disabled={!enabled}>
        <legend className="sr-only">Auto-close timing</legend>
        <Field label="Close after (days waiting)" errors={errors.byPath.close_after_days}>
          <input type="number" min={1} max={365} required value={closeDays} onChange={(e) => setCloseDays(e.target.value)} />
        </Field>
        <div className="field">
          <label className="check">
            <input type="checkbox" checked={remind} onChange={(e) => setRemind(e.target.checked)} /> Send a reminder first
          </label>
          <Field label="Reminder after (days waiting)" errors={errors.byPath.reminder_after_days}>
            <input type="number" min={1} max={365} disabled={!remind} value={reminderDays} onChange={(e) => setReminderDays(e.target.value)} />
          </Field>
        </div>
        <Field label="Reminder message" wide errors={errors.byPath.reminder_message}>
          <textarea rows={3} disabled={!remind} value={reminderMessage} onChange={(e) => setReminderMessage(e.target.value)} />
        </Field>
        <Field label="Closing message" wide errors={errors.byPath.close_message}>
          <textarea rows={3} value={closeMessage} onChange={(e) => setCloseMessage(e.target.value)} />
        </Field>
      </fieldset>
      <FormErrors messages={errors.other} />
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save auto-close'}
        </button>
        {save.isSuccess && (
          <span className="muted" role="status">
            {save.data.enabled ? `On: closed after ${save.data.close_after_days} days.` : 'Auto-close is off.'}
          </span>
        )}
      </div>
    </form>
  );
}
