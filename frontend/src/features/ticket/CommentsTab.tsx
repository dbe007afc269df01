import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import { api, errorMessage, unwrap, type Ticket, type User } from '../../api/client';
import { useUsers } from '../../api/queries';
import { useNavigate } from 'react-router-dom';
import { useMe } from '../../auth/session';
import { EmptyState, ErrorState, Spinner } from '../../components/ui';
import { useLivePollInterval } from '../../live/live';
import { absolute } from '../../lib/format';
import { uploadAttachment } from '../../api/attachments';
import { AttachmentList } from './Attachments';
import { insertMention, mentionCandidates, mentionQuery } from '../../lib/mentions';

export function CommentsTab({ ticket, onTyping }: { ticket: Ticket; onTyping: (typing: boolean) => void }) {
  const me = useMe();
  const poll = useLivePollInterval();
  const comments = useQuery({
    queryKey: ['comments', ticket.key],
    queryFn: () => unwrap(api.GET('/api/v1/tickets/{ticket}/comments', { params: { path: { ticket: ticket.key } } })),
    refetchInterval: poll,
  });
  // Split: pick comments, name the new ticket, `POST /tickets/{t}/split`.
  const [splitting, setSplitting] = useState<Set<string> | null>(null);
  return (
    <div className="comments">
      {me.canWrite && (comments.data?.length ?? 0) > 0 && !splitting && (
        <div className="comments-tools">
          <button type="button" className="btn btn-small" onClick={() => setSplitting(new Set())}>
            Split…
          </button>
        </div>
      )}
      {splitting && <SplitBar ticket={ticket} selected={splitting} onDone={() => setSplitting(null)} />}
      {comments.isPending ? (
        <Spinner label="Loading comments…" />
      ) : comments.isError ? (
        <ErrorState error={comments.error} retry={() => void comments.refetch()} />
      ) : comments.data.length === 0 ? (
        <EmptyState title="No comments yet.">Reply to the requester or leave an internal note for your team below.</EmptyState>
      ) : (
        <ol className="comment-list">
          {comments.data.map((comment) => (
            <li key={comment.id} className={comment.visibility === 'internal' ? 'comment internal' : 'comment public'}>
              <div className="comment-meta">
                {splitting && (
                  <input
                    type="checkbox"
                    aria-label={`Move comment from ${absolute(comment.created_at)}`}
                    checked={splitting.has(comment.id)}
                    onChange={() => {
                      const next = new Set(splitting);
                      if (next.has(comment.id)) next.delete(comment.id);
                      else next.add(comment.id);
                      setSplitting(next);
                    }}
                  />
                )}
                <strong>{comment.author.name ?? comment.author.kind}</strong>
                <span className={comment.visibility === 'internal' ? 'tag tag-note' : 'tag tag-reply'}>
                  {comment.visibility === 'internal' ? 'Internal note' : 'Public reply'}
                </span>
                <time dateTime={comment.created_at} className="muted">
                  {absolute(comment.created_at)}
                </time>
              </div>
              {/* body_html is rendered from Markdown and sanitized by the server (never the raw body) */}
              <div className="comment-body" dangerouslySetInnerHTML={{ __html: comment.body_html }} />
              <AttachmentList items={comment.attachments} />
            </li>
          ))}
        </ol>
      )}
      {me.canWrite && <Composer ticket={ticket} onTyping={onTyping} />}
    </div>
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
        <input value={subject} maxLength={500} style={{ width: 320 }} onChange={(e) => setSubject(e.target.value)} />
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

function Composer({ ticket, onTyping }: { ticket: Ticket; onTyping: (typing: boolean) => void }) {
  const queryClient = useQueryClient();
  const users = useUsers();
  const [mode, setMode] = useState<'public' | 'internal'>('public');
  const [body, setBody] = useState('');
  const [mention, setMention] = useState<{ start: number; query: string } | null>(null);
  const [active, setActive] = useState(0);
  const area = useRef<HTMLTextAreaElement>(null);
  const pendingCaret = useRef<number | null>(null);
  const note = mode === 'internal';
  const candidates: User[] = mention ? mentionCandidates(users.data ?? [], mention.query) : [];

  // "typing" while keys are pressed, and for a few seconds after the last one
  const lastBody = useRef(body);
  useEffect(() => {
    if (body === lastBody.current) return;
    lastBody.current = body;
    if (!body) return onTyping(false);
    onTyping(true);
    const idle = setTimeout(() => onTyping(false), 4_000);
    return () => clearTimeout(idle);
  }, [body, onTyping]);
  useEffect(() => () => onTyping(false), [onTyping]);

  const [files, setFiles] = useState<File[]>([]);
  const fileInput = useRef<HTMLInputElement>(null);
  const send = useMutation({
    mutationFn: async () => {
      const comment = await unwrap(
        api.POST('/api/v1/tickets/{ticket}/comments', {
          params: { path: { ticket: ticket.key } },
          body: { body, visibility: mode },
        }),
      );
      // the comment exists even if a file is refused: clear the text, say which file failed
      setBody('');
      for (const file of files) await uploadAttachment(ticket.key, file, comment.id);
      return comment;
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ['comments', ticket.key] });
      void queryClient.invalidateQueries({ queryKey: ['attachments', ticket.key] });
    },
    onSuccess: () => {
      setFiles([]);
      if (fileInput.current) fileInput.current.value = '';
      void queryClient.invalidateQueries({ queryKey: ['comments', ticket.key] });
      void queryClient.invalidateQueries({ queryKey: ['ticket', ticket.key] });
      void queryClient.invalidateQueries({ queryKey: ['activity', ticket.key] });
    },
  });

  const pick = (user: User) => {
    if (!mention) return;
    const next = insertMention(body, mention, user);
    setBody(next.text);
    setMention(null);
    pendingCaret.current = next.caret;
  };
  // Place the caret after the inserted mention as the new text commits (not a frame later,
  // when the agent may already be typing again).
  useLayoutEffect(() => {
    const caret = pendingCaret.current;
    if (caret === null || !area.current) return;
    pendingCaret.current = null;
    area.current.focus();
    area.current.setSelectionRange(caret, caret);
  }, [body]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (body.trim()) send.mutate();
  };

  return (
    <form className={note ? 'composer composer-note' : 'composer composer-reply'} onSubmit={submit}>
      <div className="composer-modes" role="radiogroup" aria-label="Comment type">
        <label className={!note ? 'mode active' : 'mode'}>
          <input type="radio" name="visibility" checked={!note} onChange={() => setMode('public')} />
          Reply to requester
        </label>
        <label className={note ? 'mode active mode-note' : 'mode mode-note'}>
          <input type="radio" name="visibility" checked={note} onChange={() => setMode('internal')} />
          Internal note
        </label>
      </div>
      <p className="composer-hint">
        {note
          ? 'Only agents see internal notes. Type @ to mention a teammate.'
          : `Sent to ${ticket.requester?.email ?? 'the requester'}${ticket.conversation_id ? ' and the chat' : ''}.`}
      </p>
      <div className="composer-area">
        <label className="sr-only" htmlFor="comment-body">
          {note ? 'Internal note' : 'Reply'}
        </label>
        <textarea
          id="comment-body"
          ref={area}
          rows={4}
          value={body}
          maxLength={50000}
          placeholder={note ? 'Write an internal note…' : 'Write your reply to the requester…'}
          onChange={(e) => {
            setBody(e.target.value);
            setMention(mentionQuery(e.target.value, e.target.selectionStart));
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (candidates.length && mention) {
              if (e.key === 'ArrowDown') setActive((a) => (a + 1) % candidates.length);
              else if (e.key === 'ArrowUp') setActive((a) => (a - 1 + candidates.length) % candidates.length);
              else if (e.key === 'Enter' || e.key === 'Tab') pick(candidates[active]!);
              else if (e.key === 'Escape') setMention(null);
              else return;
              e.preventDefault();
            } else if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) submit(e);
          }}
        />
        {mention && candidates.length > 0 && (
          <ul className="mention-menu" role="listbox" aria-label="Mention a teammate">
            {candidates.map((user, index) => (
              <li
                key={user.id}
                role="option"
                aria-selected={index === active}
                className={index === active ? 'active' : ''}
                onMouseDown={(e) => {
                  e.preventDefault();
                  pick(user);
                }}
              >
                <strong>{user.name}</strong> <span className="muted">{user.email}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      {send.isError && (
        <p className="form-error" role="alert">
          {errorMessage(send.error)}
        </p>
      )}
      <div className="composer-actions">
        <label className="btn btn-small">
          Attach files
          <input
            ref={fileInput}
            type="file"
            multiple
            className="sr-only"
            aria-label="Attach files to this comment"
            onChange={(e) => setFiles([...(e.target.files ?? [])])}
          />
        </label>
        {files.length > 0 && <span className="muted composer-files">{files.map((f) => f.name).join(', ')}</span>}
        <button type="submit" className={note ? 'btn btn-note' : 'btn btn-primary'} disabled={!body.trim() || send.isPending}>
          {send.isPending ? 'Sending…' : note ? 'Add internal note' : 'Send reply'}
        </button>
      </div>
    </form>
  );
}
