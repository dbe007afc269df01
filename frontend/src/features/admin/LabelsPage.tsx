// Labels: the list, and adding one ahead of its first use.
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { useLabels } from '../../api/queries';
import { EmptyState, ErrorState, LabelChip, Spinner } from '../../components/ui';
import { Failure, Page, useAdminMutation } from './shared';

export function LabelsPage() {
  const labels = useLabels();
  const [name, setName] = useState('');
  const create = useAdminMutation(() => unwrap(api.POST('/api/v1/labels', { body: { name: name.trim().toLowerCase() } })), 'labels');
  return (
    <Page title="Labels" intro="Labels are also created on the fly when an agent types a new one on a ticket.">
      <form className="card inline-form admin-form" onSubmit={(e) => { e.preventDefault(); create.mutate(undefined, { onSuccess: () => setName('') }); }}>
        <input aria-label="Label name" placeholder="Label name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={50} />
        <button type="submit" className="btn btn-primary">Add label</button>
      </form>
      <Failure error={create.error} />
      {labels.isPending ? (
        <Spinner label="Loading labels…" />
      ) : labels.isError ? (
        <ErrorState error={labels.error} retry={() => void labels.refetch()} />
      ) : labels.data.length === 0 ? (
        <EmptyState title="No labels yet.">Add one above, or type a new one on a ticket.</EmptyState>
      ) : (
        <div className="card">{labels.data.map((l) => <LabelChip key={l.id} name={l.name} />)}</div>
      )}
    </Page>
  );
}
