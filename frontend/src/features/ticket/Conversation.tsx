// The centre of the ticket: description, chat transcript, replies and internal notes in time.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, errorMessage, unwrap, type Comment, type Ticket } from '../../api/client';
import { useUsers } from '../../api/queries';
import { useMe } from '../../auth/session';
import { EmptyState, ErrorState, Spinner } from '../../components/ui';
import { useLivePollInterval } from '../../live/live';
import { absolute, relative, titleCase } from '../../lib/format';
import { AttachmentList } from './Attachments';
import { decorateMentions } from './mentions';
import { buildTimeline, type ChatMessage, type TimelineItem } from './timeline';

const NOBODY: { name: string; email: string }[] = [];

export function useTranscript(ticket: Ticket) {
  const poll = useLivePollInterval();
  return useQuery({
    queryKey: ['transcript', ticket.key],
    queryFn: () => unwrap(api.GET('/api/v1/tickets/{ticket}/transcript', { params: { path: { ticket: ticket.key } } })),
    enabled: !!ticket.conversation_id,
    refetchInterval: poll,
    retry: false,
  });
}

export function Conversation({ ticket }: { ticket: Ticket }) {
  const me = useMe();
  const poll = useLivePollInterval();
  const users = useUsers();
  const comments = useQuery({
    queryKey: ['comments', ticket.key],
    queryFn: () => unwrap(api.GET('/api/v1/tickets/{ticket}/comments', { params: { path: { ticket: ticket.key } } })),
    refetchInterval: poll,
  });
  const transcript = useTranscript(ticket);
  const [splitting, setSplitting] = useState<Set<string> | null>(null);
  const items = useMemo(
    () => buildTimeline({ ticket, comments: comments.data ?? [], messages: transcript.data?.messages }),
    [ticket, comments.data, transcript.data],
  );
  const visitorName = transcript.data?.visitor.name ?? ticket.requester?.name ?? null;
  const people = users.data ?? NOBODY;

  // a chat ticket waits for its transcript too, so its messages do not pop in above the rest
  if (comments.isPending || (!!ticket.conversation_id && transcript.isPending)) return <Spinner label="Loading the conversation…" />;
  if (comments.isError) return <ErrorState error={comments.error} retry={() => void comments.refetch()} />;
  return (
    <div className="conversation">
      {me.canWrite && comments.data.length > 0 && !splitting && (
        <div className="conversation-tools">
          <button type="button" className="btn btn-small" onClick={() => setSplitting(new Set())}>
            Split…
          </button>
        </div>
      )}
      {splitting && <SplitBar ticket={ticket} selected={splitting} onDone={() => setSplitting(null)} />}
      {transcript.isError && <p className="muted small">The chat transcript could not be loaded: {errorMessage(transcript.error)}</p>}
      {transcript.data && !transcript.data.conversation_exists && (
        <p className="muted small">The chat itself was deleted; its messages below are the copy kept with the ticket.</p>
      )}
      {items.length === 0 ? (
        <EmptyState title="Nothing written yet.">Reply to the requester or leave an internal note for your team below.</EmptyState>
      ) : (
        <ol className="thread" aria-label="Conversation">
          {items.map((item) => (
            <ThreadItem
              key={item.id}
              item={item}
              ticket={ticket}
              visitorName={visitorName}
              people={people}
              splitting={splitting}
              onToggleSplit={(id) => {
                const next = new Set(splitting);
                if (next.has(id)) next.delete(id);
                else next.add(id);
                setSplitting(next);
              }}
            />
          ))}
        </ol>
      )}
    </div>
  );
}

function When({ at }: { at: string }) {
  return (
    <time dateTime={at} className="muted thread-time" title={absolute(at)}>
      {absolute(at)} · {relative(at)}
    </time>
  );
}

function ThreadItem({
  item,
  ticket,
  visitorName,
  people,
  splitting,
  onToggleSplit,
}: {
  item: TimelineItem;
  ticket: Ticket;
  visitorName: string | null;
  people: { name: string; email: string }[];
  splitting: Set<string> | null;
  onToggleSplit: (id: string) => void;
}) {
  if (item.kind === 'description') {
    return (
      <li className="thread-item description-item">
        <div className="thread-meta">
          <strong>{ticket.requester?.name ?? ticket.requester?.email ?? 'Requester'}</strong>
          <span className="tag">opened via {ticket.channel}</span>
          <When at={item.at} />
        </div>
        <div className="prewrap thread-body">{item.text}</div>
      </li>
    );
  }
  if (item.kind === 'chat') return <ChatItem message={item.message} visitorName={visitorName} />;
  return <CommentItem comment={item.comment} people={people} splitting={splitting} onToggleSplit={onToggleSplit} />;
}

