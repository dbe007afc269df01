// The chat a ticket came from: `GET /tickets/{t}/transcript` (messages and visitor info).
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Ticket } from '../../api/client';
import { ErrorState, Spinner } from '../../components/ui';
import { absolute } from '../../lib/format';

export function ConversationTab({ ticket }: { ticket: Ticket }) {
  const transcript = useQuery({
    queryKey: ['transcript', ticket.key],
    queryFn: () => unwrap(api.GET('/api/v1/tickets/{ticket}/transcript', { params: { path: { ticket: ticket.key } } })),
    enabled: !!ticket.conversation_id,
  });
  if (!ticket.conversation_id) {
    return (
      <div className="empty-state">
        <strong>This ticket did not come from a chat.</strong>
        <div className="muted">It arrived by {ticket.channel}. The customer’s words are in the description and the Comments tab.</div>
      </div>
    );
  }
  if (transcript.isPending) return <Spinner />;
  if (transcript.isError) return <ErrorState error={transcript.error} retry={() => void transcript.refetch()} />;
  const { messages, visitor, conversation_exists } = transcript.data;
  const visitorFacts = [
    ['Name', visitor.name],
    ['Email', visitor.email],
    ['Country', visitor.country],
    ['Device', visitor.device],
    ['Page', visitor.page_url],
  ].filter(([, v]) => v) as [string, string][];
  return (
    <div className="details">
      <div className="transcript" aria-label="Chat transcript">
        {!conversation_exists && <p className="muted">The conversation itself was deleted; this is the copy kept with the ticket.</p>}
        {messages.length === 0 && <p className="muted">No messages.</p>}
        {messages.map((m) => (
          <div key={m.id} className={`chat-msg chat-${m.author}`}>
            <div className="chat-meta">
              <strong>{m.author_name ?? (m.author === 'visitor' ? visitor.name ?? 'Visitor' : m.author)}</strong>{' '}
              <span className="muted">{absolute(m.sent_at)}</span>
            </div>
            <div className="chat-body">{m.body}</div>
          </div>
        ))}
      </div>
      <aside className="details-side">
        <section className="card" aria-label="Visitor">
          <h2>Visitor</h2>
          {visitorFacts.length === 0 ? (
            <p className="muted">Nothing known.</p>
          ) : (
            <dl className="meta">
              {visitorFacts.map(([k, v]) => (
                <div key={k} style={{ display: 'contents' }}>
                  <dt>{k}</dt>
                  <dd style={{ overflowWrap: 'anywhere' }}>{v}</dd>
                </div>
              ))}
            </dl>
          )}
        </section>
      </aside>
    </div>
  );
}
