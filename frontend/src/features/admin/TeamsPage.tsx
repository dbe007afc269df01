// Teams: add a team, pick its members among the agents.
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { useTeams, useUsers } from '../../api/queries';
import { EmptyState, ErrorState, Spinner } from '../../components/ui';
import { Failure, Page, useAdminMutation } from './shared';

export function TeamsPage() {
  const teams = useTeams();
  const users = useUsers();
  const [name, setName] = useState('');
  const create = useAdminMutation(() => unwrap(api.POST('/api/v1/teams', { body: { name, member_ids: [] } })), 'teams');
  const update = useAdminMutation(
    ({ id, member_ids }: { id: string; member_ids: string[] }) =>
      unwrap(api.PATCH('/api/v1/teams/{team_id}', { params: { path: { team_id: id } }, body: { member_ids } })),
    'teams',
  );
  const agents = (users.data ?? []).filter((u) => u.role !== 'viewer');
  return (
    <Page title="Teams" intro="Group agents so tickets can be routed to a team.">
      <form className="card inline-form admin-form" onSubmit={(e) => { e.preventDefault(); create.mutate(undefined, { onSuccess: () => setName('') }); }}>
        <input aria-label="Team name" placeholder="Team name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
        <button type="submit" className="btn btn-primary">Add team</button>
      </form>
      <Failure error={create.error ?? update.error} />
      {teams.isPending ? <Spinner label="Loading teams…" /> : teams.isError ? <ErrorState error={teams.error} retry={() => void teams.refetch()} /> : teams.data.length === 0 ? (
        <EmptyState title="No teams yet.">Add one above, then pick its members.</EmptyState>
      ) : (
        teams.data.map((team) => (
          <section key={team.id} className="card">
            <h2>{team.name}</h2>
            <div className="member-grid">
              {agents.map((u) => (
                <label key={u.id} className="check">
                  <input
                    type="checkbox"
                    checked={team.member_ids.includes(u.id)}
                    onChange={(e) =>
                      update.mutate({ id: team.id, member_ids: e.target.checked ? [...team.member_ids, u.id] : team.member_ids.filter((m) => m !== u.id) })
                    }
                  />
                  {u.name}
                </label>
              ))}
            </div>
          </section>
        ))
      )}
    </Page>
  );
}
