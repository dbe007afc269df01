import { useState, type ReactNode } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router-dom';
import { useSavedViews } from '../api/views';
import { useMe, useSession } from '../auth/session';
import { useLive } from '../live/live';
import { Avatar } from './ui';

export function Layout() {
  const me = useMe();
  const { logout } = useSession();
  const { connected } = useLive();
  const { views, remove } = useSavedViews(me.userId);
  const location = useLocation();
  const [open, setOpen] = useState(false);
  const current = location.pathname + location.search;
  const viewLink = (to: string, label: string, extra?: ReactNode) => (
    <li key={to + label}>
      <Link to={to} className={current === to ? 'nav-link active' : 'nav-link'} aria-current={current === to ? 'page' : undefined} onClick={() => setOpen(false)}>
        {label}
      </Link>
      {extra}
    </li>
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
          <span className="workspace-name">{me.workspace.name}</span>
        </div>
        {me.canWrite && (
          <Link to="/tickets/new" className="btn btn-primary btn-block" onClick={() => setOpen(false)}>
            New ticket
          </Link>
        )}
        <h2 className="nav-heading">Queue</h2>
        <ul className="nav-list">
          {viewLink('/', 'All tickets')}
          {viewLink('/?assignee=me', 'My tickets')}
          {viewLink('/?assignee=none', 'Unassigned')}
          {viewLink('/?priority=urgent', 'Urgent')}
          {viewLink('/?sla=overdue', 'Overdue')}
        </ul>
        <h2 className="nav-heading">Saved views</h2>
        <ul className="nav-list" aria-label="Saved views">
          {views.length === 0 && <li className="nav-empty">Filter the queue, then “Save view”.</li>}
          {views.map((view) =>
            viewLink(
              `/${view.search}`,
              view.name,
              <button type="button" className="nav-remove" aria-label={`Delete view ${view.name}`} onClick={() => remove(view.id)}>
                ×
              </button>,
            ),
          )}
        </ul>
        {me.isAdmin && (
          <>
            <h2 className="nav-heading">Admin</h2>
            <ul className="nav-list">
              {[
                ['users', 'Users & roles'],
                ['teams', 'Teams'],
                ['labels', 'Labels'],
                ['statuses', 'Statuses'],
                ['tokens', 'API tokens'],
                ['workspace', 'Workspace'],
              ].map(([path, label]) => (
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
