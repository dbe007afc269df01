// API tokens: create one with scopes (its secret shown once), revoke.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { EmptyState, ErrorState, Spinner } from '../../components/ui';
import { absolute } from '../../lib/format';
import { CopyButton } from './form';
import { Failure, Page, useAdminMutation } from './shared';

type Scope = Schemas['ApiTokenCreate']['scopes'][number];

const SCOPES: Scope[] = ['tickets:read', 'tickets:write', 'conversations:write', 'email:inbound', 'webhooks:manage', 'admin'];

export function ApiTokensPage() {
  const tokens = useQuery({ queryKey: ['api-tokens'], queryFn: () => unwrap(api.GET('/api/v1/api-tokens')) });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['tickets:read']);
  const [secret, setSecret] = useState<string | null>(null);
  const create = useAdminMutation(
    () => unwrap(api.POST('/api/v1/api-tokens', { body: { name, scopes } })).then((t) => setSecret(t.token)),
    'api-tokens',
  );
  const revoke = useAdminMutation(
    (id: string) => unwrap(api.DELETE('/api/v1/api-tokens/{token_id}', { params: { path: { token_id: id } } })),
    'api-tokens',
  );
  return (
    <Page title="API tokens" intro="Tokens let integrations call the API. The secret is shown once.">
      <form className="card admin-form" onSubmit={(e) => { e.preventDefault(); create.mutate(undefined, { onSuccess: () => setName('') }); }}>
        <div className="inline-form">
          <input aria-label="Token name" placeholder="Token name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
          <button type="submit" className="btn btn-primary" disabled={!scopes.length}>Create token</button>
        </div>
        <div className="member-grid">
          {SCOPES.map((s) => (
            <label key={s} className="check">
              <input type="checkbox" checked={scopes.includes(s)} onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))} />
              {s}
            </label>
          ))}
        </div>
      </form>
      {secret && (
        <div className="notice" role="status">
          Copy this token now; it will not be shown again:
          <span className="secret-row">
            <code className="secret">{secret}</code>
            <CopyButton text={secret} what="API token" />
          </span>
        </div>
      )}
      <Failure error={create.error ?? revoke.error} />
      {tokens.isPending ? <Spinner label="Loading API tokens…" /> : tokens.isError ? <ErrorState error={tokens.error} retry={() => void tokens.refetch()} /> : tokens.data.length === 0 ? (
        <EmptyState title="No API tokens yet.">Create one above for your chat widget, mail gateway or scripts.</EmptyState>
      ) : (
        <table className="admin-table">
          <thead><tr><th>Name</th><th>Prefix</th><th>Scopes</th><th>Last used</th><th /></tr></thead>
          <tbody>
            {tokens.data.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td><code>{t.token_prefix}…</code></td>
                <td>{t.scopes.join(', ')}</td>
                <td>{t.revoked_at ? `revoked ${absolute(t.revoked_at)}` : absolute(t.last_used_at)}</td>
                <td>{!t.revoked_at && <button type="button" className="btn btn-small btn-danger" onClick={() => revoke.mutate(t.id)}>Revoke</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
