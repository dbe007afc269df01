// Customers (`/customers`): the requesters, searchable by name or email, with their
// organisation and tickets; the Organisations tab groups them by email domain.
import { useState } from 'react';
import { Link, NavLink, useSearchParams } from 'react-router-dom';
import { EmptyState, ErrorState, Spinner } from '../../components/ui';
import { relative } from '../../lib/format';
import { useContacts, useDebounced, useOrganizations } from './api';
import './customers.css';

export function CustomerTabs() {
  return (
    <nav className="tabs" aria-label="Customers">
      <NavLink to="/customers" end className="tab customers-tab">
        People
      </NavLink>
      <NavLink to="/customers/organizations" className="tab customers-tab">
        Organisations
      </NavLink>
    </nav>
  );
}

function SearchBox({ value, onChange, label, placeholder }: { value: string; onChange: (v: string) => void; label: string; placeholder: string }) {
  return (
    <input
      type="search"
      className="customers-search"
      aria-label={label}
      placeholder={placeholder}
      value={value}
      maxLength={200}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

function LoadMore({ hasMore, loading, onClick }: { hasMore: boolean; loading: boolean; onClick: () => void }) {
  if (!hasMore) return null;
  return (
    <div className="table-foot">
      <button type="button" className="btn" onClick={onClick} disabled={loading}>
        {loading ? 'Loading…' : 'Load more'}
      </button>
    </div>
  );
}

export function CustomersPage() {
  const [params, setParams] = useSearchParams();
  const organization = params.get('organization') ?? '';
  const [text, setText] = useState(params.get('q') ?? '');
  const q = useDebounced(text.trim());
  const list = useContacts(q, organization);
  const contacts = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="admin-page customers-page">
      <div className="page-header">
        <h1>Customers</h1>
      </div>
      <CustomerTabs />
      <div className="customers-toolbar">
        <SearchBox value={text} onChange={setText} label="Search customers" placeholder="Search by name or email" />
        {organization && (
          <span className="chip">
            Organisation: {organization}{' '}
            <button type="button" className="btn-link" aria-label="Show every organisation" onClick={() => setParams({})}>
              ×
            </button>
          </span>
        )}
      </div>
      {list.isPending ? (
        <Spinner label="Loading customers…" />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : contacts.length === 0 ? (
        <EmptyState title={q ? `No customer matches “${q}”.` : 'No customers yet.'}>Every ticket's requester is a customer.</EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="admin-table customers-table" aria-label="Customers">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Organisation</th>
                <th scope="col" className="num">
                  Open
                </th>
                <th scope="col" className="num">
                  Total
                </th>
                <th scope="col">Last ticket</th>
              </tr>
            </thead>
            <tbody>
              {contacts.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/customers/${c.id}`}>{c.name ?? <span className="muted">No name</span>}</Link>
                  </td>
                  <td className="wrap">{c.email}</td>
                  <td>{c.organization ? <Link to={`/customers?organization=${encodeURIComponent(c.organization)}`}>{c.organization}</Link> : <span className="muted">—</span>}</td>
                  <td className="num">{c.tickets_open}</td>
                  <td className="num">{c.tickets_total}</td>
                  <td>{c.last_ticket_at ? relative(c.last_ticket_at) : <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <LoadMore hasMore={!!list.hasNextPage} loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()} />
        </div>
      )}
    </div>
  );
}

export function OrganizationsPage() {
  const [text, setText] = useState('');
  const q = useDebounced(text.trim());
  const list = useOrganizations(q);
  const organizations = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="admin-page customers-page">
      <div className="page-header">
        <h1>Customers</h1>
      </div>
      <CustomerTabs />
      <p className="muted">Customers grouped by their email's domain; free-mail addresses (gmail.com, outlook.com …) belong to no organisation.</p>
      <div className="customers-toolbar">
        <SearchBox value={text} onChange={setText} label="Search organisations" placeholder="Search by domain" />
      </div>
      {list.isPending ? (
        <Spinner label="Loading organisations…" />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : organizations.length === 0 ? (
        <EmptyState title={q ? `No organisation matches “${q}”.` : 'No organisations yet.'} />
      ) : (
        <div className="table-scroll">
          <table className="admin-table customers-table" aria-label="Organisations">
            <thead>
              <tr>
                <th scope="col">Domain</th>
                <th scope="col" className="num">
                  Contacts
                </th>
                <th scope="col" className="num">
                  Open
                </th>
                <th scope="col" className="num">
                  Total
                </th>
                <th scope="col">Last ticket</th>
              </tr>
            </thead>
            <tbody>
              {organizations.map((o) => (
                <tr key={o.domain}>
                  <td>
                    <Link to={`/?organization=${encodeURIComponent(o.domain)}`} title={`Tickets from ${o.domain}`}>
                      {o.domain}
                    </Link>
                  </td>
                  <td className="num">
                    <Link to={`/customers?organization=${encodeURIComponent(o.domain)}`} aria-label={`${o.contacts} contacts at ${o.domain}`}>
                      {o.contacts}
                    </Link>
                  </td>
                  <td className="num">{o.tickets_open}</td>
                  <td className="num">
                    <Link to={`/?organization=${encodeURIComponent(o.domain)}`} aria-label={`${o.tickets_total} tickets from ${o.domain}`}>
                      {o.tickets_total}
                    </Link>
                  </td>
                  <td>{o.last_ticket_at ? relative(o.last_ticket_at) : <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <LoadMore hasMore={!!list.hasNextPage} loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()} />
        </div>
      )}
    </div>
  );
}
