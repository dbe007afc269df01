// The choices the admin forms pick from (statuses, agents, teams, labels, email templates), and
// the value picker of each action type, shared by automations and SLA escalations.
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, unwrap } from '../../api/client';
import { useCustomFields, useLabels, useStatuses, useTeams, useTicketTypes, useUsers } from '../../api/queries';
import type { FieldDef } from '../../lib/customFields';
import { FieldInput } from '../ticket/CustomFields';
import { CHANNELS, CHANNEL_LABELS, PRIORITIES, TICKET_TYPES } from '../../lib/filters';
import { titleCase } from '../../lib/format';
import { CheckboxGroup, TokenInput } from './form';
import { jsonText, type ActionType, type Json } from './rules';

export interface Option {
  value: string;
  label: string;
}

export interface Pickers {
  statuses: Option[];
  categories: Option[];
  priorities: Option[];
  channels: Option[];
  types: Option[];
  agents: Option[];
  teams: Option[];
  labels: string[];
  templates: string[];
  /** The custom field definitions (set_custom_field picks one and takes a value of its kind). */
  fields?: FieldDef[];
  /** A value in words: a user or team id as its name, a status as its label. */
  nameOf: (field: string, value: Json) => string;
}

const options = (values: readonly string[]): Option[] => values.map((v) => ({ value: v, label: titleCase(v) }));

export function usePickers(): Pickers {
  const statuses = useStatuses();
  const users = useUsers();
  const teams = useTeams();
  const labels = useLabels();
  const ticketTypes = useTicketTypes();
  const fields = useCustomFields();
  const templates = useQuery({ queryKey: ['email-templates'], queryFn: () => unwrap(api.GET('/api/v1/email/templates')), staleTime: 5 * 60_000 });
  return useMemo(() => {
    const statusOptions = (statuses.data ?? []).map((s) => ({ value: s.name, label: s.label }));
    const agents = (users.data ?? []).filter((u) => u.role !== 'viewer' && u.active).map((u) => ({ value: u.id, label: u.name }));
    const teamOptions = (teams.data ?? []).map((t) => ({ value: t.id, label: t.name }));
    const find = (list: Option[], v: string) => list.find((o) => o.value === v)?.label;
    const everyone = (users.data ?? []).map((u) => ({ value: u.id, label: u.name }));
    return {
      statuses: statusOptions,
      categories: options(['open', 'pending', 'solved', 'closed']),
      priorities: options(PRIORITIES),
      channels: CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] ?? c })),
      types: ticketTypes.data ? ticketTypes.data.filter((t) => !t.archived).map((t) => ({ value: t.key, label: t.name })) : options(TICKET_TYPES),
      agents,
      teams: teamOptions,
      labels: (labels.data ?? []).map((l) => l.name),
      // the survey email carries its own link: the `send_survey` action sends it
      templates: (templates.data ?? []).map((t) => t.kind).filter((kind) => kind !== 'csat_survey'),
      fields: (fields.data ?? []).filter((f) => !f.archived),
      nameOf: (field: string, value: Json) => {
        if (value === null) return 'nobody';
        const text = jsonText(value);
        if (field === 'assignee' || field === 'assign' || field === 'notify') return find(everyone, text) ?? (text === 'round_robin' ? 'round robin' : text.replace(/_/g, ' '));
        if (field === 'team' || field === 'set_team') return find(teamOptions, text) ?? text;
        if (field === 'status' || field === 'set_status') return find(statusOptions, text) ?? text;
        return text;
      },
    };
  }, [statuses.data, users.data, teams.data, labels.data, templates.data, ticketTypes.data, fields.data]);
}

const NONE = '__none';

/** A select over `choices` where null is shown as `noneLabel` (when given). */
export function NullableSelect({
  value,
  onChange,
  choices,
  noneLabel,
  ...aria
}: {
  value: string | null;
  onChange: (v: string | null) => void;
  choices: Option[];
  noneLabel?: string;
  id?: string;
  'aria-label'?: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}) {
  const known = value === null || choices.some((c) => c.value === value);
  return (
    <select value={value ?? NONE} onChange={(e) => onChange(e.target.value === NONE ? null : e.target.value)} {...aria}>
      {noneLabel !== undefined && <option value={NONE}>{noneLabel}</option>}
      {!known && <option value={value ?? ''}>{value}</option>}
      {choices.map((c) => (
        <option key={c.value} value={c.value}>
          {c.label}
        </option>
      ))}
    </select>
  );
}

const str = (v: Json): string => jsonText(v);
const obj = (v: Json): Record<string, Json> => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
const list = (v: Json): string[] => (Array.isArray(v) ? v.map(str) : v === null || v === '' ? [] : [str(v)]);

