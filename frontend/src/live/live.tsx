// Live updates: the WebSocket (`/api/v1/ws?token=…`, pushes `{type, data}` and presence)
// when the server has it; otherwise polling. Queries read `useLivePollInterval()`.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { getToken } from '../api/client';

export const POLL_INTERVAL_MS = 10_000;

export interface PresenceUser {
  id?: string;
  name?: string;
  typing?: boolean;
}

interface Live {
  connected: boolean;
  presence: Record<string, PresenceUser[]>;
  send: (message: Record<string, unknown>) => void;
}

const LiveContext = createContext<Live>({ connected: false, presence: {}, send: () => {} });

function socketUrl(token: string): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/api/v1/ws?token=${encodeURIComponent(token)}`;
}

/** What a pushed event invalidates: the queue always, the ticket when named. */
export function ticketOfEvent(data: unknown): string | null {
  if (!data || typeof data !== 'object') return null;
  const record = data as { ticket?: unknown };
  if (typeof record.ticket === 'string') return record.ticket;
  if (record.ticket && typeof record.ticket === 'object') {
    const key = (record.ticket as { key?: unknown }).key;
    if (typeof key === 'string') return key;
  }
  return null;
}

export function LiveProvider({ children, enabled }: { children: ReactNode; enabled: boolean }) {
  const queryClient = useQueryClient();
  const [connected, setConnected] = useState(false);
  const [presence, setPresence] = useState<Record<string, PresenceUser[]>>({});
  const socketRef = useRef<WebSocket | null>(null);

  useEffect(() => {
    if (!enabled || typeof WebSocket === 'undefined') return;
    let stopped = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;

    const connect = () => {
      const token = getToken();
      if (!token || stopped) return;
      const socket = new WebSocket(socketUrl(token));
      socketRef.current = socket;
      socket.onopen = () => {
        failures = 0;
        setConnected(true);
      };
      socket.onmessage = (message) => {
        let event: { type?: string; data?: unknown; ticket?: string; users?: PresenceUser[] };
        try {
          event = JSON.parse(String(message.data));
        } catch {
          return;
        }
        if (event.type === 'presence' && event.ticket) {
          setPresence((prev) => ({ ...prev, [event.ticket!.toUpperCase()]: event.users ?? [] }));
          return;
        }
        if (event.type?.startsWith('ticket.')) {
          void queryClient.invalidateQueries({ queryKey: ['tickets'] });
          void queryClient.invalidateQueries({ queryKey: ['stats'] });
          const key = ticketOfEvent(event.data);
          if (key) void queryClient.invalidateQueries({ queryKey: ['ticket', key.toUpperCase()] });
        }
      };
      socket.onclose = () => {
        setConnected(false);
        socketRef.current = null;
        if (stopped) return;
        failures += 1;
        // Not there (404 on servers without live updates) or dropped: back off, poll meanwhile.
        retry = setTimeout(connect, Math.min(60_000, 2_000 * 2 ** Math.min(failures, 5)));
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      socketRef.current?.close();
    };
  }, [enabled, queryClient]);

  const send = useCallback((message: Record<string, unknown>) => {
    const socket = socketRef.current;
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }, []);

  const value = useMemo(() => ({ connected, presence, send }), [connected, presence, send]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLive(): Live {
  return useContext(LiveContext);
}

/** Poll only while the socket is not delivering changes. */
export function useLivePollInterval(): number | false {
  return useLive().connected ? false : POLL_INTERVAL_MS;
}

/** Announce that this agent views (or types on) a ticket; returns the other agents there. */
export function usePresence(ticketKey: string, myId: string | null, typing: boolean): PresenceUser[] {
  const { connected, presence, send } = useLive();
  useEffect(() => {
    if (!connected) return;
    send({ type: 'viewing', ticket: ticketKey, typing });
    const timer = setInterval(() => send({ type: 'viewing', ticket: ticketKey, typing }), 20_000);
    return () => clearInterval(timer);
  }, [connected, send, ticketKey, typing]);
  return (presence[ticketKey.toUpperCase()] ?? []).filter((u) => u.id !== myId);
}
