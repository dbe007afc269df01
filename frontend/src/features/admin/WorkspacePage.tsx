// Workspace: its name and time zone (picked from the IANA list, not typed).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorState, Spinner } from '../../components/ui';
import { placeErrors } from './fieldErrors';
import { Field, FormErrors, TimeZoneSelect } from './form';
import { Page } from './shared';

export function WorkspacePage() {
  const workspace = useQuery({ queryKey: ['workspace'], queryFn: () => unwrap(api.GET('/api/v1/workspace')) });
  if (workspace.isPending) return <Spinner label="Loading the workspace…" />;
  if (workspace.isError) return <ErrorState error={workspace.error} retry={() => void workspace.refetch()} />;
  return <WorkspaceForm workspace={workspace.data} />;
}

function WorkspaceForm({ workspace }: { workspace: Schemas['WorkspaceSettingsRead'] }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(workspace.name);
  const [timezone, setTimezone] = useState(workspace.timezone);
  const update = useMutation({
    mutationFn: () => unwrap(api.PATCH('/api/v1/workspace', { body: { name: name.trim(), timezone } })),
    onSuccess: (data) => {
      queryClient.setQueryData(['workspace'], data);
      void queryClient.invalidateQueries({ queryKey: ['me'] });
    },
  });
  const errors = placeErrors(update.error, ['name', 'timezone']);
  return (
    <Page title="Workspace" intro={`Slug ${workspace.slug} · ticket keys look like ${workspace.ticket_prefix}-42.`}>
      <form
        className="card form-grid"
        aria-label="Workspace settings"
        onSubmit={(e) => {
          e.preventDefault();
          update.mutate();
        }}
      >
        <Field label="Name" errors={errors.byPath.name}>
          <input value={name} required maxLength={200} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Time zone" errors={errors.byPath.timezone} hint="Reports and due dates are shown in this zone.">
          <TimeZoneSelect value={timezone} onChange={setTimezone} />
        </Field>
        <div className="field-wide">
          <FormErrors messages={errors.other} />
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={update.isPending}>
              {update.isPending ? 'Saving…' : 'Save'}
            </button>
            {update.isSuccess && (
              <span className="muted" role="status">
                Saved.
              </span>
            )}
          </div>
        </div>
      </form>
    </Page>
  );
}
