import { Navigate, Route, Routes } from 'react-router-dom';
import { useSession } from './auth/session';
import { Layout } from './components/Layout';
import { Spinner } from './components/ui';
import { LabelsAdmin, StatusesAdmin, TeamsAdmin, TokensAdmin, UsersAdmin, WorkspaceAdmin } from './features/admin/AdminPages';
import { AutomationsAdmin, EmailAdmin, SlaAdmin, WebhooksAdmin } from './features/admin/MoreAdmin';
import { LoginPage } from './features/LoginPage';
import { NewTicketPage } from './features/NewTicketPage';
import { ViewsPage } from './features/ViewsPage';
import { QueuePage } from './features/queue/QueuePage';
import { TicketPage } from './features/ticket/TicketPage';
import { LiveProvider } from './live/live';

export function App() {
  const { me, loading } = useSession();
  if (loading) return <Spinner label="Opening ticketdesk…" />;
  if (!me) return <LoginPage />;
  return (
    <LiveProvider enabled>
      <Routes>
        <Route element={<Layout />}>
          <Route index element={<QueuePage />} />
          <Route path="tickets/new" element={<NewTicketPage />} />
          <Route path="tickets/:ticketKey" element={<TicketPage />} />
          <Route path="views" element={<ViewsPage />} />
          {me.role === 'admin' && (
            <Route path="admin">
              <Route path="users" element={<UsersAdmin />} />
              <Route path="teams" element={<TeamsAdmin />} />
              <Route path="labels" element={<LabelsAdmin />} />
              <Route path="statuses" element={<StatusesAdmin />} />
              <Route path="tokens" element={<TokensAdmin />} />
              <Route path="workspace" element={<WorkspaceAdmin />} />
              <Route path="sla" element={<SlaAdmin />} />
              <Route path="automations" element={<AutomationsAdmin />} />
              <Route path="webhooks" element={<WebhooksAdmin />} />
              <Route path="email" element={<EmailAdmin />} />
            </Route>
          )}
          <Route path="*" element={<Navigate to="/" replace />} />
        </Route>
      </Routes>
    </LiveProvider>
  );
}
