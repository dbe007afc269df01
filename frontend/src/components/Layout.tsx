import { useState, type ReactNode } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router-dom';
import { useSavedViews, viewSearch, type SavedView } from '../api/views';
import { useMe, useSession } from '../auth/session';
import { useLive } from '../live/live';
import { NotificationBell } from './NotificationBell';
import { Avatar } from './ui';

export function Layout() {
  const me = useMe();
  const { logout } = useSession();
  const { connected } = useLive();
  const { views, remove, update } = useSavedViews();
  const pinned = views.filter((v) => v.pinned);
  const others = views.filter((v) => !v.pinned);
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
        <button type="button" className="nav-remove" aria-label={`Delete view ${view.name}`} onClick={() => remove.mutate(view.id)}>
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
          {viewLink('/', 'All tickets')}
          {viewLink('/?assignee=me', 'My tickets')}
          {viewLink('/?assignee=none', 'Unassigned')}
          {viewLink('/?priority=urgent', 'Urgent')}
          {viewLink('/?sla=overdue', 'Overdue')}
        </ul>
        <h2 className="nav-heading">Saved views</h2>
        <ul className="nav-list" aria-label="Saved views">
          {views.length === 0 && <li className="nav-empty">Filter the queue, then “Save view”.</li>}
          {pinned.map((view) => viewLink(`/${viewSearch(view)}`, view.name, viewActions(view)))}
        </ul>
        {others.length > 0 && (
          <details className="nav-more">
            <summary>More views ({others.length})</summary>
            <ul className="nav-list" aria-label="More views">
              {others.map((view) => viewLink(`/${viewSearch(view)}`, view.name, viewActions(view)))}
            </ul>
          </details>
        )}
        {views.length > 0 && (
          <Link to="/views" className="nav-manage" onClick={() => setOpen(false)}>
            Manage views…
          </Link>
        )}
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
                ['sla', 'SLA & hours'],
                ['automations', 'Automations'],
                ['webhooks', 'Webhooks'],
                ['email', 'Email'],
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
