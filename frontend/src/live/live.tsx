// Live updates over the WebSocket `/api/v1/ws?token=…` (protocol: src/ticketdesk/realtime/routes.py):
// the server pushes `{type: "<event type>", data: {ticket, …}}` for every committed change,
// `{type: "presence", ticket, users: [{id, name, kind}]}` and `{type: "typing", ticket, user}`;
// the client sends `{type: "viewing", ticket}`, `{type: "leave"}` and `{type: "typing", ticket}`.
// While the socket is down the queries poll (`useLivePollInterval()`).
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { getToken } from '../api/client';

export const POLL_INTERVAL_MS = 10_000;
/** How long a "typing" signal from someone else stays shown. */
export const TYPING_TTL_MS = 5_000;
/** How often this client repeats its own typing signal while typing. */
const TYPING_EVERY_MS = 2_000;

export interface PresenceUser {
  id: string;
  name: string;
  kind?: string;
  typing?: boolean;
}

/** A message from the server (see the protocol above). */
interface LiveMessage {
  type?: string;
  data?: unknown;
  ticket?: string;
  users?: PresenceUser[];
  user?: PresenceUser;
}

interface Live {
  connected: boolean;
  presence: Record<string, PresenceUser[]>;
  /** ticket → user id → until (ms epoch) */
  typing: Record<string, Record<string, number>>;
  send: (message: Record<string, unknown>) => void;
}

const LiveContext = createContext<Live>({ connected: false, presence: {}, typing: {}, send: () => {} });

function socketUrl(token: string): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/api/v1/ws?token=${encodeURIComponent(token)}`;
}

/** The ticket key an event names (`data.ticket` is the key; older shapes nest it). */
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

const CONTROL = new Set(['presence', 'typing', 'pong', 'error']);

/** Delay before reconnecting after `code`; null means do not (the token is no good). */
export function reconnectDelay(code: number, failures: number): number | null {
  if (code === 4401 || code === 4403) return null;
  if (code === 1013) return 500; // too slow: reconnect at once and refetch
  return Math.min(60_000, 1_000 * 2 ** Math.min(failures, 6));
}

export function LiveProvider({ children, enabled }: { children: ReactNode; enabled: boolean }) {
  const queryClient = useQueryClient();
  const [connected, setConnected] = useState(false);
  const [presence, setPresence] = useState<Record<string, PresenceUser[]>>({});
  const [typing, setTyping] = useState<Record<string, Record<string, number>>>({});
  const socketRef = useRef<WebSocket | null>(null);

  useEffect(() => {
    if (!enabled || typeof WebSocket === 'undefined') return;
    let stopped = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let opened = false;

    const connect = () => {
      const token = getToken();
      if (!token || stopped) return;
      const socket = new WebSocket(socketUrl(token));
      socketRef.current = socket;
      let ready = false;
      // The server subscribes the socket only after checking the token; it answers frames only
      // after that, so the first pong means "events flow from here on" (no gap before it).
      socket.onopen = () => socket.send(JSON.stringify({ type: 'ping' }));
      const onReady = () => {
        if (ready) return;
        ready = true;
        failures = 0;
        setConnected(true);
        // Changes may have been missed while disconnected (or before subscribing): refetch.
        if (opened) void queryClient.invalidateQueries();
        opened = true;
      };
      socket.onmessage = (message) => {
        let event: LiveMessage | null;
        try {
          event = JSON.parse(String(message.data)) as LiveMessage | null;
        } catch {
          return;
        }
        if (!event || typeof event.type !== 'string') return;
        if (event.type === 'pong') return onReady();
        if (event.type === 'presence' && event.ticket) {
          setPresence((prev) => ({ ...prev, [event.ticket!.toUpperCase()]: event.users ?? [] }));
          return;
        }
        if (event.type === 'typing' && event.ticket && event.user?.id) {
          const key = event.ticket.toUpperCase();
          const id = event.user.id;
          setTyping((prev) => ({ ...prev, [key]: { ...prev[key], [id]: Date.now() + TYPING_TTL_MS } }));
          return;
        }
        if (CONTROL.has(event.type)) return;
        void queryClient.invalidateQueries({ queryKey: ['tickets'] });
        void queryClient.invalidateQueries({ queryKey: ['stats'] });
        void queryClient.invalidateQueries({ queryKey: ['notifications'] });
        if (event.type.includes('approval')) void queryClient.invalidateQueries({ queryKey: ['approvals'] });
        const key = ticketOfEvent(event.data)?.toUpperCase();
        if (key) {
          for (const name of ['ticket', 'comments', 'activity', 'links', 'watchers', 'attachments', 'transcript', 'sla'])
            void queryClient.invalidateQueries({ queryKey: [name, key] });
        }
      };
      socket.onclose = (close?: { code?: number }) => {
        setConnected(false);
        setPresence({});
        socketRef.current = null;
        if (stopped) return;
        failures += 1;
        const delay = reconnectDelay(close?.code ?? 1006, failures);
        if (delay !== null) retry = setTimeout(connect, delay);
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

  const value = useMemo(() => ({ connected, presence, typing, send }), [connected, presence, typing, send]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLive(): Live {
  return useContext(LiveContext);
}

/** Poll only while the socket is not delivering changes. */
export function useLivePollInterval(): number | false {
  return useLive().connected ? false : POLL_INTERVAL_MS;
}

/**
 * Announce that this agent views a ticket (and, while `typing`, that they type on it);
 * returns the other people viewing it, flagged when they are typing.
 */
export function usePresence(ticketKey: string, myId: string | null, typing: boolean): PresenceUser[] {
  const live = useLive();
  const { connected, send } = live;
  useEffect(() => {
    if (!connected) return;
    send({ type: 'viewing', ticket: ticketKey });
    return () => send({ type: 'leave' });
  }, [connected, send, ticketKey]);
  useEffect(() => {
    if (!connected || !typing) return;
    send({ type: 'typing', ticket: ticketKey });
    const timer = setInterval(() => send({ type: 'typing', ticket: ticketKey }), TYPING_EVERY_MS);
    return () => clearInterval(timer);
  }, [connected, send, ticketKey, typing]);
  // re-render when someone's typing signal expires
  const [now, setNow] = useState(() => Date.now());
  const typers = live.typing[ticketKey.toUpperCase()] ?? {};
  const nextExpiry = Math.min(...Object.values(typers).filter((t) => t > now), Infinity);
  useEffect(() => {
    if (nextExpiry === Infinity) return;
    const timer = setTimeout(() => setNow(Date.now()), nextExpiry - Date.now() + 10);
    return () => clearTimeout(timer);
  }, [nextExpiry]);
  return (live.presence[ticketKey.toUpperCase()] ?? [])
    .filter((u) => u.id !== myId)
    .map((u) => ({ ...u, typing: (typers[u.id] ?? 0) > now }));
}
