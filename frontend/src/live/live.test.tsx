import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen } from '@testing-library/react';
import { setToken } from '../api/client';
import { LiveProvider, reconnectDelay, useLivePollInterval, usePresence, POLL_INTERVAL_MS } from './live';

// A stand-in for the browser's WebSocket: records what the app sends, lets the test push.
class FakeSocket {
  static instances: FakeSocket[] = [];
  static OPEN = 1;
  readyState = 0;
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(public url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
    // the server answers the client's first ping once the socket is subscribed
    if (this.sent.some((m) => (m as { type?: string }).type === 'ping')) this.push({ type: 'pong' });
  }
  openWithoutReply() {
    this.readyState = 1;
    this.onopen?.();
  }
  push(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

function Probe({ typing = false }: { typing?: boolean }) {
  const others = usePresence('TKT-42', 'me', typing);
  const poll = useLivePollInterval();
  return (
    <div>
      <span data-testid="poll">{String(poll)}</span>
      <span data-testid="others">{others.map((u) => `${u.name}${u.typing ? ' typing' : ''}`).join(',')}</span>
    </div>
  );
}

describe('live updates', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
    vi.stubGlobal('WebSocket', FakeSocket);
    setToken('session-token');
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    setToken(null);
  });

  it('polls until the socket opens, then announces viewing, shows presence and invalidates on events', async () => {
    const client = new QueryClient();
    const invalidate = vi.spyOn(client, 'invalidateQueries');
    render(
      <QueryClientProvider client={client}>
        <LiveProvider enabled>
          <Probe />
        </LiveProvider>
      </QueryClientProvider>,
    );
    expect(screen.getByTestId('poll')).toHaveTextContent(String(POLL_INTERVAL_MS));
    const socket = FakeSocket.instances[0]!;
    expect(socket.url).toMatch(/\/api\/v1\/ws\?token=session-token$/);

    act(() => socket.open());
    expect(screen.getByTestId('poll')).toHaveTextContent('false');
    expect(socket.sent).toContainEqual({ type: 'viewing', ticket: 'TKT-42' });

    act(() => socket.push({ type: 'presence', ticket: 'TKT-42', users: [{ id: 'me', name: 'Me', kind: 'user' }, { id: 'u2', name: 'Grace', kind: 'user' }] }));
    expect(screen.getByTestId('others')).toHaveTextContent('Grace');
    expect(screen.getByTestId('others')).not.toHaveTextContent('Me');

    act(() => socket.push({ type: 'typing', ticket: 'tkt-42', user: { id: 'u2', name: 'Grace', kind: 'user' } }));
    expect(screen.getByTestId('others')).toHaveTextContent('Grace typing');

    act(() => socket.push({ type: 'ticket.status_changed', data: { ticket: 'TKT-42', from: 'open', to: 'waiting' } }));
    expect(invalidate).toHaveBeenCalledWith({ queryKey: ['tickets'] });
    expect(invalidate).toHaveBeenCalledWith({ queryKey: ['ticket', 'TKT-42'] });
    act(() => socket.push({ type: 'comment.created', data: { ticket: 'TKT-42' } }));
    expect(invalidate).toHaveBeenCalledWith({ queryKey: ['comments', 'TKT-42'] });

    act(() => socket.onclose?.());
    expect(screen.getByTestId('poll')).toHaveTextContent(String(POLL_INTERVAL_MS));
  });

  it('sends typing while the agent types, and leaves on unmount', () => {
    const client = new QueryClient();
    const tree = (shown: boolean) => (
      <QueryClientProvider client={client}>
        <LiveProvider enabled>{shown && <Probe typing />}</LiveProvider>
      </QueryClientProvider>
    );
    const view = render(tree(true));
    const socket = FakeSocket.instances[0]!;
    act(() => socket.open());
    expect(socket.sent).toContainEqual({ type: 'typing', ticket: 'TKT-42' });
    view.rerender(tree(false));
    expect(socket.sent).toContainEqual({ type: 'leave' });
  });

  it('keeps polling until the server confirms the subscription (first pong)', () => {
    const client = new QueryClient();
    render(
      <QueryClientProvider client={client}>
        <LiveProvider enabled>
          <Probe />
        </LiveProvider>
      </QueryClientProvider>,
    );
    const socket = FakeSocket.instances[0]!;
    act(() => socket.openWithoutReply());
    expect(socket.sent).toContainEqual({ type: 'ping' });
    expect(screen.getByTestId('poll')).toHaveTextContent(String(POLL_INTERVAL_MS));
    act(() => socket.push({ type: 'pong' }));
    expect(screen.getByTestId('poll')).toHaveTextContent('false');
  });

  it('reconnects quickly when too slow, never on a bad token', () => {
    expect(reconnectDelay(4401, 1)).toBeNull();
    expect(reconnectDelay(4403, 1)).toBeNull();
    expect(reconnectDelay(1013, 3)).toBeLessThan(1000);
    expect(reconnectDelay(1006, 1)).toBe(2000);
    expect(reconnectDelay(1006, 20)).toBe(60_000);
  });
});
