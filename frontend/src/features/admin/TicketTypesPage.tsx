// Ticket types and their lifecycles: allowed statuses, the initial one, a status × status grid
// of the moves allowed (and by which role), the fields each target status requires, and the
// approval gates.
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { useCustomFields, useStatuses } from '../../api/queries';
import { valueText } from '../../lib/customFields';
import { titleCase } from '../../lib/format';
import { Collection, FormButtons } from './Collection';
import { placeErrors } from './fieldErrors';
import { CheckboxGroup, Field, FieldError, FormErrors } from './form';
import { ANY, effectiveCell, gridFromTransitions, ROLES, setCellRoles, toggleCell, transitionsFromGrid, type Grid, type Role } from './lifecycle';
import { Page, useAdminMutation } from './shared';

type TypeRead = Schemas['TicketTypeRead'];
type TypeCreate = Schemas['TicketTypeCreate'];
type CondOp = Schemas['Condition']['op'];

const BUILTIN_REQUIRED = ['category', 'assignee', 'team', 'description'];
const COND_OPS: { value: CondOp; label: string }[] = [
  { value: 'gt', label: '>' },
  { value: 'gte', label: '≥' },
  { value: 'lt', label: '<' },
  { value: 'lte', label: '≤' },
  { value: 'is', label: 'is' },
  { value: 'in', label: 'is one of' },
];

interface RuleDraft {
  to: string;
  condField: string;
  condOp: CondOp;
  condValue: string;
  roles: Role[];
}

interface Draft {
  key: string;
  name: string;
  description: string;
  allStatuses: boolean;
  statuses: string[];
  initial: string;
  anyMove: boolean;
  grid: Grid;
  required: Record<string, string[]>;
  approvals: RuleDraft[];
  archived: boolean;
}

function ruleOf(r: Record<string, unknown>): RuleDraft {
  const rawWhen = r.when;
  const when: { field?: unknown; op?: unknown; value?: unknown } | null = rawWhen && typeof rawWhen === 'object' ? rawWhen : null;
  const value = when?.value;
  return {
    to: valueText(r.to),
    condField: when ? valueText(when.field) : '',
    condOp: (when?.op as CondOp | undefined) ?? 'gt',
    condValue: valueText(value),
    roles: Array.isArray(r.approver_roles) ? (r.approver_roles as Role[]) : ['admin'],
  };
}

function draftOf(t: TypeRead | null, workspaceStatuses: string[]): Draft {
  const statuses = t?.statuses ?? workspaceStatuses;
  return {
    key: t?.key ?? '',
    name: t?.name ?? '',
    description: t?.description ?? '',
    allStatuses: !t || t.statuses === null,
    statuses,
    initial: t?.initial_status ?? '',
    anyMove: !t || t.transitions === null,
    grid: gridFromTransitions(statuses, t?.transitions ?? null),
    required: { ...(t?.required_fields ?? {}) },
    approvals: (t?.approvals ?? []).map(ruleOf),
    archived: t?.archived ?? false,
  };
}

/** A condition value as typed: numbers stay numbers, a list for "is one of". */
function condValueOf(op: CondOp, raw: string): unknown {
  const one = (v: string) => (v.trim() !== '' && Number.isFinite(Number(v)) && op !== 'is' ? Number(v) : v.trim());
  if (op === 'in') return raw.split(',').map((v) => v.trim()).filter(Boolean);
  return one(raw);
}

export function typeBodyOf(d: Draft, workspaceStatuses: string[]): TypeCreate {
  const statuses = d.allStatuses ? workspaceStatuses : d.statuses;
  const required = Object.fromEntries(Object.entries(d.required).filter(([s, names]) => names.length && statuses.includes(s)));
  return {
    key: d.key,
    name: d.name.trim(),
    description: d.description.trim() || null,
    statuses: d.allStatuses ? null : d.statuses,
    initial_status: d.initial || null,
    transitions: d.anyMove ? null : transitionsFromGrid(statuses, d.grid),
    required_fields: required,
    approvals: d.approvals.map((r) => ({
      to: r.to,
      when: r.condField ? { field: r.condField, op: r.condOp, value: condValueOf(r.condOp, r.condValue) } : null,
      approver_roles: r.roles.length ? r.roles : ['admin'],
    })),
  };
}

