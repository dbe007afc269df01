// The composer at the bottom of the conversation: reply or internal note, Markdown shortcuts,
// files, @mentions shown as name chips, macros, and "send and set status" in one action.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useImperativeHandle, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent, type Ref } from 'react';
import { uploadAttachment } from '../../api/attachments';
import { api, errorMessage, unwrap, type Status, type Ticket, type User } from '../../api/client';
import { describeFieldChanges } from '../../api/conflicts';
import { patchTicket, TicketConflict, useUsers } from '../../api/queries';
import { mentionCandidates, mentionQuery } from '../../lib/mentions';
import { describeDelivery, useEmailConfigured, useTicketEmails } from './delivery';
import { clearDraft, loadDraft, saveDraft } from './drafts';
import { applyMacro } from './macros';
import { MacroPicker, useMacrosAvailable, type AppliedMacro, type MacroPickerHandle } from './MacroPicker';
import { applyFormat, continueList, formatForKey, type Format } from './markdown';
import { insertNameMention, mentionedUsers, removeMention } from './mentions';
import { MenuButton, type MenuItem } from './Menu';

export type Mode = 'public' | 'internal';
export type ComposerHandle = {
  focus: (mode?: Mode) => void;
  /** Put `text` into the reply (a suggested reply, a draft): at the caret, or as the whole text when empty. */
  insert: (text: string) => void;
};

/** The body with `text` put in at `caret` (a paragraph of its own when there is text around it). */
export function insertText(body: string, text: string, caret: number): { text: string; caret: number } {
  if (!body.trim()) return { text, caret: text.length };
  const at = Math.min(Math.max(0, caret), body.length);
  const before = body.slice(0, at);
  const after = body.slice(at);
  const lead = before && !before.endsWith('\n\n') ? (before.endsWith('\n') ? '\n' : '\n\n') : '';
  const trail = after && !after.startsWith('\n') ? '\n\n' : '';
  const next = before + lead + text + trail + after;
  return { text: next, caret: before.length + lead.length + text.length };
}

type Sent = { mode: Mode; before: ReadonlySet<string>; status: string | null; statusError: string | null; macro: string | null; message?: string };

const FORMATS: { format: Format; label: string; text: string; keys?: string }[] = [
  { format: 'bold', label: 'Bold', text: 'B', keys: 'B' },
  { format: 'italic', label: 'Italic', text: 'I', keys: 'I' },
  { format: 'code', label: 'Code', text: '</>', keys: 'E' },
  { format: 'list', label: 'Bulleted list', text: '•' },
  { format: 'numbered', label: 'Numbered list', text: '1.' },
];

/** Statuses offered by "send and set": solved first, the ticket's own status left out. */
export function sendStatuses(statuses: Status[], current: string): Status[] {
  const order = { solved: 0, pending: 1, open: 2, closed: 3 } as Record<string, number>;
  return statuses
    .filter((s) => s.name !== current && (s as Status & { active?: boolean }).active !== false)
    .sort((a, b) => (order[a.category] ?? 9) - (order[b.category] ?? 9) || a.position - b.position);
}

