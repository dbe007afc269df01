// Macros (canned replies): the workspace's shared ones (admins, /admin/macros) and every agent's
// own ("My macros", /macros). Each is a reply with placeholders and ticket changes picked from
// lists, previewed with a sample ticket as it is written; the server's 422 shows at its field.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { useMe } from '../../auth/session';
import { Collection, FormButtons, type CollectionCalls } from './Collection';
import { placeErrors } from './fieldErrors';
import { Field, FormErrors } from './form';
import {
  ASSIGN_ME,
  COMMON_PLACEHOLDERS,
  MACRO_ACTION_TYPES,
  MACRO_DEFAULTS,
  describeMacroActions,
  emptyMacro,
  insertPlaceholder,
  macroFromRead,
  macroProblems,
  macroToBody,
  renderPreview,
  sampleContext,
  type MacroForm,
  type MacroRead,
} from './macroForm';
import { usePickers } from './pickers';
import { ActionsEditor } from './RuleBuilder';
import { Page } from './shared';

export type MacroScope = 'mine' | 'shared';

/** Every macro the caller can see (shared and their own), all pages. */
async function allMacros(): Promise<MacroRead[]> {
  const out: MacroRead[] = [];
  let cursor: string | undefined;
  do {
    const page = await unwrap(api.GET('/api/v1/macros', { params: { query: { limit: 100, cursor } } }));
    out.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return out;
}

export function MacrosPage({ scope }: { scope: MacroScope }) {
  const me = useMe();
  const pickers = usePickers();
  const queryClient = useQueryClient();
  // the composer's macro searches (['macros', …]) see a change at once
  const refreshComposer = () => void queryClient.invalidateQueries({ queryKey: ['macros'] });
  const calls: CollectionCalls<MacroRead> = {
    list: async () => (await allMacros()).filter((m) => (scope === 'shared' ? m.shared : !m.shared && m.owner_id === me.userId)),
    update: (id, body) => unwrap(api.PATCH('/api/v1/macros/{macro_id}', { params: { path: { macro_id: id } }, body })),
    remove: async (id) => {
      await unwrap(api.DELETE('/api/v1/macros/{macro_id}', { params: { path: { macro_id: id } } }));
      refreshComposer();
    },
  };
  const shared = scope === 'shared';
  return (
    <Page
      title={shared ? 'Shared macros' : 'My macros'}
      intro={
        shared
          ? 'Canned replies and ticket changes every agent can use from the composer (type # or press Macros). Only admins change them.'
          : 'Your own canned replies and ticket changes: only you see them in the composer (type # or press Macros).'
      }
    >
      {!shared && me.isAdmin && (
        <p className="small text-links">
          <Link to="/admin/macros">Shared macros</Link> are managed under Admin.
        </p>
      )}
      {shared && (
        <p className="small text-links">
          <Link to="/macros">My macros</Link>: your personal ones.
        </p>
      )}
      <Collection
        queryKey={`macros-${scope}`}
        calls={calls}
        noun="macro"
        plural={shared ? 'shared macros' : 'macros of yours'}
        empty={shared ? 'Create one below: for example, a refund reply that also sets the status to Solved.' : 'Create one below: a reply you write often, with the changes that go with it.'}
        summary={(macro) => {
          const reply = macro.body ? `${macro.visibility === 'internal' ? 'Note' : 'Reply'}: “${firstLine(macro.body)}”` : 'No reply';
          const changes = macro.actions.length ? describeMacroActions(macro.actions, pickers.nameOf) : 'no ticket changes';
          return `${reply} · ${changes}`;
        }}
        renderForm={(macro, done) => (
          <MacroEditor
            macro={macro}
            scope={scope}
            done={() => {
              refreshComposer();
              done();
            }}
          />
        )}
      />
    </Page>
  );
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

function MacroEditor({ macro, scope, done }: { macro: MacroRead | null; scope: MacroScope; done: () => void }) {
  const me = useMe();
  const pickers = usePickers();
  const [form, setForm] = useState<MacroForm>(() => (macro ? macroFromRead(macro) : emptyMacro(scope === 'shared')));
  const [tried, setTried] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const problems = macroProblems(form);
  const save = useMutation({
    mutationFn: () => {
      const body = macroToBody(form);
      return macro ? unwrap(api.PATCH('/api/v1/macros/{macro_id}', { params: { path: { macro_id: macro.id } }, body })) : unwrap(api.POST('/api/v1/macros', { body }));
    },
    onSuccess: done,
  });
  const known = ['name', 'body', 'visibility', 'shared', 'actions', ...form.actions.map((_, i) => `actions.${i}`)];
  const errors = placeErrors(save.error, known);
  const at = (path: string) => errors.byPath[path] ?? (tried && problems[path] ? [problems[path]] : undefined);
  const agent = { name: me.user?.name ?? 'You', email: me.user?.email ?? '' };
  const preview = renderPreview(form.body, sampleContext(agent, me.workspace.name));
  const changes = describeMacroActions(form.actions, pickers.nameOf);

  const insert = (path: string) => {
    const el = area.current;
    const next = insertPlaceholder(form.body, el?.selectionStart ?? form.body.length, el?.selectionEnd ?? form.body.length, path);
    setForm({ ...form, body: next.text });
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(next.caret, next.caret);
    });
  };

  return (
    <form
      className="card admin-form macro-form"
      aria-label={macro ? `Edit macro ${macro.name}` : 'New macro'}
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (Object.keys(problems).length === 0) save.mutate();
      }}
    >
      <h2>{macro ? `Edit “${macro.name}”` : scope === 'shared' ? 'New shared macro' : 'New macro'}</h2>
      <div className="form-grid">
        <Field label="Name" errors={at('name')} hint="Found in the composer by typing # and part of it.">
          <input value={form.name} maxLength={100} onChange={(e) => setForm({ ...form, name: e.target.value })} placeholder="Refund issued" />
        </Field>
        <Field label="Posted as" errors={at('visibility')}>
          <select value={form.visibility} onChange={(e) => setForm({ ...form, visibility: e.target.value as MacroForm['visibility'] })}>
            <option value="public">Public reply (emailed to the requester)</option>
            <option value="internal">Internal note (agents only)</option>
          </select>
        </Field>
      </div>
      <div className="macro-body">
        <Field label="Reply" wide errors={at('body')} hint={<>Markdown. Placeholders such as {'{{ requester.first_name }}'} are filled in for each ticket. Leave empty for a macro that only changes the ticket.</>}>
          <textarea ref={area} rows={6} maxLength={50_000} value={form.body} onChange={(e) => setForm({ ...form, body: e.target.value })} placeholder={'Hi {{ requester.first_name }},\n\nYour refund is on its way.'} />
        </Field>
        <label className="macro-insert">
          <span className="small muted">Insert placeholder</span>
          <select
            aria-label="Insert placeholder"
            value=""
            onChange={(e) => {
              if (e.target.value) insert(e.target.value);
            }}
          >
            <option value="">Choose…</option>
            {COMMON_PLACEHOLDERS.map((p) => (
              <option key={p.path} value={p.path}>
                {p.label} — {`{{ ${p.path} }}`}
              </option>
            ))}
          </select>
        </label>
      </div>
      <h3>Then change the ticket</h3>
      <ActionsEditor
        value={form.actions}
        onChange={(actions) => setForm({ ...form, actions })}
        pickers={pickers}
        types={MACRO_ACTION_TYPES}
        defaults={MACRO_DEFAULTS}
        assignChoices={[{ value: ASSIGN_ME, label: 'Me (whoever applies it)' }, ...pickers.agents]}
        minimum={0}
        addType="set_status"
        errorsAt={(i) => at(`actions.${i}`)}
        errors={at('actions')}
      />
      {me.isAdmin && (
        <label className="check">
          <input type="checkbox" checked={form.shared} onChange={(e) => setForm({ ...form, shared: e.target.checked })} /> Shared with every agent
        </label>
      )}
      <section className="macro-preview card" aria-label="Preview">
        <h3>Preview</h3>
        <p className="muted small">With a sample ticket (TKT-42 from Ada Lovelace), applied by you.</p>
        {form.body.trim() ? (
          <div className={form.visibility === 'internal' ? 'macro-reply internal' : 'macro-reply'}>
            <span className={form.visibility === 'internal' ? 'tag tag-note' : 'tag tag-reply'}>{form.visibility === 'internal' ? 'Internal note' : 'Public reply'}</span>
            <div className="macro-preview-text" data-testid="macro-preview-text">
              {preview}
            </div>
          </div>
        ) : (
          <p className="muted">No reply: the macro only changes the ticket.</p>
        )}
        <p className="small text-links">{form.actions.length ? `Changes: ${changes}.` : 'No ticket fields change.'}</p>
      </section>
      <FormErrors messages={[...errors.other, ...(errors.byPath.shared ?? [])]} />
      <FormButtons saving={save.isPending} onCancel={done} label={macro ? 'Save macro' : 'Create macro'} />
    </form>
  );
}
