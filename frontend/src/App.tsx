import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { useSession } from './auth/session';
import { CommandPalette } from './components/CommandPalette';
import { Layout } from './components/Layout';
import { ShortcutsOverlay } from './components/ShortcutsOverlay';
import { Spinner } from './components/ui';
import { ApiTokensPage } from './features/admin/ApiTokensPage';
import { AutomationsPage } from './features/admin/AutomationsPage';
import { EmailPage } from './features/admin/EmailPage';
import { FieldsPage } from './features/admin/FieldsPage';
import { TicketTypesPage } from './features/admin/TicketTypesPage';
import { ApprovalsPage } from './features/ApprovalsPage';
import { LabelsPage } from './features/admin/LabelsPage';
import { MacrosPage } from './features/admin/MacrosPage';
import { SlaPoliciesPage } from './features/admin/SlaPoliciesPage';
import { StatusesPage } from './features/admin/StatusesPage';
import { TeamsPage } from './features/admin/TeamsPage';
import { TriagePage } from './features/admin/TriagePage';
import { UsersPage } from './features/admin/UsersPage';
import { WebhooksPage } from './features/admin/WebhooksPage';
import { WorkspacePage } from './features/admin/WorkspacePage';
import { ContactPage } from './features/customers/ContactPage';
import { CustomersPage, OrganizationsPage } from './features/customers/CustomersPage';
import { LoginPage } from './features/LoginPage';
import { NewTicketPage } from './features/NewTicketPage';
import { ViewsPage } from './features/ViewsPage';
import { QueuePage } from './features/queue/QueuePage';
import { QueueMemory } from './features/ticket/queueNav';
import { TicketPage } from './features/ticket/TicketPage';
import { LiveProvider } from './live/live';

// The dashboard and its chart library load when it is first opened, not with the queue.
const ReportsPage = lazy(() => import('./features/reports/ReportsPage').then((m) => ({ default: m.ReportsPage })));

export function App() {
  const { me, loading } = useSession();
  if (loading) return <Spinner label="Opening ticketdesk…" />;
  if (!me) return <LoginPage />;
  return (
    <LiveProvider enabled>
      <QueueMemory />
      <CommandPalette />
      <ShortcutsOverlay />
      <Routes>
        <Route element={<Layout />}>
          <Route index element={<QueuePage />} />
          <Route path="tickets/new" element={<NewTicketPage />} />
          <Route path="tickets/:ticketKey" element={<TicketPage />} />
          <Route path="views" element={<ViewsPage />} />
          <Route path="customers" element={<CustomersPage />} />
          <Route path="customers/organizations" element={<OrganizationsPage />} />
          <Route path="customers/:contactId" element={<ContactPage />} />
          {me.role !== 'viewer' && <Route path="macros" element={<MacrosPage scope="mine" />} />}
          <Route path="approvals" element={<ApprovalsPage />} />
          <Route
            path="reports"
            element={
              <Suspense fallback={<Spinner label="Opening reports…" />}>
                <ReportsPage />
              </Suspense>
            }
          />
          {me.role === 'admin' && (
            <Route path="admin">
              <Route path="users" element={<UsersPage />} />
              <Route path="teams" element={<TeamsPage />} />
              <Route path="labels" element={<LabelsPage />} />
              <Route path="statuses" element={<StatusesPage />} />
              <Route path="fields" element={<FieldsPage />} />
              <Route path="ticket-types" element={<TicketTypesPage />} />
              <Route path="tokens" element={<ApiTokensPage />} />
              <Route path="workspace" element={<WorkspacePage />} />
              <Route path="sla" element={<SlaPoliciesPage />} />
              <Route path="automations" element={<AutomationsPage />} />
              <Route path="macros" element={<MacrosPage scope="shared" />} />
              <Route path="webhooks" element={<WebhooksPage />} />
              <Route path="email" element={<EmailPage />} />
              <Route path="triage" element={<TriagePage />} />
            </Route>
          )}
          <Route path="*" element={<Navigate to="/" replace />} />
        </Route>
      </Routes>
    </LiveProvider>
  );
}