/** The value picker for one action type. */
export function ActionValue({
  type,
  value,
  onChange,
  label,
  pickers,
  assignChoices,
}: {
  type: ActionType;
  value: Json;
  onChange: (v: Json) => void;
  label: string;
  pickers: Pickers;
  /** Who `assign` offers besides nobody (default: round robin, least loaded, every agent). */
  assignChoices?: Option[];
}) {
  switch (type) {
    case 'set_status':
      return <NullableSelect aria-label={label} value={str(value)} onChange={(v) => onChange(v)} choices={pickers.statuses} />;
    case 'set_priority':
      return <NullableSelect aria-label={label} value={str(value)} onChange={(v) => onChange(v)} choices={pickers.priorities} />;
    case 'set_type':
      return <NullableSelect aria-label={label} value={value === null || value === '' ? null : str(value)} onChange={onChange} choices={pickers.types} noneLabel="No type (clear)" />;
    case 'set_category':
      return <input aria-label={label} value={str(value)} maxLength={50} placeholder="billing (empty clears)" onChange={(e) => onChange(e.target.value.trim().toLowerCase())} />;
    case 'set_team':
      return <NullableSelect aria-label={label} value={value === null ? null : str(value)} onChange={onChange} choices={pickers.teams} noneLabel="No team" />;
    case 'assign':
      return (
        <NullableSelect
          aria-label={label}
          value={value === null ? null : str(value)}
          onChange={onChange}
          noneLabel="Nobody (unassign)"
          choices={assignChoices ?? [{ value: 'round_robin', label: 'Round robin (next agent in turn)' }, { value: 'least_loaded', label: 'Least loaded agent' }, ...pickers.agents]}
        />
      );
    case 'add_labels':
    case 'remove_labels':
      return <TokenInput aria-label={label} value={list(value)} onChange={onChange} suggestions={pickers.labels} lowercase maxLength={50} placeholder="Type a label, Enter" />;
    case 'set_custom_field': {
      const o = obj(value);
      const defined = pickers.fields ?? [];
      const chosen = defined.find((f) => f.key === str(o.key ?? ''));
      if (defined.length)
        return (
          <span className="inline-fields">
            <NullableSelect aria-label={`${label}: field`} value={str(o.key ?? '') || null} noneLabel="Choose a field" onChange={(key) => onChange({ key: key ?? '', value: null })} choices={defined.map((f) => ({ value: f.key, label: f.label }))} />
            {chosen && (
              <FieldInput
                field={chosen}
                value={o.value ?? null}
                onChange={(v) => onChange({ ...o, value: v as Json })}
                commit={(v) => onChange({ ...o, value: v as Json })}
                disabled={false}
                id={`${label}-value`.replace(/\W+/g, '-')}
                invalid={false}
                people={pickers.agents}
                ariaLabel={`${label}: value`}
              />
            )}
          </span>
        );
      return (
        <span className="inline-fields">
          <input aria-label={`${label}: field key`} placeholder="field key" value={str(o.key ?? '')} maxLength={64} onChange={(e) => onChange({ ...o, key: e.target.value.trim() })} />
          <input aria-label={`${label}: field value`} placeholder="value" value={str(o.value ?? '')} maxLength={2000} onChange={(e) => onChange({ ...o, value: e.target.value })} />
        </span>
      );
    }
    case 'add_comment': {
      const o = typeof value === 'string' ? { body: value, visibility: 'internal' } : obj(value);
      return (
        <span className="inline-fields stack">
          <textarea aria-label={`${label}: comment`} rows={2} value={str(o.body ?? '')} maxLength={10_000} onChange={(e) => onChange({ ...o, body: e.target.value })} />
          <select aria-label={`${label}: visibility`} value={str(o.visibility ?? 'internal')} onChange={(e) => onChange({ ...o, visibility: e.target.value })}>
            <option value="internal">Internal note</option>
            <option value="public">Public reply</option>
          </select>
        </span>
      );
    }
    case 'send_email': {
      const o = obj(value);
      const to = str(o.to ?? 'requester');
      return (
        <span className="inline-fields">
          <NullableSelect aria-label={`${label}: template`} value={str(o.template ?? '')} onChange={(v) => onChange({ ...o, template: v })} choices={pickers.templates.map((t) => ({ value: t, label: titleCase(t) }))} />
          <select aria-label={`${label}: to`} value={to === 'requester' ? 'requester' : 'address'} onChange={(e) => onChange({ ...o, to: e.target.value === 'requester' ? 'requester' : '' })}>
            <option value="requester">to the requester</option>
            <option value="address">to an address</option>
          </select>
          {to !== 'requester' && (
            <input aria-label={`${label}: address`} type="email" placeholder="team@example.com" value={to} maxLength={320} onChange={(e) => onChange({ ...o, to: e.target.value.trim() })} />
          )}
        </span>
      );
    }
    case 'notify':
      return (
        <CheckboxGroup
          legend={`${label}: who`}
          value={list(value)}
          onChange={onChange}
          options={[{ value: 'assignee', label: 'The assignee' }, { value: 'team', label: 'The team' }, ...pickers.agents]}
        />
      );
    case 'send_survey':
      return <span className="muted">to the requester, now; never twice for a ticket</span>;
  }
}
