import { useState, type ReactNode } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router-dom';
import { useApprovalCounts } from '../api/queries';
import { useSavedViews, useViewCount, viewSearch, type SavedView } from '../api/views';
import { useMe, useSession } from '../auth/session';
import { useLive } from '../live/live';
import { effectiveTheme, saveTheme, storedTheme } from '../lib/theme';
import { NotificationBell } from './NotificationBell';
import { Avatar } from './ui';

function compact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 10_000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  return `${Math.round(n / 1000)}k`;
}

/** The number of tickets behind a sidebar link (`search` is its query string). */
function NavCount({ search }: { search: string }) {
  const count = useViewCount(search);
  if (count.data === undefined) return null;
  return (
    <span className="nav-count" title={`${count.data} tickets`}>
      {compact(count.data)}
    </span>
  );
}

const QUEUES: [string, string][] = [
  ['/', 'All tickets'],
  ['/?assignee=me', 'My tickets'],
  ['/?watching=me', 'Watching'],
  ['/?assignee=none', 'Unassigned'],
  ['/?priority=urgent', 'Urgent'],
  ['/?sla=overdue', 'Overdue'],
];

const ADMIN: [string, string][] = [
  ['users', 'Users & roles'],
  ['teams', 'Teams'],
  ['labels', 'Labels'],
  ['statuses', 'Statuses'],
  ['fields', 'Custom fields'],
  ['ticket-types', 'Ticket types'],
  ['tokens', 'API tokens'],
  ['sla', 'SLA & hours'],
  ['automations', 'Automations'],
  ['macros', 'Macros'],
  ['webhooks', 'Webhooks'],
  ['email', 'Email & web form'],
  ['triage', 'Triage model'],
  ['workspace', 'Workspace'],
];

/** "Approvals" with the number of pending changes the caller may decide. */
function ApprovalsLink({ onClick }: { onClick: () => void }) {
  const counts = useApprovalCounts();
  const mine = counts.data?.for_me ?? 0;
  return (
    <li>
      <NavLink to="/approvals" className="nav-link" onClick={onClick}>
        Approvals
      </NavLink>
      {mine > 0 && (
        <span className="nav-count nav-badge" aria-label={`${mine} pending approvals for you`} title={`${counts.data?.pending ?? mine} pending in the workspace`}>
          {compact(mine)}
        </span>
      )}
    </li>
  );
}

function ThemeToggle() {
  const [choice, setChoice] = useState(storedTheme);
  const dark = effectiveTheme(choice) === 'dark';
  return (
    <button
      type="button"
      className="btn btn-small theme-toggle"
      aria-pressed={dark}
      title={choice === 'system' ? 'Following the system setting' : 'Your choice, kept on this device'}
      onClick={() => {
        const next = dark ? 'light' : 'dark';
        saveTheme(next);
        setChoice(next);
      }}
    >
      <span aria-hidden="true">{dark ? '☾' : '☀'}</span> Dark mode
    </button>
  );
}

