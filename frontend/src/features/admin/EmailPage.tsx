// Email: the templates per kind of message (edit, preview, reset to default) and the sender
// settings (a JSON editor).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorState, Spinner } from '../../components/ui';
import { asBody, parseJsonObject } from './JsonCollection';
import { Failure, Page } from './shared';

type Template = Schemas['TemplateRead'];

export function EmailPage() {
  const templates = useQuery({ queryKey: ['email-templates'], queryFn: () => unwrap(api.GET('/api/v1/email/templates')) });
  const [kind, setKind] = useState<string | null>(null);
  const current = templates.data?.find((t) => t.kind === kind) ?? templates.data?.[0];
  return (
    <Page title="Email" intro="What customers receive by email: the templates per kind of message, and the sender settings.">
      {templates.isPending ? (
        <Spinner />
      ) : templates.isError ? (
        <ErrorState error={templates.error} retry={() => void templates.refetch()} />
      ) : (
        <>
          <div className="row">
            <label>
              Template{' '}
              <select value={current?.kind ?? ''} onChange={(e) => setKind(e.target.value)}>
                {templates.data.map((t) => (
                  <option key={t.kind} value={t.kind}>
                    {t.kind}
                    {t.is_default ? ' (default)' : ''}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {current && <TemplateEditor key={current.kind} template={current} />}
        </>
      )}
      <h2>Settings</h2>
      <EmailSettings />
    </Page>
  );
}

function TemplateEditor({ template }: { template: Template }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState({ subject: template.subject, text: template.text, html: template.html });
  const params = { path: { kind: template.kind } };
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['email-templates'] });
  const save = useMutation({ mutationFn: () => unwrap(api.PUT('/api/v1/email/templates/{kind}', { params, body: draft })), onSuccess: refresh });
  const reset = useMutation({ mutationFn: () => unwrap(api.DELETE('/api/v1/email/templates/{kind}', { params })), onSuccess: refresh });
  const preview = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/email/templates/{kind}/preview', { params, body: draft })) });
  return (
    <div className="template-editor">
      <form
        className="card admin-form stacked"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <label>
          Subject
          <input value={draft.subject} onChange={(e) => setDraft({ ...draft, subject: e.target.value })} />
        </label>
        <label>
          Text body
          <textarea rows={6} value={draft.text} onChange={(e) => setDraft({ ...draft, text: e.target.value })} />
        </label>
        <label>
          HTML body
          <textarea rows={6} spellCheck={false} value={draft.html} onChange={(e) => setDraft({ ...draft, html: e.target.value })} />
        </label>
        <Failure error={save.error ?? reset.error ?? preview.error} />
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            Save template
          </button>
          <button type="button" className="btn" onClick={() => preview.mutate()}>
            Preview
          </button>
          {!template.is_default && (
            <button type="button" className="btn-link" onClick={() => reset.mutate()}>
              Reset to default
            </button>
          )}
          {save.isSuccess && <span className="muted">Saved.</span>}
        </div>
      </form>
      {preview.data && (
        <section className="card" aria-label="Preview">
          <h2>Preview: {preview.data.subject}</h2>
          {/* rendered by the server from sample data; shown sandboxed, scripts never run */}
          <iframe title="HTML preview" className="email-preview" sandbox="" srcDoc={preview.data.html} />
          <pre className="prewrap">{preview.data.text}</pre>
        </section>
      )}
    </div>
  );
}

function EmailSettings() {
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: ['email-settings'], queryFn: () => unwrap(api.GET('/api/v1/settings/email')) });
  const [text, setText] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () => unwrap(api.PUT('/api/v1/settings/email', { body: asBody<Schemas['EmailSettingsUpdate']>(parseJsonObject(text ?? '{}')) })),
    onSuccess: () => {
      setText(null);
      void queryClient.invalidateQueries({ queryKey: ['email-settings'] });
    },
  });
  if (settings.isPending) return <Spinner />;
  if (settings.isError) return <ErrorState error={settings.error} retry={() => void settings.refetch()} />;
  const { smtp_configured, ...rest } = settings.data;
  return (
    <form
      className="card json-editor"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <p className="muted">SMTP {smtp_configured ? 'is configured' : 'is not configured: outgoing mail is not sent'}.</p>
      <label>
        Email settings (JSON)
        <textarea rows={12} spellCheck={false} value={text ?? JSON.stringify(rest, null, 2)} onChange={(e) => setText(e.target.value)} />
      </label>
      <Failure error={save.error} />
      <button type="submit" className="btn btn-primary" disabled={save.isPending || text === null}>
        Save settings
      </button>
    </form>
  );
}