export function Composer({
  ticket,
  statuses,
  onTyping,
  ref,
}: {
  ticket: Ticket;
  statuses: Status[];
  onTyping: (typing: boolean) => void;
  ref?: Ref<ComposerHandle>;
}) {
  const queryClient = useQueryClient();
  const users = useUsers();
  // a draft left on this ticket comes back (kept in localStorage until sent)
  const [draft] = useState(() => loadDraft(ticket.key));
  const [mode, setMode] = useState<Mode>(draft?.mode ?? 'public');
  const [body, setBody] = useState(draft?.body ?? '');
  const [mention, setMention] = useState<{ start: number; query: string } | null>(null);
  const [active, setActive] = useState(0);
  const [files, setFiles] = useState<File[]>([]);
  const [menuOpen, setMenuOpen] = useState(false);
  const [macroQuery, setMacroQuery] = useState<{ start: number; query: string; typed: boolean } | null>(null);
  const [macro, setMacro] = useState<AppliedMacro | null>(null);
  const [sent, setSent] = useState<Sent | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const picker = useRef<MacroPickerHandle>(null);
  const pendingSelection = useRef<[number, number] | null>(null);
  const note = mode === 'internal';
  const macrosAvailable = useMacrosAvailable();
  const picking = macrosAvailable ? macroQuery : null;
  const agents = (users.data ?? []).filter((u) => u.active && u.role !== 'viewer');
  const candidates: User[] = note && mention ? mentionCandidates(agents, mention.query) : [];
  const mentioned = note ? mentionedUsers(body, agents) : [];
  const emailConfigured = useEmailConfigured(ticket);
  const emails = useTicketEmails(ticket);
  const statusLabels = Object.fromEntries(statuses.map((s) => [s.name, s.label]));

  const edit = (text: string, start: number, end = start) => {
    pendingSelection.current = [start, end];
    setBody(text);
  };

  useImperativeHandle(ref, () => ({
    focus: (next?: Mode) => {
      if (next) setMode(next);
      area.current?.focus();
      area.current?.scrollIntoView({ block: 'nearest' });
    },
    insert: (text: string) => {
      setMode('public');
      if (sent) setSent(null);
      const next = insertText(body, text, area.current?.selectionEnd ?? body.length);
      edit(next.text, next.caret);
      area.current?.scrollIntoView?.({ block: 'nearest' });
    },
  }));

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

  // every change is kept at once (a small write), so leaving the ticket loses no keystroke
  useEffect(() => saveDraft(ticket.key, body, mode), [ticket.key, body, mode]);

  // Put the selection where an edit (mention, format, macro) left it, as the new text commits.
  useLayoutEffect(() => {
    const selection = pendingSelection.current;
    if (!selection || !area.current) return;
    pendingSelection.current = null;
    area.current.focus();
    area.current.setSelectionRange(selection[0], selection[1]);
  }, [body]);

  const send = useMutation({
    mutationFn: async ({ status }: { status: string | null }) => {
      const before = new Set((emails.data ?? []).map((e) => e.id));
      const visibility = mode;
      const applied = macro;
      let commentId: string | null;
      let latest: Ticket | null = null;
      if (applied) {
        // the macro's changes and this reply (as edited) in one transaction, against the
        // version of the ticket the agent is looking at
        try {
          // (re-applied once by itself if only fields the macro leaves alone moved)
          const result = await applyMacro(ticket, applied, { body, visibility });
          commentId = result.comment?.id ?? null;
          latest = result.ticket;
          queryClient.setQueryData(['ticket', result.ticket.key], result.ticket);
        } catch (error) {
          if (error instanceof TicketConflict) {
            queryClient.setQueryData(['ticket', error.current.key], error.current);
            const what = describeFieldChanges(error.changed, statusLabels).join('; ');
            throw new Error(
              `Someone else changed this ticket since you looked${what ? ` (${what})` : ''}: the macro was not applied and your reply is kept. Check the ticket, then send again.`,
              { cause: error },
            );
          }
          throw error;
        }
      } else {
        const comment = await unwrap(
          api.POST('/api/v1/tickets/{ticket}/comments', { params: { path: { ticket: ticket.key } }, body: { body, visibility } }),
        );
        commentId = comment.id;
      }
      // the comment exists even if a file or the status is refused: clear the text, say what failed
      setBody('');
      clearDraft(ticket.key);
      setMacro(null);
      for (const file of files) await uploadAttachment(ticket.key, file, commentId ?? undefined);
      setFiles([]);
      if (fileInput.current) fileInput.current.value = '';
      let statusError: string | null = null;
      if (status) {
        try {
          // the comment moved the ticket's version on (first response, SLA): patch the latest
          const fresh = latest ?? (await unwrap(api.GET('/api/v1/tickets/{ticket}', { params: { path: { ticket: ticket.key } } })));
          const updated = await patchTicket(fresh, { status });
          queryClient.setQueryData(['ticket', updated.key], updated);
        } catch (error) {
          statusError = errorMessage(error);
        }
      }
      return { mode: visibility, before, status, statusError, macro: applied?.name ?? null } satisfies Sent;
    },
    onSuccess: (result) => {
      setSent(result);
      if (result.mode === 'public') void queryClient.invalidateQueries({ queryKey: ['emails', ticket.key] });
    },
    onSettled: () => {
      for (const name of ['comments', 'attachments', 'ticket', 'activity', 'transcript']) void queryClient.invalidateQueries({ queryKey: [name, ticket.key] });
      void queryClient.invalidateQueries({ queryKey: ['tickets'] });
    },
  });

  const submit = (status: string | null = null) => {
    if (body.trim() && !send.isPending) send.mutate({ status });
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit();
  };

  const pick = (user: User) => {
    if (!mention) return;
    const next = insertNameMention(body, mention, user);
    setMention(null);
    edit(next.text, next.caret);
  };

  const format = (kind: Format) => {
    const el = area.current;
    const result = applyFormat(body, el?.selectionStart ?? body.length, el?.selectionEnd ?? body.length, kind);
    edit(result.text, result.start, result.end);
  };

  const insertMacro = (applied: AppliedMacro) => {
    // the macro's text replaces the `#query` typed to find it, or goes at the caret
    const el = area.current;
    const start = macroQuery ? macroQuery.start : (el?.selectionStart ?? body.length);
    const end = macroQuery?.typed ? macroQuery.start + 1 + macroQuery.query.length : start;
    const text = body.slice(0, start) + applied.body + body.slice(end);
    setMacroQuery(null);
    setMacro(applied);
    if (applied.visibility) setMode(applied.visibility);
    edit(text, start + applied.body.length);
  };

  const onChange = (value: string, caret: number) => {
    setBody(value);
    setMention(note ? mentionQuery(value, caret) : null);
    setActive(0);
    const hash = /(^|\s)#([\w-]{0,40})$/.exec(value.slice(0, caret));
    // kept even before the server has said it has macros: `#` typed while that answer is on its
    // way opens the picker as soon as it comes (the picker is shown only when it does)
    setMacroQuery(hash ? { start: caret - (hash[2] ?? '').length - 1, query: hash[2] ?? '', typed: true } : null);
    if (sent) setSent(null);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (picking && picker.current?.key(e)) return;
    if (candidates.length && mention) {
      if (e.key === 'ArrowDown') setActive((a) => (a + 1) % candidates.length);
      else if (e.key === 'ArrowUp') setActive((a) => (a - 1 + candidates.length) % candidates.length);
      else if (e.key === 'Enter' || e.key === 'Tab') pick(candidates[active]!);
      else if (e.key === 'Escape') setMention(null);
      else return;
      e.preventDefault();
      return;
    }
    const kind = formatForKey(e);
    if (kind) {
      e.preventDefault();
      format(kind);
    } else if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) {
      e.preventDefault();
      submit();
    } else if (e.key === 'Enter' && !e.shiftKey && !e.altKey) {
      const el = e.currentTarget;
      if (el.selectionStart !== el.selectionEnd) return;
      const next = continueList(body, el.selectionStart);
      if (next) {
        e.preventDefault();
        edit(next.text, next.start);
      }
    } else if (e.key === 'Escape') {
      e.preventDefault();
      if (picking) setMacroQuery(null);
      else e.currentTarget.blur();
    }
  };

  const statusItems: MenuItem[] = sendStatuses(statuses, ticket.status).map((s) => ({
    key: s.name,
    text: `${note ? 'Add and set' : 'Send as'} ${s.label}`,
    label: (
      <>
        {note ? 'Add note and set' : 'Send as'} <strong>{s.label}</strong>
      </>
    ),
    onSelect: () => submit(s.name),
    disabled: !body.trim(),
  }));

  const recipient = ticket.requester?.email ?? null;
  const hint = note
    ? 'Only agents see internal notes. Type @ to mention a teammate.'
    : recipient
      ? emailConfigured === false
        ? `Visible to ${recipient}${ticket.conversation_id ? ' in the chat' : ''} — email is not configured, so no email will be sent.`
        : emailConfigured
          ? `Emailed to ${recipient}${ticket.conversation_id ? ' and posted to the chat' : ''}.`
          : `Visible to ${recipient}${ticket.conversation_id ? ' in the chat' : ''}; emailed when email is set up.`
      : ticket.conversation_id
        ? 'Posted to the chat.'
        : 'This ticket has no requester email: the reply is kept on the ticket only.';
  const delivery =
    sent?.mode === 'public' ? describeDelivery({ before: sent.before, emails: emails.data ?? [], requesterEmail: recipient, chat: !!ticket.conversation_id, emailConfigured }) : null;
  const statusLabel = (name: string | null) => statuses.find((s) => s.name === name)?.label ?? name;

  return (
    <form
      className={note ? 'composer composer-note' : 'composer composer-reply'}
      aria-label="Composer"
      onSubmit={onSubmit}
      onDragOver={(e) => e.preventDefault()}
      onDrop={(e) => {
        if (!e.dataTransfer.files.length) return;
        e.preventDefault();
        setFiles((prev) => [...prev, ...e.dataTransfer.files]);
      }}
    >
      <div className="composer-top">
        <div className="composer-modes" role="radiogroup" aria-label="Comment type">
          <label className={!note ? 'mode active' : 'mode'} title="Reply (r)">
            <input type="radio" name={`visibility-${ticket.key}`} checked={!note} onChange={() => setMode('public')} />
            Reply to requester
          </label>
          <label className={note ? 'mode active mode-note' : 'mode mode-note'} title="Internal note (n)">
            <input type="radio" name={`visibility-${ticket.key}`} checked={note} onChange={() => setMode('internal')} />
            Internal note
          </label>
        </div>
        <div className="composer-toolbar" role="toolbar" aria-label="Formatting">
          {FORMATS.map((f) => (
            <button
              key={f.format}
              type="button"
              className={`tool tool-${f.format}`}
              title={f.keys ? `${f.label} (Ctrl+${f.keys})` : f.label}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => format(f.format)}
            >
              <span aria-hidden="true">{f.text}</span>
              <span className="sr-only">{f.label}</span>
            </button>
          ))}
          <label className="tool tool-attach" title="Attach files">
            <svg aria-hidden="true" width="15" height="15" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
              <path d="M21.4 11.1 12.2 20.3a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1-2.8-2.8l8.5-8.5" />
            </svg>
            <span className="sr-only">Attach files</span>
            <input
              ref={fileInput}
              type="file"
              multiple
              className="sr-only"
              aria-label="Attach files to this comment"
              onChange={(e) => setFiles((prev) => [...prev, ...(e.target.files ?? [])])}
            />
          </label>
          {macrosAvailable && (
            <button type="button" className="tool tool-macro" title="Insert a macro (type #)" onClick={() => setMacroQuery(macroQuery ? null : { start: area.current?.selectionStart ?? body.length, query: '', typed: false })}>
              # Macros
            </button>
          )}
        </div>
      </div>
      <p className="composer-hint">{hint}</p>
      <label className="sr-only" htmlFor={`composer-${ticket.key}`}>
        {note ? 'Note text' : 'Reply text'}
      </label>
      <textarea
        id={`composer-${ticket.key}`}
        ref={area}
        rows={4}
        value={body}
        maxLength={65536}
        placeholder={note ? 'Write an internal note…' : 'Write your reply to the requester…'}
        onChange={(e) => onChange(e.target.value, e.target.selectionStart)}
        onKeyDown={onKeyDown}
      />
      {mention && candidates.length > 0 && (
        <ul className="mention-picker" role="listbox" aria-label="Mention a teammate">
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
      {picking && (
        <MacroPicker
          ref={picker}
          ticket={ticket}
          query={picking.query}
          onQuery={(query) => setMacroQuery({ ...picking, query })}
          typedInComposer={picking.typed}
          onPick={insertMacro}
          onApplied={(message) => {
            setMacroQuery(null);
            setSent({ mode, before: new Set(), status: null, statusError: null, macro: null, message });
          }}
          onClose={() => {
            setMacroQuery(null);
            area.current?.focus();
          }}
        />
      )}
      {(mentioned.length > 0 || files.length > 0 || macro) && (
        <div className="composer-chips">
          {mentioned.length > 0 && (
            <span className="chip-group" role="group" aria-label="Mentioned">
              <span className="muted">Notifies</span>
              {mentioned.map((u) => (
                <span key={u.id} className="chip mention-chip" title={u.email}>
                  @{u.name}
                  <button type="button" className="chip-x" aria-label={`Remove mention of ${u.name}`} onClick={() => setBody(removeMention(body, u))}>
                    ×
                  </button>
                </span>
              ))}
            </span>
          )}
          {files.map((f, i) => (
            <span key={`${f.name}-${i}`} className="chip file-chip">
              {f.name}
              <button type="button" className="chip-x" aria-label={`Remove file ${f.name}`} onClick={() => setFiles(files.filter((_, j) => j !== i))}>
                ×
              </button>
            </span>
          ))}
          {macro && (
            <span className="chip macro-chip" title="The macro's changes are applied when you send">
              Macro: {macro.name}
              {macro.summary && <span className="muted"> · {macro.summary}</span>}
              <button type="button" className="chip-x" aria-label={`Drop the changes of macro ${macro.name}`} onClick={() => setMacro(null)}>
                ×
              </button>
            </span>
          )}
        </div>
      )}
      {send.isError && (
        <p className="form-error" role="alert">
          {errorMessage(send.error)}
        </p>
      )}
      <div className="composer-actions">
        <span className="composer-outcome" role="status">
          {sent?.message && !send.isPending && sent.message}
          {sent && !sent.message && !send.isPending && (
            <>
              <span className={delivery?.problem ? 'outcome-warn' : undefined}>
                {sent.mode === 'internal' ? 'Internal note added.' : delivery?.text}
              </span>
              {sent.status && !sent.statusError && <> Status set to {statusLabel(sent.status)}.</>}
              {sent.macro && <> Macro “{sent.macro}” applied.</>}
              {sent.statusError && <span className="outcome-warn"> The status was not changed: {sent.statusError}</span>}
            </>
          )}
        </span>
        <span className="muted composer-keys">
          <kbd>Ctrl</kbd>+<kbd>Enter</kbd> send · <kbd>Esc</kbd> leave
        </span>
        <div className="split-button">
          <button type="submit" className={note ? 'btn btn-note' : 'btn btn-primary'} disabled={!body.trim() || send.isPending}>
            {send.isPending ? 'Sending…' : note ? 'Add internal note' : 'Send reply'}
          </button>
          {statusItems.length > 0 && (
            <MenuButton
              open={menuOpen}
              onOpenChange={setMenuOpen}
              items={statusItems}
              menuLabel={note ? 'Add note and set status' : 'Send and set status'}
              buttonClassName={note ? 'btn btn-note split-toggle' : 'btn btn-primary split-toggle'}
              buttonContent={
                <>
                  <span aria-hidden="true">▾</span>
                  <span className="sr-only">{note ? 'Add note and set status' : 'Send and set status'}</span>
                </>
              }
              buttonTitle={note ? 'Add the note and set the status' : 'Send and set the status'}
              disabled={!body.trim() || send.isPending}
              align="end"
            />
          )}
        </div>
      </div>
    </form>
  );
}
