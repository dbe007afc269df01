// Custom fields: the field builder (kind, options, validation, condition, type scope, auto-fill,
// required), their order on the ticket page, and archiving (values stay readable).
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { useTicketTypes } from '../../api/queries';
import { BUILTIN_CONDITION_FIELDS, RANGE_KINDS, valueText, type FieldDef, type FieldKind } from '../../lib/customFields';
import { titleCase } from '../../lib/format';
import { Collection, FormButtons } from './Collection';
import { placeErrors } from './fieldErrors';
import { CheckboxGroup, Field, FormErrors, TokenInput } from './form';
import { Page, useAdminMutation } from './shared';

type FieldCreate = Schemas['FieldCreate'];
type Autofill = NonNullable<FieldCreate['autofill']>;
type Op = Schemas['VisibleWhen']['op'];

export const KINDS: { value: FieldKind; label: string }[] = [
  { value: 'text', label: 'Text' },
  { value: 'long_text', label: 'Long text' },
  { value: 'integer', label: 'Integer' },
  { value: 'decimal', label: 'Decimal / money' },
  { value: 'dropdown', label: 'Dropdown' },
  { value: 'multi_select', label: 'Multi-select' },
  { value: 'date', label: 'Date' },
  { value: 'checkbox', label: 'Checkbox' },
  { value: 'user', label: 'User' },
  { value: 'email', label: 'Email' },
  { value: 'url', label: 'URL' },
];
const AUTOFILLS: { value: Autofill; label: string }[] = [
  { value: 'visitor.country', label: 'Visitor country (chat)' },
  { value: 'visitor.device', label: 'Visitor device (chat)' },
  { value: 'visitor.page_url', label: 'Visitor page (chat)' },
  { value: 'channel', label: 'Channel' },
  { value: 'requester.domain', label: 'Requester email domain' },
];
const TEXT_KINDS: FieldKind[] = ['text', 'long_text', 'email', 'url'];
const OPTION_KINDS: FieldKind[] = ['dropdown', 'multi_select'];

interface Draft {
  key: string;
  label: string;
  kind: FieldKind;
  description: string;
  options: { value: string; label: string }[];
  required: boolean;
  filterable: boolean;
  min: string;
  max: string;
  pattern: string;
  maxLength: string;
  allTypes: boolean;
  types: string[];
  condField: string; // '' = always shown
  condOp: Op;
  condValues: string[];
  autofill: Autofill | '';
  archived: boolean;
}

const text = valueText;

export function draftOf(f: FieldDef | null): Draft {
  const when = f?.visible_when ?? null;
  const condValue = when?.value;
  return {
    key: f?.key ?? '',
    label: f?.label ?? '',
    kind: f?.kind ?? 'text',
    description: f?.description ?? '',
    options: f?.options.map((o) => ({ ...o })) ?? [],
    required: f?.required ?? false,
    filterable: f?.filterable ?? true,
    min: text(f?.validation.min),
    max: text(f?.validation.max),
    pattern: text(f?.validation.pattern),
    maxLength: text(f?.validation.max_length),
    allTypes: !f || f.ticket_types === null,
    types: f?.ticket_types ?? [],
    condField: when ? valueText(when.field) : '',
    condOp: (when?.op as Op | undefined) ?? 'is',
    condValues: Array.isArray(condValue) ? condValue.map(valueText) : condValue === null || condValue === undefined ? [] : [valueText(condValue)],
    autofill: f?.autofill ?? '',
    archived: f?.archived ?? false,
  };
}

/** A bound as the API takes it: a number for integers and multi-select counts, else the text. */
function bound(kind: FieldKind, value: string): string | number | null {
  const v = value.trim();
  if (!v) return null;
  if (kind === 'integer' || kind === 'multi_select') return Number.isFinite(Number(v)) ? Number(v) : v;
  return v;
}

