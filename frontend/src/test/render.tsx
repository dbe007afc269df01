// The signed-in agent app around a tree under test, as main.tsx builds it: a query client, a
// router and the session, which reads GET /me from the test's fake fetch. The tree renders
// only once /me has answered, as the app's own gate does, so a component never sees no one.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, type RenderResult } from '@testing-library/react';
import type { ReactElement, ReactNode } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { setToken } from '../api/client';
import { SessionProvider, useSession } from '../auth/session';

/** A query client that fails at once (no retries) when the fake API answers an error. */
export function testQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false } } });
}

function Ready({ children }: { children: ReactNode }) {
  return useSession().me ? children : null;
}

/** `render(ui)` for a signed-in agent: a token is set (the test's afterEach clears it with
 * `setToken(null)`); `client`, when the test has filled one. `rerender` keeps the providers. */
export function renderSignedIn(ui: ReactElement, { client = testQueryClient() }: { client?: QueryClient } = {}): RenderResult {
  setToken('t');
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <SessionProvider>
          <Ready>{children}</Ready>
        </SessionProvider>
      </MemoryRouter>
    </QueryClientProvider>
  );
  return render(ui, { wrapper });
}