function ChatItem({ message, visitorName }: { message: ChatMessage; visitorName: string | null }) {
  const who = message.author_name ?? (message.author === 'visitor' ? (visitorName ?? 'Visitor') : titleCase(message.author));
  return (
    <li className={`thread-item chat-msg chat-${message.author}`}>
      <div className="thread-meta chat-meta">
        <strong>{who}</strong>
        <span className="tag tag-chat">{message.author === 'ai' ? 'chat · assistant' : message.author === 'agent' ? 'chat · agent' : 'chat'}</span>
        <When at={message.sent_at} />
      </div>
      <div className="chat-body">{message.body}</div>
    </li>
  );
}

function CommentItem({
  comment,
  people,
  splitting,
  onToggleSplit,
}: {
  comment: Comment;
  people: { name: string; email: string }[];
  splitting: Set<string> | null;
  onToggleSplit: (id: string) => void;
}) {
  const note = comment.visibility === 'internal';
  const fromCustomer = comment.author.kind === 'contact';
  // body_html is rendered from Markdown and sanitized by the server (never the raw body)
  const html = useMemo(() => decorateMentions(comment.body_html, people), [comment.body_html, people]);
  return (
    <li className={`thread-item comment ${note ? 'internal' : 'public'}${fromCustomer ? ' from-customer' : ''}`}>
      <div className="thread-meta comment-meta">
        {splitting && (
          <input type="checkbox" aria-label={`Move comment from ${absolute(comment.created_at)}`} checked={splitting.has(comment.id)} onChange={() => onToggleSplit(comment.id)} />
        )}
        <strong>{comment.author.name ?? titleCase(comment.author.kind)}</strong>
        <span className={note ? 'tag tag-note' : fromCustomer ? 'tag tag-customer' : 'tag tag-reply'}>
          {note ? 'Internal note' : fromCustomer ? 'Customer' : 'Public reply'}
        </span>
        <When at={comment.created_at} />
      </div>
      <div className="comment-body thread-body" dangerouslySetInnerHTML={{ __html: html }} />
      <AttachmentList items={comment.attachments} />
    </li>
  );
}

function SplitBar({ ticket, selected, onDone }: { ticket: Ticket; selected: Set<string>; onDone: () => void }) {
  const [subject, setSubject] = useState(`Split from ${ticket.key}: ${ticket.subject}`.slice(0, 500));
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const split = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/tickets/{ticket}/split', {
          params: { path: { ticket: ticket.key } },
          body: { comment_ids: [...selected], subject: subject.trim() },
        }),
      ),
    onSuccess: (created) => {
      void queryClient.invalidateQueries({ queryKey: ['tickets'] });
      void queryClient.invalidateQueries({ queryKey: ['comments', ticket.key] });
      void queryClient.invalidateQueries({ queryKey: ['links', ticket.key] });
      onDone();
      void navigate(`/tickets/${created.key}`);
    },
  });
  return (
    <form
      className="inline-dialog"
      aria-label="Split ticket"
      onSubmit={(e) => {
        e.preventDefault();
        if (selected.size && subject.trim()) split.mutate();
      }}
    >
      <span>
        <strong>{selected.size}</strong> comment{selected.size === 1 ? '' : 's'} selected — they move to a new ticket linked to this one.
      </span>
      <label>
        New subject
        <input value={subject} maxLength={500} className="split-subject" onChange={(e) => setSubject(e.target.value)} />
      </label>
      <button type="submit" className="btn btn-primary btn-small" disabled={!selected.size || !subject.trim() || split.isPending}>
        {split.isPending ? 'Splitting…' : 'Split into new ticket'}
      </button>
      <button type="button" className="btn-link" onClick={onDone}>
        Cancel
      </button>
      {split.isError && (
        <p className="form-error" role="alert">
          {errorMessage(split.error)}
        </p>
      )}
    </form>
  );
}
