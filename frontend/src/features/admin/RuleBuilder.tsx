// The automation rule builder: conditions as field / operator / value pickers in "all of" and
// "any of" groups (nested up to three levels), and actions as a type and its value picker.
import { CheckboxGroup, FieldError, TokenInput } from './form';
import { ActionValue, NullableSelect, type Option, type Pickers } from './pickers';
import {
  ACTION_TYPES,
  CONDITION_FIELDS,
  CUSTOM_PREFIX,
  MAX_DEPTH,
  NUMERIC_OPS,
  defaultActionValue,
  fieldKind,
  jsonText,
  newAction,
  newCondition,
  newGroup,
  operatorLabel,
  operatorsFor,
  withField,
  withOperator,
  type ActionRow,
  type ConditionRow,
  type Conditions,
  type Json,
  type Operator,
  type Row,
} from './rules';

function choicesFor(field: string, pickers: Pickers) {
  switch (field) {
    case 'channel':
      return pickers.channels;
    case 'status':
      return pickers.statuses;
    case 'status_category':
      return pickers.categories;
    case 'priority':
      return pickers.priorities;
    case 'type':
      return pickers.types;
    case 'assignee':
      return pickers.agents;
    case 'team':
      return pickers.teams;
    default:
      return null;
  }
}

function ConditionValue({ row, onChange, label, pickers }: { row: ConditionRow; onChange: (v: Json) => void; label: string; pickers: Pickers }) {
  const kind = fieldKind(row.field);
  if (row.op === 'is_empty') return null;
  if (NUMERIC_OPS.includes(row.op) || kind === 'number') {
    return (
      <input
        type="number"
        aria-label={label}
        className="input-number"
        value={typeof row.value === 'number' ? row.value : ''}
        step="any"
        onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))}
      />
    );
  }
  const choices = choicesFor(row.field, pickers);
  const values = Array.isArray(row.value) ? row.value.map(jsonText) : [];
  if (row.op === 'in') {
    if (choices) return <CheckboxGroup legend={label} options={choices} value={values} onChange={onChange} />;
    return <TokenInput aria-label={label} value={values} onChange={onChange} suggestions={kind === 'labels' ? pickers.labels : []} lowercase={kind === 'labels' || kind === 'slug'} placeholder="Type a value, Enter" />;
  }
  if (choices) {
    const nobody = kind === 'user' ? 'Nobody (unassigned)' : kind === 'team' ? 'No team' : undefined;
    return <NullableSelect aria-label={label} value={row.value === null ? null : jsonText(row.value)} onChange={onChange} choices={choices} noneLabel={nobody} />;
  }
  return (
    <input
      aria-label={label}
      value={typeof row.value === 'string' || typeof row.value === 'number' ? row.value : ''}
      maxLength={row.op === 'matches' ? 200 : 500}
      list={kind === 'labels' ? 'rule-label-names' : undefined}
      placeholder={row.op === 'matches' ? 'regular expression' : 'value'}
      onChange={(e) => onChange(kind === 'labels' || kind === 'slug' ? e.target.value.toLowerCase() : e.target.value)}
    />
  );
}