export function Layout() {
  const me = useMe();
  const { logout } = useSession();
  const { connected } = useLive();
  const { views, loading, error, remove, update } = useSavedViews();
  const pinned = views.filter((v) => v.pinned);
  const others = views.filter((v) => !v.pinned);
  const location = useLocation();
  const [open, setOpen] = useState(false);
  const current = location.pathname + location.search;
  const viewLink = (to: string, label: string, extra?: ReactNode, counted = true) => (
    <li key={to + label}>
      <Link to={to} className={current === to ? 'nav-link active' : 'nav-link'} aria-current={current === to ? 'page' : undefined} onClick={() => setOpen(false)}>
        {label}
      </Link>
      {counted && <NavCount search={to.slice(1)} />}
      {extra}
    </li>
  );
  const viewActions = (view: SavedView) => (
    <span className="nav-actions">
      {view.shared && (
        <span className="nav-tag" title={`Shared by ${view.owner.name}`}>
          shared
        </span>
      )}
      {view.mine && (
        <button
          type="button"
          className="nav-remove"
          aria-label={`${view.pinned ? 'Unpin' : 'Pin'} view ${view.name}`}
          title={view.pinned ? 'Unpin from the sidebar' : 'Pin to the sidebar'}
          onClick={() => update.mutate({ id: view.id, pinned: !view.pinned })}
        >
          {view.pinned ? '−' : '+'}
        </button>
      )}
      {view.mine && (
        <button type="button" className="nav-remove" aria-label={`Delete view ${view.name}`} onClick={() => window.confirm(`Delete the view “${view.name}”?`) && remove.mutate(view.id)}>
          ×
        </button>
      )}
    </span>
  );
  const name = me.user?.name ?? me.api_token?.name ?? 'Agent';

  return (
    <div className={open ? 'shell nav-open' : 'shell'}>
      <header className="topbar">
        <button type="button" className="btn btn-ghost nav-toggle" aria-label="Menu" aria-expanded={open} onClick={() => setOpen(!open)}>
          ☰
        </button>
        <span className="brand">
          <span className="brand-mark" aria-hidden="true" />
          ticketdesk
        </span>
      </header>
      <nav className="sidebar" aria-label="Main">
        <div className="brand sidebar-brand">
          <span className="brand-mark" aria-hidden="true" />
          ticketdesk
          {me.userId && <NotificationBell />}
          <span className="workspace-name">{me.workspace.name}</span>
        </div>
        {me.canWrite && (
          <Link to="/tickets/new" className="btn btn-primary btn-block" onClick={() => setOpen(false)}>
            New ticket
          </Link>
        )}
        <h2 className="nav-heading">Queue</h2>
        <ul className="nav-list">
          {QUEUES.map(([to, label]) => viewLink(to, label, undefined, to !== '/?watching=me' || !!me.userId))}
          {me.canWrite && <ApprovalsLink onClick={() => setOpen(false)} />}
        </ul>
        <h2 className="nav-heading">Saved views</h2>
        <ul className="nav-list" aria-label="Saved views">
          {loading ? (
            <li className="nav-empty">Loading views…</li>
          ) : error ? (
            <li className="nav-empty">Could not load your views.</li>
          ) : (
            views.length === 0 && <li className="nav-empty">Filter the queue, then “Save view”.</li>
          )}
          {pinned.map((view) => viewLink(`/${viewSearch(view)}`, view.name, viewActions(view)))}
        </ul>
        {others.length > 0 && (
          <details className="nav-more">
            <summary>More views ({others.length})</summary>
            <ul className="nav-list" aria-label="More views">
              {others.map((view) => viewLink(`/${viewSearch(view)}`, view.name, viewActions(view), false))}
            </ul>
          </details>
        )}
        {views.length > 0 && (
          <Link to="/views" className="nav-manage" onClick={() => setOpen(false)}>
            Manage views…
          </Link>
        )}
        <ul className="nav-list nav-tools">
          <li>
            <NavLink to="/customers" className="nav-link" onClick={() => setOpen(false)}>
              Customers
            </NavLink>
          </li>
          <li>
            <NavLink to="/reports" className="nav-link" onClick={() => setOpen(false)}>
              Reports
            </NavLink>
          </li>
          {me.canWrite && me.userId && (
            <li>
              <NavLink to="/macros" className="nav-link" onClick={() => setOpen(false)}>
                My macros
              </NavLink>
            </li>
          )}
        </ul>
        {me.isAdmin && (
          <>
            <h2 className="nav-heading">Admin</h2>
            <ul className="nav-list">
              {ADMIN.map(([path, label]) => (
                <li key={path}>
                  <NavLink to={`/admin/${path}`} className="nav-link" onClick={() => setOpen(false)}>
                    {label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </>
        )}
        <div className="sidebar-footer">
          <Avatar name={name} />
          <div className="who">
            <strong>{name}</strong>
            <span className="muted">
              {me.role} · <span title={connected ? 'Live updates connected' : 'Refreshing every few seconds'}>{connected ? 'live' : 'auto-refresh'}</span>
            </span>
          </div>
          <ThemeToggle />
          <button type="button" className="btn btn-small" onClick={() => void logout()}>
            Sign out
          </button>
        </div>
      </nav>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}