/** The create/update body of a draft (what a kind does not use is left out). */
export function bodyOf(d: Draft): FieldCreate {
  const validation: Schemas['Validation'] = {};
  if (RANGE_KINDS.includes(d.kind) || d.kind === 'multi_select') {
    validation.min = bound(d.kind, d.min);
    validation.max = bound(d.kind, d.max);
  }
  if (TEXT_KINDS.includes(d.kind)) {
    if (d.pattern.trim()) validation.pattern = d.pattern.trim();
    if (d.maxLength.trim()) validation.max_length = Number(d.maxLength);
  }
  const condValue = d.condOp === 'in' ? d.condValues : d.condValues[0] ?? null;
  return {
    key: d.key,
    label: d.label.trim(),
    kind: d.kind,
    description: d.description.trim() || null,
    options: OPTION_KINDS.includes(d.kind) ? d.options.filter((o) => o.value.trim()).map((o) => ({ value: o.value.trim(), label: o.label.trim() || o.value.trim() })) : [],
    required: d.required,
    filterable: d.filterable,
    validation,
    ticket_types: d.allTypes ? null : d.types,
    visible_when: d.condField ? { field: d.condField, op: d.condOp, value: condValue } : null,
    autofill: d.autofill || null,
  };
}

const KNOWN = ['key', 'label', 'kind', 'description', 'options', 'required', 'filterable', 'validation.min', 'validation.max', 'validation.pattern', 'validation.max_length', 'validation', 'ticket_types', 'visible_when', 'autofill', 'archived'];

