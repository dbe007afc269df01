// Find a macro (`#name` in the composer, or the Macros button), preview it for this ticket,
// then put its reply in the composer: the reply can still be edited, and sending applies the
// macro (reply and ticket changes in one transaction).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { Link } from 'react-router-dom';
import { ApiError, errorMessage, type Ticket } from '../../api/client';
import { describeFieldChanges } from '../../api/conflicts';
import { TicketConflict, useStatuses } from '../../api/queries';
import { Spinner } from '../../components/ui';
import { applyMacro, describeChanges, previewMacro, rankMacros, searchMacros, type Macro, type Visibility } from './macros';

export type AppliedMacro = { id: string; name: string; body: string; visibility: Visibility | null; summary: string; actions: Macro['actions'] };
export type MacroPickerHandle = { key: (event: { key: string; preventDefault: () => void }) => boolean };

/** Whether this server has macros at all (an older one answers 404 for the route). */
export function useMacrosAvailable(): boolean {
  const probe = useQuery({
    queryKey: ['macros', 'probe'],
    queryFn: () => searchMacros('', 1),
    staleTime: 5 * 60_000,
    retry: false,
  });
  return probe.isSuccess || (probe.isError && !(probe.error instanceof ApiError && probe.error.status === 404));
}

export function MacroPicker({
  ticket,
  query,
  onQuery,
  typedInComposer,
  onPick,
  onApplied,
  onClose,
  ref,
}: {
  ticket: Ticket;
  query: string;
  onQuery: (query: string) => void;
  typedInComposer: boolean;
  onPick: (macro: AppliedMacro) => void;
  onApplied: (message: string) => void;
  onClose: () => void;
  ref?: Ref<MacroPickerHandle>;
}) {
  const queryClient = useQueryClient();
  const statuses = useStatuses();
  const statusLabels = Object.fromEntries((statuses.data ?? []).map((s) => [s.name, s.label]));
  // the highlighted row, for the query it was picked in (a new query starts at the top)
  const [highlight, setHighlight] = useState({ query, index: 0 });
  const active = highlight.query === query ? highlight.index : 0;
  const setActive = (next: (index: number) => number) => setHighlight({ query, index: next(active) });
  const [chosen, setChosen] = useState<Macro | null>(null);
  const list = useQuery({ queryKey: ['macros', 'search', query], queryFn: () => searchMacros(query), staleTime: 30_000 });
  const macros = rankMacros(list.data?.items ?? [], query).slice(0, 8);
  const preview = useQuery({
    queryKey: ['macro-preview', ticket.key, ticket.version, chosen?.id],
    queryFn: () => previewMacro(ticket, chosen!.id),
    enabled: !!chosen,
    retry: false,
  });
  const applyNow = useMutation({
    mutationFn: () => applyMacro(ticket, chosen!, {}),
    onError: (error) => {
      // the latest version is shown (and previewed again) with what someone else changed
      if (error instanceof TicketConflict) queryClient.setQueryData(['ticket', error.current.key], error.current);
    },
    onSuccess: (result) => {
      queryClient.setQueryData(['ticket', result.ticket.key], result.ticket);
      for (const name of ['comments', 'activity', 'tickets']) void queryClient.invalidateQueries({ queryKey: name === 'tickets' ? [name] : [name, ticket.key] });
      onApplied(`Macro “${result.macro.name}” applied.`);
    },
  });

  const choose = () => {
    const data = preview.data;
    if (!chosen || !data) return;
    if (!data.comment) return applyNow.mutate();
    onPick({
      id: chosen.id,
      name: chosen.name,
      body: data.comment.body,
      visibility: data.comment.visibility,
      summary: describeChanges(data.changes, statusLabels).join('; '),
      actions: chosen.actions,
    });
  };

  const chooseButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (preview.data && !typedInComposer) chooseButton.current?.focus();
  }, [preview.data, typedInComposer]);

  const handleKey: MacroPickerHandle['key'] = (event) => {
      if (chosen) {
        if (event.key === 'Enter' && preview.data) choose();
        else if (event.key === 'Escape') setChosen(null);
        else return false;
      } else if (event.key === 'ArrowDown' && macros.length) setActive((a) => (a + 1) % macros.length);
      else if (event.key === 'ArrowUp' && macros.length) setActive((a) => (a - 1 + macros.length) % macros.length);
      else if ((event.key === 'Enter' || event.key === 'Tab') && macros[active]) setChosen(macros[active]);
      else if (event.key === 'Escape') onClose();
      else return false;
      event.preventDefault();
      return true;
  };
  useImperativeHandle(ref, () => ({ key: handleKey }));

  return (
    <section
      className="macro-picker"
      aria-label="Macros"
      onKeyDown={(e) => {
        // keys typed in the picker stay in it (the page's shortcuts and the composer's Esc)
        if (e.target instanceof HTMLTextAreaElement) return;
        e.stopPropagation();
        if (e.key === 'Escape') {
          e.preventDefault();
          if (chosen) setChosen(null);
          else onClose();
        }
      }}
    >
      {!typedInComposer && !chosen && (
        <input
          className="macro-search"
          aria-label="Search macros"
          placeholder="Search macros…"
          autoFocus
          value={query}
          onChange={(e) => onQuery(e.target.value)}
          onKeyDown={(e) => {
            e.stopPropagation();
            handleKey(e);
          }}
        />
      )}
      {!chosen ? (
        list.isPending ? (
          <Spinner label="Finding macros…" />
        ) : list.isError ? (
          <p className="form-error">{errorMessage(list.error)}</p>
        ) : macros.length === 0 ? (
          <p className="muted macro-empty">
            {query ? `No macro matches “${query}”.` : 'No macros yet.'}{' '}
            <Link to="/macros" className="text-links-inline">
              Write one in My macros
            </Link>
          </p>
        ) : (
          <ul className="macro-list" role="listbox" aria-label="Matching macros">
            {macros.map((m, index) => (
              <li
                key={m.id}
                role="option"
                aria-selected={index === active}
                className={index === active ? 'active' : ''}
                onMouseDown={(e) => {
                  e.preventDefault();
                  setChosen(m);
                }}
              >
                <strong>{m.name}</strong>
                <span className="muted macro-meta">
                  {m.visibility === 'internal' ? 'note' : 'reply'}
                  {m.actions.length > 0 && ` · ${m.actions.length} change${m.actions.length === 1 ? '' : 's'}`}
                  {m.shared ? ' · shared' : ' · mine'}
                </span>
              </li>
            ))}
          </ul>
        )
      ) : (
        <div className="macro-preview" aria-label={`Preview of ${chosen.name}`} role="group">
          <div className="macro-preview-head">
            <strong>{chosen.name}</strong>
            <span className="muted">preview for {ticket.key}</span>
          </div>
          {preview.isPending && <Spinner label="Rendering…" />}
          {preview.isError && <p className="form-error">{errorMessage(preview.error)}</p>}
          {preview.data && (
            <>
              {preview.data.comment ? (
                <div className={preview.data.comment.visibility === 'internal' ? 'macro-reply internal' : 'macro-reply'}>
                  <span className={preview.data.comment.visibility === 'internal' ? 'tag tag-note' : 'tag tag-reply'}>
                    {preview.data.comment.visibility === 'internal' ? 'Internal note' : 'Public reply'}
                  </span>
                  {/* rendered from Markdown and sanitized by the server */}
                  <div className="comment-body" dangerouslySetInnerHTML={{ __html: preview.data.comment.body_html }} />
                </div>
              ) : (
                <p className="muted">This macro has no reply; it only changes the ticket.</p>
              )}
              {Object.keys(preview.data.changes).length > 0 ? (
                <ul className="macro-changes" aria-label="Changes">
                  {describeChanges(preview.data.changes, statusLabels).map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
              ) : (
                <p className="muted small">No ticket fields change.</p>
              )}
            </>
          )}
          {applyNow.isError && (
            <p className="form-error" role="alert">
              {applyNow.error instanceof TicketConflict
                ? `Someone else changed this ticket (${describeFieldChanges(applyNow.error.changed, statusLabels).join('; ') || 'it moved again'}): the macro was not applied. The preview is for the latest version; apply again if it still fits.`
                : errorMessage(applyNow.error)}
            </p>
          )}
          <div className="macro-actions">
            <button type="button" className="btn btn-primary btn-small" disabled={!preview.data || applyNow.isPending} onClick={choose} ref={chooseButton}>
              {preview.data && !preview.data.comment ? (applyNow.isPending ? 'Applying…' : 'Apply changes') : 'Use this reply'}
            </button>
            <button type="button" className="btn btn-small" onClick={() => setChosen(null)}>
              Back
            </button>
            <span className="muted small">
              <kbd>Enter</kbd> use · <kbd>Esc</kbd> back
            </span>
          </div>
        </div>
      )}
      <button type="button" className="btn-link macro-close" aria-label="Close macros" onClick={onClose}>
        ×
      </button>
    </section>
  );
}