const ROLE_CHOICES: { value: string; label: string; roles: Role[] }[] = [
  { value: 'any', label: 'Anyone', roles: [] },
  { value: 'agent', label: 'Agents', roles: ['agent'] },
  { value: 'admin', label: 'Admins', roles: ['admin'] },
];

/** The status × status grid: a checkbox per allowed move and who may take it. The first row,
 *  "Any status", saves as the API's wildcard (`from: "*"`): the moves it allows show in every
 *  row as given by it (checked, not separately editable). */
export function TransitionGrid({ statuses, labels, grid, onChange }: { statuses: string[]; labels: Record<string, string>; grid: Grid; onChange: (g: Grid) => void }) {
  const name = (s: string) => (s === ANY ? 'Any status' : (labels[s] ?? titleCase(s)));
  const lower = (s: string) => (s === ANY ? 'any status' : name(s));
  return (
    <div className="table-scroll">
      <table className="admin-table transition-grid" aria-label="Transitions">
        <thead>
          <tr>
            <th scope="col">From ↓ / to →</th>
            {statuses.map((to) => (
              <th key={to} scope="col">
                {name(to)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[ANY, ...statuses].map((from) => (
            <tr key={from} className={from === ANY ? 'any-row' : undefined}>
              <th scope="row">
                {name(from)}
                {from === ANY && <div className="muted small">from every status</div>}
              </th>
              {statuses.map((to) => {
                if (from === to) return <td key={to} className="muted" aria-hidden="true">—</td>;
                const own = grid[from]?.[to];
                const shown = from === ANY ? (own ? { ...own, viaAny: false } : null) : effectiveCell(grid, from, to);
                if (shown?.viaAny) {
                  return (
                    <td key={to} className="via-any" title={`Allowed from any status (${roleLabel(shown.roles)})`}>
                      <label className="check">
                        <input type="checkbox" aria-label={`${name(from)} to ${name(to)} (from any status)`} checked disabled />
                      </label>
                      <span className="muted small">any</span>
                    </td>
                  );
                }
                const cell = own;
                const choice = !cell || cell.roles === null ? 'any' : cell.roles.join('+');
                return (
                  <td key={to}>
                    <label className="check">
                      <input type="checkbox" aria-label={`${name(from)} to ${name(to)}`} checked={!!cell} onChange={() => onChange(toggleCell(grid, from, to))} />
                    </label>
                    {cell && (
                      <select aria-label={`Who may move ${lower(from)} to ${name(to)}`} value={choice} onChange={(e) => onChange(setCellRoles(grid, from, to, ROLE_CHOICES.find((c) => c.value === e.target.value)?.roles ?? []))}>
                        {ROLE_CHOICES.map((c) => (
                          <option key={c.value} value={c.value}>
                            {c.label}
                          </option>
                        ))}
                      </select>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function roleLabel(roles: Role[] | null): string {
  return roles === null ? 'anyone' : roles.map((r) => `${r}s`).join(' or ');
}

const KNOWN = ['key', 'name', 'description', 'statuses', 'initial_status', 'transitions', 'required_fields', 'approvals', 'archived'];

function TypeForm({ type, done }: { type: TypeRead | null; done: () => void }) {
  const statusList = useStatuses();
  const fields = useCustomFields();
  const workspaceStatuses = (statusList.data ?? []).map((s) => s.name);
  const labels = Object.fromEntries((statusList.data ?? []).map((s) => [s.name, s.label]));
  const [d, setD] = useState(() => draftOf(type, workspaceStatuses));
  const set = (patch: Partial<Draft>) => setD({ ...d, ...patch });
  const statuses = d.allStatuses ? workspaceStatuses : d.statuses;
  const save = useAdminMutation(async (body: TypeCreate) => {
    if (!type) return unwrap(api.POST('/api/v1/ticket-types', { body }));
    const { key: _key, position: _position, ...changes } = body;
    return unwrap(api.PATCH('/api/v1/ticket-types/{type_key}', { params: { path: { type_key: type.key } }, body: { ...changes, archived: d.archived } }));
  }, 'ticket-types');
  const errors = placeErrors(save.error, [...KNOWN, ...statuses.map((s) => `required_fields.${s}`), ...d.approvals.map((_, i) => `approvals.${i}`)]);
  const e = errors.byPath;
  const requirable = [...BUILTIN_REQUIRED.map((b) => ({ value: b, label: titleCase(b) })), ...(fields.data ?? []).filter((f) => !f.archived).map((f) => ({ value: f.key, label: f.label }))];
  const setRule = (i: number, patch: Partial<RuleDraft>) => set({ approvals: d.approvals.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  const setStatuses = (next: string[]) => set({ statuses: next, grid: d.anyMove ? d.grid : gridFromTransitions(next, transitionsFromGrid(statuses, d.grid)) });

  return (
    <form
      className="card admin-form"
      aria-label={type ? `Edit type ${type.name}` : 'New ticket type'}
      onSubmit={(ev) => {
        ev.preventDefault();
        save.mutate(typeBodyOf(d, workspaceStatuses), { onSuccess: done });
      }}
    >
      <div className="form-grid">
        <Field label="Name" errors={e.name}>
          <input value={d.name} required maxLength={100} placeholder="Return" onChange={(ev) => set({ name: ev.target.value, key: type ? d.key : ev.target.value.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^[^a-z0-9]+|_+$/g, '').slice(0, 50) })} />
        </Field>
        <Field label="Key" errors={e.key} hint={type ? 'The key cannot change.' : 'Tickets carry it in type'}>
          <input value={d.key} required disabled={!!type} maxLength={50} pattern="[a-z0-9][a-z0-9_\-]*" onChange={(ev) => set({ key: ev.target.value.trim().toLowerCase() })} />
        </Field>
        <Field label="Description" errors={e.description} wide>
          <input value={d.description} maxLength={1000} onChange={(ev) => set({ description: ev.target.value })} />
        </Field>
        <div className="field field-wide">
          <label className="check">
            <input type="checkbox" checked={d.allStatuses} onChange={(ev) => set({ allStatuses: ev.target.checked, statuses: ev.target.checked ? d.statuses : statuses })} /> Every status
          </label>
          {!d.allStatuses && <CheckboxGroup legend="Statuses its tickets may be in" options={(statusList.data ?? []).map((s) => ({ value: s.name, label: s.label }))} value={d.statuses} onChange={setStatuses} errors={e.statuses} />}
          {d.allStatuses && <FieldError messages={e.statuses} />}
        </div>
        <Field label="Initial status" errors={e.initial_status}>
          <select value={d.initial} onChange={(ev) => set({ initial: ev.target.value })}>
            <option value="">The workspace default</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {labels[s] ?? s}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <fieldset className="field field-wide">
        <legend>Transitions</legend>
        <label className="check">
          <input type="checkbox" checked={d.anyMove} onChange={(ev) => set({ anyMove: ev.target.checked, grid: ev.target.checked ? d.grid : gridFromTransitions(statuses, null) })} /> Any status may move to any other
        </label>
        {!d.anyMove && <TransitionGrid statuses={statuses} labels={labels} grid={d.grid} onChange={(grid) => set({ grid })} />}
        <FieldError messages={e.transitions} />
      </fieldset>
      <fieldset className="field field-wide">
        <legend>Required to enter a status</legend>
        {statuses.map((s) => (
          <details key={s} open={!!d.required[s]?.length || !!e[`required_fields.${s}`]}>
            <summary>
              {labels[s] ?? s}
              {d.required[s]?.length ? `: ${d.required[s].join(', ')}` : ''}
            </summary>
            <CheckboxGroup legend={`Required for ${labels[s] ?? s}`} options={requirable} value={d.required[s] ?? []} onChange={(next) => set({ required: { ...d.required, [s]: next } })} errors={e[`required_fields.${s}`]} />
          </details>
        ))}
        <FieldError messages={e.required_fields} />
      </fieldset>
      <fieldset className="field field-wide">
        <legend>Approvals</legend>
        {d.approvals.map((r, i) => (
          <div key={i} className="approval-rule" role="group" aria-label={`Approval rule ${i + 1}`}>
            <div className="row">
              <label>
                Moving to{' '}
                <select aria-label={`Rule ${i + 1}: target status`} value={r.to} onChange={(ev) => setRule(i, { to: ev.target.value })}>
                  {statuses.map((s) => (
                    <option key={s} value={s}>
                      {labels[s] ?? s}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                when{' '}
                <select aria-label={`Rule ${i + 1}: condition field`} value={r.condField} onChange={(ev) => setRule(i, { condField: ev.target.value })}>
                  <option value="">always</option>
                  {['priority', 'category', 'channel'].map((b) => (
                    <option key={b} value={b}>
                      {titleCase(b)}
                    </option>
                  ))}
                  {(fields.data ?? [])
                    .filter((f) => !f.archived)
                    .map((f) => (
                      <option key={f.key} value={f.key}>
                        {f.label}
                      </option>
                    ))}
                </select>
              </label>
              {r.condField && (
                <>
                  <select aria-label={`Rule ${i + 1}: operator`} value={r.condOp} onChange={(ev) => setRule(i, { condOp: ev.target.value as CondOp })}>
                    {COND_OPS.map((o) => (
                      <option key={o.value} value={o.value}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                  <input aria-label={`Rule ${i + 1}: value`} value={r.condValue} maxLength={200} placeholder={r.condOp === 'in' ? 'a, b' : '200'} onChange={(ev) => setRule(i, { condValue: ev.target.value })} />
                </>
              )}
              <button type="button" className="btn btn-small btn-danger" aria-label={`Remove approval rule ${i + 1}`} onClick={() => set({ approvals: d.approvals.filter((_, j) => j !== i) })}>
                ×
              </button>
            </div>
            <CheckboxGroup legend={`Rule ${i + 1}: approved by`} options={ROLES.map((x) => ({ value: x, label: titleCase(x) }))} value={r.roles} onChange={(roles) => setRule(i, { roles })} errors={e[`approvals.${i}`]} />
          </div>
        ))}
        <button type="button" className="btn btn-small" disabled={!statuses.length} onClick={() => set({ approvals: [...d.approvals, { to: statuses[statuses.length - 1] ?? '', condField: '', condOp: 'gt', condValue: '', roles: ['admin'] }] })}>
          + Approval rule
        </button>
        <FieldError messages={e.approvals} />
      </fieldset>
      {type && (
        <label className="check">
          <input type="checkbox" checked={d.archived} onChange={(ev) => set({ archived: ev.target.checked })} /> Archived (new tickets cannot get it)
        </label>
      )}
      <FormErrors messages={[...errors.other, ...(e.archived ?? [])]} />
      <FormButtons saving={save.isPending} onCancel={done} label={type ? 'Save type' : 'Create type'} />
    </form>
  );
}

type Row = TypeRead & { name: string };

function typeSummary(t: TypeRead): string {
  const parts = [t.key];
  if (t.archived) parts.push('archived');
  parts.push(t.statuses ? `${t.statuses.length} statuses` : 'every status');
  parts.push(t.transitions ? `${t.transitions.reduce((n, x) => n + x.to.length, 0)} moves` : 'any move');
  const required = Object.values(t.required_fields).reduce((n, l) => n + l.length, 0);
  if (required) parts.push(`${required} required`);
  if (t.approvals.length) parts.push(`${t.approvals.length} approval rule${t.approvals.length === 1 ? '' : 's'}`);
  return parts.join(' · ');
}

export function TicketTypesPage() {
  return (
    <Page title="Ticket types" intro="Each type has its lifecycle: the statuses it uses, the moves allowed by role, what must be filled in, and what needs an approver.">
      <Collection<Row>
        queryKey="ticket-types"
        noun="ticket type"
        plural="ticket types"
        ordered
        removeLabel="Archive"
        empty="Add a type such as “Return” with its own lifecycle."
        calls={{
          list: async () => (await unwrap(api.GET('/api/v1/ticket-types'))).map((t) => ({ ...t, id: t.key })),
          update: (key, body) => unwrap(api.PATCH('/api/v1/ticket-types/{type_key}', { params: { path: { type_key: key } }, body: { position: body.position } })),
          remove: (key) => unwrap(api.DELETE('/api/v1/ticket-types/{type_key}', { params: { path: { type_key: key } } })),
        }}
        summary={typeSummary}
        renderForm={(item, done) => <TypeForm type={item} done={done} />}
      />
    </Page>
  );
}
