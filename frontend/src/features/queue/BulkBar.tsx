import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { Ticket, TicketListQuery } from '../../api/client';
import { errorMessage } from '../../api/client';
import { allMatching, bulkUpdate, BULK_LIMIT, type BulkChanges, type BulkResult } from '../../api/bulk';
import { useCustomFields, useStatuses, useUsers } from '../../api/queries';
import { useMe } from '../../auth/session';
import { typedValue, type CfValue, type FieldDef } from '../../lib/customFields';
import { PRIORITIES } from '../../lib/filters';
import { titleCase } from '../../lib/format';
import { FieldInput } from '../ticket/CustomFields';

export function BulkBar(props: {
  selected: Set<string>;
  allMatching: boolean;
  matchingTotal: number;
  visibleCount: number;
  query: TicketListQuery;
  tickets: Ticket[];
  onSelectAllMatching: () => void;
  onClear: () => void;
  onDone: (report: BulkReport) => void;
}) {
  const me = useMe();
  const statuses = useStatuses();
  const users = useUsers();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState<string | null>(null);
  const [label, setLabel] = useState('');
  const count = props.allMatching ? Math.min(props.matchingTotal, BULK_LIMIT) : props.selected.size;

  const targets = async (): Promise<Ticket[]> =>
    props.allMatching ? allMatching(props.query) : props.tickets.filter((t) => props.selected.has(t.key));

  const apply = async (changes: BulkChanges, what: string) => {
    setBusy(what);
    try {
      const keys = (await targets()).map((t) => t.key);
      props.onDone({ results: await bulkUpdate(keys, changes), error: null });
    } catch (err) {
      props.onDone({ results: [], error: errorMessage(err) });
    } finally {
      setBusy(null);
      void queryClient.invalidateQueries({ queryKey: ['tickets'] });
      void queryClient.invalidateQueries({ queryKey: ['stats'] });
    }
  };

  return (
    <section className="bulkbar" aria-label="Bulk actions">
      <div className="bulk-row">
        <strong>{count} selected</strong>
        {!props.allMatching && props.matchingTotal > props.selected.size && props.selected.size >= props.visibleCount && (
          <button type="button" className="btn-link" onClick={props.onSelectAllMatching}>
            Select all {props.matchingTotal} matching
          </button>
        )}
        <select aria-label="Set status" value="" disabled={!!busy} onChange={(e) => e.target.value && void apply({ status: e.target.value }, 'status')}>
          <option value="">Set status…</option>
          {(statuses.data ?? []).map((s) => (
            <option key={s.name} value={s.name}>
              {s.label}
            </option>
          ))}
        </select>
        <select
          aria-label="Set priority"
          value=""
          disabled={!!busy}
          onChange={(e) => e.target.value && void apply({ priority: e.target.value as Ticket['priority'] }, 'priority')}
        >
          <option value="">Set priority…</option>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {titleCase(p)}
            </option>
          ))}
        </select>
        <select
          aria-label="Assign to"
          value=""
          disabled={!!busy}
          onChange={(e) => {
            const value = e.target.value;
            if (!value) return;
            void apply({ assignee_id: value === 'none' ? null : value }, 'assignee');
          }}
        >
          <option value="">Assign to…</option>
          {me.userId && <option value={me.userId}>Me</option>}
          <option value="none">Nobody (unassign)</option>
          {(users.data ?? [])
            .filter((u) => u.role !== 'viewer' && u.active && u.id !== me.userId)
            .map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
        </select>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (label.trim()) void apply({ add_labels: [label.trim().toLowerCase()] }, 'labels');
          }}
        >
          <input aria-label="Label to add or remove" placeholder="label" value={label} maxLength={50} onChange={(e) => setLabel(e.target.value)} />
          <button type="submit" className="btn btn-small" disabled={!!busy || !label.trim()}>
            Add label
          </button>
          <button
            type="button"
            className="btn btn-small"
            disabled={!!busy || !label.trim()}
            onClick={() => void apply({ remove_labels: [label.trim().toLowerCase()] }, 'labels')}
          >
            Remove label
          </button>
        </form>
        <BulkFieldEditor busy={!!busy} onApply={(key, value, label) => void apply({ custom_fields: { [key]: value as never } }, `field ${label}`)} />
        <button type="button" className="btn-link" onClick={props.onClear}>
          Clear selection
        </button>
        {busy && <span className="muted">Working…</span>}
      </div>
    </section>
  );
}

/** "Set field…": pick a custom field, enter a value with its kind's editor, set it (or clear
 *  it) on every selected ticket; each ticket's type and rules are checked by the server. */
function BulkFieldEditor({ busy, onApply }: { busy: boolean; onApply: (key: string, value: CfValue, label: string) => void }) {
  const defs = useCustomFields();
  const users = useUsers();
  const [key, setKey] = useState('');
  const [value, setValue] = useState<CfValue>(null);
  const fields = (defs.data ?? []).filter((f) => !f.archived).sort((a, b) => a.position - b.position);
  const field: FieldDef | undefined = fields.find((f) => f.key === key);
  const people = (users.data ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: u.name }));
  if (!fields.length) return null;
  const typed = field ? typedValue(field.kind, value) : null;
  return (
    <div className="bulk-field" role="group" aria-label="Set a custom field">
      <select
        aria-label="Set field"
        value={key}
        disabled={busy}
        onChange={(e) => {
          setKey(e.target.value);
          setValue(null);
        }}
      >
        <option value="">Set field…</option>
        {fields.map((f) => (
          <option key={f.key} value={f.key}>
            {f.label}
          </option>
        ))}
      </select>
      {field && (
        <>
          <FieldInput
            key={field.key}
            field={{ ...field, required: false }}
            value={value}
            onChange={setValue}
            commit={setValue}
            disabled={busy}
            id={`bulk-cf-${field.key}`}
            ariaLabel={`New ${field.label}`}
            invalid={false}
            people={people}
          />
          <button type="button" className="btn btn-small" disabled={busy || typed === null} onClick={() => onApply(field.key, typed, field.label)}>
            Set {field.label}
          </button>
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => onApply(field.key, null, field.label)}>
            Clear {field.label}
          </button>
        </>
      )}
    </div>
  );
}

/** What the last bulk change did, kept after the changed tickets leave the list. */
export interface BulkReport {
  results: BulkResult[];
  error: string | null;
}

export function BulkOutcome({ report, onDismiss }: { report: BulkReport; onDismiss: () => void }) {
  const failures = report.results.filter((r) => !r.ok);
  return (
    <div className={report.error || failures.length ? 'bulk-results flash flash-warn' : 'bulk-results flash'} role="status">
      {report.error ? (
        <span className="text-danger">{report.error}</span>
      ) : (
        <>
          {report.results.length - failures.length} of {report.results.length} tickets updated.
          {failures.length > 0 && (
            <ul className="bulk-failures">
              {failures.map((f) => (
                <li key={f.ticket} data-ticket={f.ticket}>
                  <Link to={`/tickets/${f.ticket}`}>
                    <strong>{f.ticket}</strong>
                  </Link>
                  : {f.waiting ? 'waits for an approver (not changed yet)' : (f.error?.detail ?? 'failed')}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <button type="button" className="btn-link" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
