// Workspace: its name and time zone.
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { ErrorState, Spinner } from '../../components/ui';
import { Failure, Page, useAdminMutation } from './shared';

export function WorkspacePage() {
  const workspace = useQuery({ queryKey: ['workspace'], queryFn: () => unwrap(api.GET('/api/v1/workspace')) });
  const update = useAdminMutation(
    (body: { name?: string; timezone?: string }) => unwrap(api.PATCH('/api/v1/workspace', { body })),
    'workspace',
  );
  if (workspace.isPending) return <Spinner />;
  if (workspace.isError) return <ErrorState error={workspace.error} />;
  const w = workspace.data;
  return (
    <Page title="Workspace" intro={`Slug ${w.slug} · ticket keys look like ${w.ticket_prefix}-42.`}>
      <form
        className="card form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          const text = (field: string) => {
            const value = data.get(field);
            return typeof value === 'string' ? value : '';
          };
          update.mutate({ name: text('name'), timezone: text('timezone') });
        }}
      >
        <label className="field"><span>Name</span><input name="name" defaultValue={w.name} maxLength={200} /></label>
        <label className="field"><span>Time zone</span><input name="timezone" defaultValue={w.timezone} maxLength={64} /></label>
        <div className="field-wide"><button type="submit" className="btn btn-primary">Save</button> {update.isSuccess && <span className="muted">Saved.</span>}</div>
      </form>
      <Failure error={update.error} />
    </Page>
  );
}
