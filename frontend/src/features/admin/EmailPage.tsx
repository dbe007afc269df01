// Email and the web form: the templates per kind of message (edit, preview, reset to default),
// the sender and notification settings, and the public contact form's settings.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorState, Spinner } from '../../components/ui';
import { useStatuses } from '../../api/queries';
import { CsatSection } from './CsatSection';
import { placeErrors } from './fieldErrors';
import { CheckboxGroup, CopyButton, Field, FormErrors, TokenInput } from './form';
import { Failure, Page, useSection } from './shared';

type Template = Schemas['TemplateRead'];

const SECTIONS = [
  { key: 'templates', label: 'Templates' },
  { key: 'settings', label: 'Sender & notifications' },
  { key: 'form', label: 'Web form' },
  { key: 'csat', label: 'CSAT surveys' },
] as const;

export function EmailPage() {
  const [section, nav] = useSection(SECTIONS);
  return (
    <Page title="Email & web form" intro="What customers receive by email, who it comes from, the contact form on your website, and satisfaction surveys.">
      {nav}
      {section === 'templates' && <Templates />}
      {section === 'settings' && <EmailSettings />}
      {section === 'form' && <FormSettings />}
      {section === 'csat' && <CsatSection />}
    </Page>
  );
}

function Templates() {
  const templates = useQuery({ queryKey: ['email-templates'], queryFn: () => unwrap(api.GET('/api/v1/email/templates')) });
  const [kind, setKind] = useState<string | null>(null);
  const current = templates.data?.find((t) => t.kind === kind) ?? templates.data?.[0];
  return (
    <>
      {templates.isPending ? (
        <Spinner label="Loading templates…" />
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
    </>
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
  const settings = useQuery({ queryKey: ['email-settings'], queryFn: () => unwrap(api.GET('/api/v1/settings/email')) });
  if (settings.isPending) return <Spinner label="Loading email settings…" />;
  if (settings.isError) return <ErrorState error={settings.error} retry={() => void settings.refetch()} />;
  return <EmailSettingsForm settings={settings.data} />;
}

function EmailSettingsForm({ settings }: { settings: Schemas['EmailSettingsRead'] }) {
  const queryClient = useQueryClient();
  const statuses = useStatuses();
  const [form, setForm] = useState({
    brand_name: settings.brand_name ?? '',
    brand_color: settings.brand_color,
    from_address: settings.from_address,
    signature: settings.signature,
    notify_ticket_opened: settings.notify_ticket_opened,
    notify_agent_reply: settings.notify_agent_reply,
    notify_resolved: settings.notify_resolved,
    notify_statuses: settings.notify_statuses,
  });
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PUT('/api/v1/settings/email', {
          body: { ...form, brand_name: form.brand_name.trim() || null, from_address: form.from_address.trim() || null },
        }),
      ),
    onSuccess: (data) => queryClient.setQueryData(['email-settings'], data),
  });
  const errors = placeErrors(save.error, ['brand_name', 'brand_color', 'from_address', 'signature', 'notify_ticket_opened', 'notify_agent_reply', 'notify_resolved', 'notify_statuses']);
  const flag = (key: 'notify_ticket_opened' | 'notify_agent_reply' | 'notify_resolved', label: string) => (
    <label className="check">
      <input type="checkbox" checked={form[key]} onChange={(e) => setForm({ ...form, [key]: e.target.checked })} /> {label}
    </label>
  );
  return (
    <form
      className="card admin-form"
      aria-label="Email settings"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <p className={settings.smtp_configured ? 'notice' : 'notice notice-warn'} role="note">
        {settings.smtp_configured ? 'SMTP is configured: notifications are sent.' : 'SMTP is not configured (TICKETDESK_SMTP_URL): nothing is sent until it is.'}
      </p>
      <div className="form-grid">
        <Field label="Brand name" errors={errors.byPath.brand_name} hint="Shown in the emails; empty uses the workspace name.">
          <input value={form.brand_name} maxLength={200} onChange={(e) => setForm({ ...form, brand_name: e.target.value })} />
        </Field>
        <Field label="Sender address" errors={errors.byPath.from_address} hint="Mail is sent from, and replies go to, this address.">
          <input type="email" value={form.from_address} maxLength={320} onChange={(e) => setForm({ ...form, from_address: e.target.value })} />
        </Field>
        <Field label="Brand colour" errors={errors.byPath.brand_color}>
          <span className="inline-fields">
            <input type="color" aria-label="Brand colour picker" value={/^#[0-9a-f]{6}$/i.test(form.brand_color) ? form.brand_color : '#4f46e5'} onChange={(e) => setForm({ ...form, brand_color: e.target.value })} />
            <input aria-label="Brand colour (hex)" value={form.brand_color} maxLength={7} size={9} onChange={(e) => setForm({ ...form, brand_color: e.target.value.trim() })} />
          </span>
        </Field>
        <Field label="Signature" wide errors={errors.byPath.signature}>
          <textarea rows={3} maxLength={2000} value={form.signature} onChange={(e) => setForm({ ...form, signature: e.target.value })} />
        </Field>
      </div>
      <fieldset className="checks">
        <legend>Email the requester when</legend>
        {flag('notify_ticket_opened', 'their ticket is opened')}
        {flag('notify_agent_reply', 'an agent replies')}
        {flag('notify_resolved', 'their ticket is resolved')}
      </fieldset>
      <CheckboxGroup
        legend="…and when the status changes to"
        options={(statuses.data ?? []).map((s) => ({ value: s.name, label: s.label }))}
        value={form.notify_statuses}
        onChange={(notify_statuses) => setForm({ ...form, notify_statuses })}
        errors={errors.byPath.notify_statuses}
      />
      <FormErrors messages={[...errors.other, ...['notify_ticket_opened', 'notify_agent_reply', 'notify_resolved'].flatMap((k) => errors.byPath[k] ?? [])]} />
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save email settings'}
        </button>
        {save.isSuccess && (
          <span className="muted" role="status">
            Saved.
          </span>
        )}
      </div>
    </form>
  );
}

function FormSettings() {
  const settings = useQuery({ queryKey: ['form-settings'], queryFn: () => unwrap(api.GET('/api/v1/settings/form')) });
  if (settings.isPending) return <Spinner label="Loading web form settings…" />;
  if (settings.isError) return <ErrorState error={settings.error} retry={() => void settings.refetch()} />;
  return <FormSettingsForm settings={settings.data} />;
}

function FormSettingsForm({ settings }: { settings: Schemas['FormSettingsRead'] }) {
  const queryClient = useQueryClient();
  const [origins, setOrigins] = useState(settings.allowed_origins);
  const [limit, setLimit] = useState(String(settings.rate_limit));
  const [windowMinutes, setWindowMinutes] = useState(String(settings.rate_window_minutes));
  const save = useMutation({
    mutationFn: () =>
      unwrap(api.PUT('/api/v1/settings/form', { body: { allowed_origins: origins, rate_limit: Number(limit), rate_window_minutes: Number(windowMinutes) } })),
    onSuccess: (data) => {
      queryClient.setQueryData(['form-settings'], data);
      setOrigins(data.allowed_origins);
    },
  });
  const errors = placeErrors(save.error, ['allowed_origins', ...origins.map((_, i) => `allowed_origins.${i}`), 'rate_limit', 'rate_window_minutes']);
  const originErrors = [...(errors.byPath.allowed_origins ?? []), ...origins.flatMap((o, i) => (errors.byPath[`allowed_origins.${i}`] ?? []).map((m) => `${o}: ${m}`))];
  const snippet = `<form id="contact">
  <input name="email" type="email" required> <input name="name">
  <input name="subject" required> <textarea name="description" required></textarea>
  <button>Send</button>
</form>
<script>
document.getElementById('contact').addEventListener('submit', async (event) => {
  event.preventDefault();
  const body = Object.fromEntries(new FormData(event.target));
  await fetch('${settings.url}', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
});
</script>`;
  return (
    <form
      className="card admin-form"
      aria-label="Web form settings"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <div className="field">
        <span className="field-label">Form address</span>
        <span className="copy-row">
          <code className="wrap">{settings.url}</code>
          <CopyButton text={settings.url} what="form address" />
        </span>
        <span className="hint">Your website posts submissions here as JSON; each one opens a ticket.</span>
      </div>
      <Field label="Allowed websites (origins)" errors={originErrors.length ? originErrors : undefined} hint="e.g. https://www.example.com; none means any website may post.">
        <TokenInput value={origins} onChange={setOrigins} lowercase maxLength={300} placeholder="https://www.example.com" />
      </Field>
      <div className="form-grid">
        <Field label="Submissions per visitor" errors={errors.byPath.rate_limit}>
          <input type="number" min={1} max={10000} required value={limit} onChange={(e) => setLimit(e.target.value)} />
        </Field>
        <Field label="…per this many minutes" errors={errors.byPath.rate_window_minutes}>
          <input type="number" min={1} max={1440} required value={windowMinutes} onChange={(e) => setWindowMinutes(e.target.value)} />
        </Field>
      </div>
      <details>
        <summary>An HTML form to start from</summary>
        <pre className="snippet">{snippet}</pre>
        <CopyButton text={snippet} what="HTML form" />
      </details>
      <FormErrors messages={errors.other} />
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save web form settings'}
        </button>
        {save.isSuccess && (
          <span className="muted" role="status">
            Saved.
          </span>
        )}
      </div>
    </form>
  );
}