/** The options of a dropdown or multi-select: value and label per row, reorderable. */
function OptionsEditor({ options, onChange, errors }: { options: Draft['options']; onChange: (o: Draft['options']) => void; errors?: string[] }) {
  const set = (i: number, patch: Partial<Draft['options'][number]>) => onChange(options.map((o, j) => (j === i ? { ...o, ...patch } : o)));
  const swap = (i: number, j: number) => {
    const next = [...options];
    [next[i], next[j]] = [next[j]!, next[i]!];
    onChange(next);
  };
  return (
    <fieldset className="field field-wide options-editor" aria-label="Options">
      <legend>Options</legend>
      {options.map((o, i) => (
        <div key={i} className="row option-row">
          <input aria-label={`Option ${i + 1} value`} placeholder="value" value={o.value} maxLength={100} onChange={(e) => set(i, { value: e.target.value.replace(/,/g, '') })} />
          <input aria-label={`Option ${i + 1} label`} placeholder="label" value={o.label} maxLength={200} onChange={(e) => set(i, { label: e.target.value })} />
          <button type="button" className="btn btn-small" aria-label={`Move option ${i + 1} up`} disabled={i === 0} onClick={() => swap(i, i - 1)}>
            ↑
          </button>
          <button type="button" className="btn btn-small" aria-label={`Move option ${i + 1} down`} disabled={i === options.length - 1} onClick={() => swap(i, i + 1)}>
            ↓
          </button>
          <button type="button" className="btn btn-small btn-danger" aria-label={`Remove option ${i + 1}`} onClick={() => onChange(options.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="btn btn-small" onClick={() => onChange([...options, { value: '', label: '' }])}>
        + Option
      </button>
      {errors?.length ? <span className="field-error">{errors.join(' ')}</span> : null}
    </fieldset>
  );
}

function FieldForm({ field, fields, done }: { field: FieldDef | null; fields: FieldDef[]; done: () => void }) {
  const [d, setD] = useState(() => draftOf(field));
  const types = useTicketTypes();
  const set = (patch: Partial<Draft>) => setD({ ...d, ...patch });
  const save = useAdminMutation(async (body: FieldCreate) => {
    if (!field) return unwrap(api.POST('/api/v1/custom-fields', { body }));
    const { key: _key, position: _position, ...changes } = body;
    return unwrap(api.PATCH('/api/v1/custom-fields/{field_key}', { params: { path: { field_key: field.key } }, body: { ...changes, archived: d.archived } }));
  }, 'custom-fields');
  const errors = placeErrors(save.error, KNOWN);
  const e = errors.byPath;
  const typeOptions = (types.data ?? []).filter((t) => !t.archived || d.types.includes(t.key)).map((t) => ({ value: t.key, label: t.name }));
  const condTarget = fields.find((f) => f.key === d.condField);
  const condChoices = condTarget && condTarget.options.length ? condTarget.options.map((o) => ({ value: o.value, label: o.label })) : null;
  const rangeInput = d.kind === 'date' ? 'date' : 'text';
  return (
    <form
      className="card admin-form"
      aria-label={field ? `Edit field ${field.label}` : 'New field'}
      onSubmit={(ev) => {
        ev.preventDefault();
        save.mutate(bodyOf(d), { onSuccess: done });
      }}
    >
      <div className="form-grid">
        <Field label="Label" errors={e.label}>
          <input value={d.label} required maxLength={200} placeholder="Refund amount" onChange={(ev) => set({ label: ev.target.value, key: field ? d.key : ev.target.value.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^[^a-z]+|_+$/g, '').slice(0, 63) })} />
        </Field>
        <Field label="Key" errors={e.key} hint={field ? 'The key cannot change.' : 'Lower case: filters and the API use it (cf.refund_amount)'}>
          <input value={d.key} required disabled={!!field} maxLength={63} pattern="[a-z][a-z0-9_]{0,62}" onChange={(ev) => set({ key: ev.target.value.trim().toLowerCase() })} />
        </Field>
        <Field label="Kind" errors={e.kind} hint={field ? 'The kind cannot change.' : undefined}>
          <select value={d.kind} disabled={!!field} onChange={(ev) => set({ kind: ev.target.value as FieldKind })}>
            {KINDS.map((k) => (
              <option key={k.value} value={k.value}>
                {k.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Description" errors={e.description} wide>
          <input value={d.description} maxLength={1000} placeholder="Shown under the field" onChange={(ev) => set({ description: ev.target.value })} />
        </Field>
        {OPTION_KINDS.includes(d.kind) && <OptionsEditor options={d.options} onChange={(options) => set({ options })} errors={e.options} />}
        {(RANGE_KINDS.includes(d.kind) || d.kind === 'multi_select') && (
          <>
            <Field label={d.kind === 'multi_select' ? 'At least (choices)' : 'Minimum'} errors={e['validation.min']}>
              <input type={rangeInput} inputMode={d.kind === 'date' ? undefined : 'decimal'} value={d.min} maxLength={40} onChange={(ev) => set({ min: ev.target.value })} />
            </Field>
            <Field label={d.kind === 'multi_select' ? 'At most (choices)' : 'Maximum'} errors={e['validation.max']}>
              <input type={rangeInput} inputMode={d.kind === 'date' ? undefined : 'decimal'} value={d.max} maxLength={40} onChange={(ev) => set({ max: ev.target.value })} />
            </Field>
          </>
        )}
        {TEXT_KINDS.includes(d.kind) && (
          <>
            <Field label="Pattern" errors={e['validation.pattern']} hint="A regular expression the whole value must match">
              <input value={d.pattern} maxLength={500} placeholder="[A-Z]{2}-\d+" onChange={(ev) => set({ pattern: ev.target.value })} />
            </Field>
            <Field label="Maximum length" errors={e['validation.max_length']}>
              <input type="number" min={1} max={10000} value={d.maxLength} onChange={(ev) => set({ maxLength: ev.target.value })} />
            </Field>
          </>
        )}
        <Field label="Auto-fill from" errors={e.autofill} hint="Filled at creation when left empty">
          <select value={d.autofill} onChange={(ev) => set({ autofill: ev.target.value as Autofill | '' })}>
            <option value="">Nothing</option>
            {AUTOFILLS.map((a) => (
              <option key={a.value} value={a.value}>
                {a.label}
              </option>
            ))}
          </select>
        </Field>
        <div className="field">
          <label className="check">
            <input type="checkbox" checked={d.required} onChange={(ev) => set({ required: ev.target.checked })} /> Required
          </label>
          <label className="check">
            <input type="checkbox" checked={d.filterable} onChange={(ev) => set({ filterable: ev.target.checked })} /> Filterable in the queue
          </label>
          {field && (
            <label className="check">
              <input type="checkbox" checked={d.archived} onChange={(ev) => set({ archived: ev.target.checked })} /> Archived
            </label>
          )}
        </div>
        <div className="field field-wide">
          <label className="check">
            <input type="checkbox" checked={d.allTypes} onChange={(ev) => set({ allTypes: ev.target.checked })} /> Every ticket type
          </label>
          {!d.allTypes && <CheckboxGroup legend="Ticket types that use it" options={typeOptions} value={d.types} onChange={(next) => set({ types: next })} errors={e.ticket_types} />}
          {d.allTypes && e.ticket_types && <span className="field-error">{e.ticket_types.join(' ')}</span>}
        </div>
        <fieldset className="field field-wide condition" aria-describedby={e.visible_when ? 'cond-error' : undefined}>
          <legend>Show only when</legend>
          <div className="row">
            <select aria-label="Condition field" value={d.condField} onChange={(ev) => set({ condField: ev.target.value, condValues: [] })}>
              <option value="">Always shown</option>
              <optgroup label="Ticket">
                {BUILTIN_CONDITION_FIELDS.map((b) => (
                  <option key={b} value={b}>
                    {titleCase(b)}
                  </option>
                ))}
              </optgroup>
              <optgroup label="Custom fields">
                {fields
                  .filter((f) => f.key !== d.key && !f.archived)
                  .map((f) => (
                    <option key={f.key} value={f.key}>
                      {f.label}
                    </option>
                  ))}
              </optgroup>
            </select>
            {d.condField && (
              <>
                <select aria-label="Condition operator" value={d.condOp} onChange={(ev) => set({ condOp: ev.target.value as Op })}>
                  <option value="is">is</option>
                  <option value="is_not">is not</option>
                  <option value="in">is one of</option>
                </select>
                {d.condOp === 'in' ? (
                  <TokenInput aria-label="Condition values" value={d.condValues} onChange={(condValues) => set({ condValues })} suggestions={condChoices?.map((c) => c.value) ?? []} placeholder="value, Enter" />
                ) : condChoices ? (
                  <select aria-label="Condition value" value={d.condValues[0] ?? ''} onChange={(ev) => set({ condValues: ev.target.value ? [ev.target.value] : [] })}>
                    <option value="">(empty)</option>
                    {condChoices.map((c) => (
                      <option key={c.value} value={c.value}>
                        {c.label}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input aria-label="Condition value" value={d.condValues[0] ?? ''} maxLength={200} placeholder="damaged" onChange={(ev) => set({ condValues: ev.target.value ? [ev.target.value] : [] })} />
                )}
              </>
            )}
          </div>
          {e.visible_when && (
            <span id="cond-error" className="field-error">
              {e.visible_when.join(' ')}
            </span>
          )}
        </fieldset>
      </div>
      <FormErrors messages={[...errors.other, ...(e.validation ?? []), ...(e.required ?? []), ...(e.filterable ?? []), ...(e.archived ?? [])]} />
      <FormButtons saving={save.isPending} onCancel={done} label={field ? 'Save field' : 'Create field'} />
    </form>
  );
}

type Row = FieldDef & { name: string };

/** "Dropdown · required · 3 options · types: return · when category is damaged". */
export function fieldSummary(f: FieldDef): string {
  const parts = [`${KINDS.find((k) => k.value === f.kind)?.label ?? f.kind}`, `cf.${f.key}`];
  if (f.archived) parts.push('archived');
  if (f.required) parts.push('required');
  if (f.options.length) parts.push(`${f.options.length} option${f.options.length === 1 ? '' : 's'}`);
  if (f.ticket_types) parts.push(`types: ${f.ticket_types.join(', ') || 'none'}`);
  if (f.visible_when) parts.push(`when ${valueText(f.visible_when.field)} ${valueText(f.visible_when.op).replace('_', ' ')} ${JSON.stringify(f.visible_when.value)}`);
  if (f.autofill) parts.push(`auto-fill: ${f.autofill}`);
  return parts.join(' · ');
}

export function FieldsPage() {
  const [all, setAll] = useState<FieldDef[]>([]);
  return (
    <Page title="Custom fields" intro="Typed fields on tickets: every write is checked against these definitions. Archiving keeps stored values readable.">
      <Collection<Row>
        queryKey="custom-fields"
        noun="field"
        plural="custom fields"
        ordered
        removeLabel="Archive"
        empty="Add a field such as “Refund amount” or “Order number”."
        calls={{
          list: async () => {
            const fields = await unwrap(api.GET('/api/v1/custom-fields'));
            setAll(fields);
            return fields.map((f) => ({ ...f, id: f.key, name: f.label }));
          },
          update: (key, body) => unwrap(api.PATCH('/api/v1/custom-fields/{field_key}', { params: { path: { field_key: key } }, body: { position: body.position } })),
          remove: (key) => unwrap(api.DELETE('/api/v1/custom-fields/{field_key}', { params: { path: { field_key: key } } })),
        }}
        summary={fieldSummary}
        renderForm={(item, done) => <FieldForm field={item} fields={all} done={done} />}
      />
    </Page>
  );
}
