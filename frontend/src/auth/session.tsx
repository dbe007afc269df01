import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, getToken, setExpiredHandler, setToken, unwrap, type Me } from '../api/client';

interface Session {
  me: Me | null;
  loading: boolean;
  /** Why the agent is looking at the sign-in page, if not by choice. */
  notice: string | null;
  login: (email: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [token, setTokenState] = useState<string | null>(getToken());
  const [notice, setNotice] = useState<string | null>(null);

  const meQuery = useQuery({
    queryKey: ['me', token],
    queryFn: () => unwrap(api.GET('/api/v1/me')),
    enabled: !!token,
    staleTime: 5 * 60_000,
    retry: false,
  });

  useEffect(() => {
    setExpiredHandler(() => {
      if (!getToken()) return;
      setToken(null);
      setTokenState(null);
      queryClient.clear();
      setNotice('Your session has expired. Sign in again to continue.');
    });
  }, [queryClient]);

  const login = useCallback(
    async (email: string, password: string) => {
      const result = await unwrap(api.POST('/api/v1/auth/login', { body: { email, password } }));
      setToken(result.access_token);
      queryClient.clear();
      setNotice(null);
      setTokenState(result.access_token);
    },
    [queryClient],
  );

  const logout = useCallback(async () => {
    try {
      await api.POST('/api/v1/auth/logout');
    } finally {
      setToken(null);
      setTokenState(null);
      queryClient.clear();
      setNotice(null);
    }
  }, [queryClient]);

  const value = useMemo<Session>(
    () => ({
      me: token ? (meQuery.data ?? null) : null,
      loading: !!token && meQuery.isPending,
      notice,
      login,
      logout,
    }),
    [token, meQuery.data, meQuery.isPending, notice, login, logout],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in user (the app only renders signed-in pages when there is one). */
export function useMe(): Me & { userId: string | null; canWrite: boolean; isAdmin: boolean } {
  const { me } = useSession();
  if (!me) throw new Error('useMe without a session');
  return {
    ...me,
    userId: me.user?.id ?? null,
    canWrite: me.role !== 'viewer',
    isAdmin: me.role === 'admin',
  };
}