function ConditionEditor({ row, onChange, onRemove, label, pickers, problem }: { row: ConditionRow; onChange: (r: ConditionRow) => void; onRemove: () => void; label: string; pickers: Pickers; problem?: string }) {
  const custom = row.field.startsWith(CUSTOM_PREFIX);
  const kind = fieldKind(row.field);
  return (
    <li className="rule-row" data-invalid={problem ? true : undefined}>
      <div className="rule-row-controls">
        <select aria-label={`${label} field`} value={custom ? CUSTOM_PREFIX : row.field} onChange={(e) => onChange(withField(row, e.target.value))}>
          {CONDITION_FIELDS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
          <option value={CUSTOM_PREFIX}>Custom field…</option>
        </select>
        {custom && (
          <input
            aria-label={`${label} custom field key`}
            placeholder="field key"
            value={row.field.slice(CUSTOM_PREFIX.length)}
            maxLength={64}
            onChange={(e) => onChange({ ...row, field: CUSTOM_PREFIX + e.target.value.trim() })}
          />
        )}
        <select aria-label={`${label} operator`} value={row.op} onChange={(e) => onChange(withOperator(row, e.target.value as Operator))}>
          {operatorsFor(row.field).map((op) => (
            <option key={op} value={op}>
              {operatorLabel(kind, op)}
            </option>
          ))}
        </select>
        <ConditionValue row={row} label={`${label} value`} pickers={pickers} onChange={(value) => onChange({ ...row, value })} />
        <button type="button" className="btn btn-small btn-ghost" aria-label={`Remove ${label}`} onClick={onRemove}>
          ×
        </button>
      </div>
      <FieldError messages={problem ? [problem] : undefined} />
    </li>
  );
}

function RowList({
  rows,
  onChange,
  label,
  depth,
  pickers,
  problems,
}: {
  rows: Row[];
  onChange: (rows: Row[]) => void;
  label: string;
  depth: number;
  pickers: Pickers;
  problems: Map<string, string>;
}) {
  const set = (i: number, row: Row) => onChange(rows.map((r, j) => (j === i ? row : r)));
  const remove = (i: number) => onChange(rows.filter((_, j) => j !== i));
  return (
    <>
      {rows.length > 0 && (
        <ul className="rule-rows">
          {rows.map((row, i) =>
            row.kind === 'group' ? (
              <li key={row.id} className="rule-group-item">
                <GroupEditor
                  group={row}
                  onChange={(g) => set(i, { ...row, ...g })}
                  label={`${label} group ${i + 1}`}
                  depth={depth + 1}
                  pickers={pickers}
                  problems={problems}
                />
                <button type="button" className="btn-link" onClick={() => remove(i)}>
                  Remove group
                </button>
              </li>
            ) : (
              <ConditionEditor key={row.id} row={row} label={`${label} condition ${i + 1}`} pickers={pickers} problem={problems.get(row.id)} onChange={(r) => set(i, r)} onRemove={() => remove(i)} />
            ),
          )}
        </ul>
      )}
      <div className="row">
        <button type="button" className="btn btn-small" onClick={() => onChange([...rows, newCondition()])}>
          + Condition
        </button>
        {depth < MAX_DEPTH && (
          <button type="button" className="btn btn-small" onClick={() => onChange([...rows, newGroup()])}>
            + Group
          </button>
        )}
      </div>
    </>
  );
}

function GroupEditor({
  group,
  onChange,
  label,
  depth,
  pickers,
  problems,
}: {
  group: Conditions;
  onChange: (g: Conditions) => void;
  label: string;
  depth: number;
  pickers: Pickers;
  problems: Map<string, string>;
}) {
  const top = depth === 1;
  return (
    <div className={top ? 'rule-group' : 'rule-group nested'} role="group" aria-label={top ? 'Conditions' : label}>
      <div className="rule-section">
        <h4>{top ? 'All of these must be true' : 'All of'}</h4>
        <RowList rows={group.all} onChange={(all) => onChange({ ...group, all })} label={`${top ? '' : `${label} `}All`.trim()} depth={depth} pickers={pickers} problems={problems} />
      </div>
      <div className="rule-section">
        <h4>{top ? '…and at least one of these (optional)' : 'and any of'}</h4>
        <RowList rows={group.any} onChange={(any) => onChange({ ...group, any })} label={`${top ? '' : `${label} `}Any`.trim()} depth={depth} pickers={pickers} problems={problems} />
      </div>
    </div>
  );
}

/** The conditions of a rule; `problems` are the client-side ones, by row id. */
export function ConditionsEditor({ value, onChange, pickers, problems, errors }: { value: Conditions; onChange: (c: Conditions) => void; pickers: Pickers; problems: Map<string, string>; errors?: string[] }) {
  return (
    <div className="rule-conditions">
      <GroupEditor group={value} onChange={onChange} label="Conditions" depth={1} pickers={pickers} problems={problems} />
      <datalist id="rule-label-names">
        {pickers.labels.map((l) => (
          <option key={l} value={l} />
        ))}
      </datalist>
      <FieldError messages={errors} />
    </div>
  );
}

/** The actions of a rule, in order; `errorsAt(i)` gives the server's messages for action i.
 * Macros use it too, with their own action types, fresh values and "assign to me". */
export function ActionsEditor({
  value,
  onChange,
  pickers,
  errorsAt,
  errors,
  types = ACTION_TYPES,
  defaults = {},
  assignChoices,
  minimum = 1,
  addType = 'add_labels',
}: {
  value: ActionRow[];
  onChange: (a: ActionRow[]) => void;
  pickers: Pickers;
  errorsAt: (i: number) => string[] | undefined;
  errors?: string[];
  types?: { value: ActionRow['type']; label: string }[];
  defaults?: Partial<Record<ActionRow['type'], Json>>;
  assignChoices?: Option[];
  minimum?: number;
  addType?: ActionRow['type'];
}) {
  const set = (i: number, row: ActionRow) => onChange(value.map((r, j) => (j === i ? row : r)));
  const move = (i: number, delta: -1 | 1) => {
    const next = [...value];
    [next[i], next[i + delta]] = [next[i + delta]!, next[i]!];
    onChange(next);
  };
  const choices = { teams: pickers.teams.map((t) => t.value), templates: pickers.templates };
  return (
    <div className="rule-actions" role="group" aria-label="Actions">
      <ol className="rule-rows">
        {value.map((action, i) => {
          const label = `Action ${i + 1}`;
          return (
            <li key={action.id} className="rule-row" data-invalid={errorsAt(i) ? true : undefined}>
              <div className="rule-row-controls">
                <select aria-label={`${label} type`} value={action.type} onChange={(e) => {
                  const type = e.target.value as ActionRow['type'];
                  set(i, { ...action, type, value: type in defaults ? defaults[type]! : defaultActionValue(type, choices) });
                }}>
                  {types.map((t) => (
                    <option key={t.value} value={t.value}>
                      {t.label}
                    </option>
                  ))}
                </select>
                <ActionValue type={action.type} value={action.value} label={`${label} value`} pickers={pickers} assignChoices={assignChoices} onChange={(v) => set(i, { ...action, value: v })} />
                <span className="rule-row-tools">
                  <button type="button" className="btn btn-small btn-ghost" aria-label={`Move ${label} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                    ↑
                  </button>
                  <button type="button" className="btn btn-small btn-ghost" aria-label={`Move ${label} down`} disabled={i === value.length - 1} onClick={() => move(i, 1)}>
                    ↓
                  </button>
                  <button type="button" className="btn btn-small btn-ghost" aria-label={`Remove ${label}`} disabled={value.length <= minimum} onClick={() => onChange(value.filter((_, j) => j !== i))}>
                    ×
                  </button>
                </span>
              </div>
              <FieldError messages={errorsAt(i)} />
            </li>
          );
        })}
      </ol>
      <div className="row">
        <button type="button" className="btn btn-small" disabled={value.length >= 20} onClick={() => {
            const row = newAction(addType, choices);
            onChange([...value, addType in defaults ? { ...row, value: defaults[addType]! } : row]);
          }}>
          + Action
        </button>
      </div>
      <FieldError messages={errors} />
    </div>
  );
}
