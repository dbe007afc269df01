import type { ReactNode } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { titleCase } from '../lib/format';

const STATUS_TONE: Record<string, string> = {
  open: 'blue',
  in_progress: 'amber',
  waiting: 'purple',
  resolved: 'green',
  closed: 'grey',
};
const CATEGORY_TONE: Record<string, string> = { open: 'blue', pending: 'purple', solved: 'green', closed: 'grey' };
const PRIORITY_TONE: Record<string, string> = { urgent: 'red', high: 'orange', normal: 'teal', low: 'slate' };

/** Status colours: open blue, in progress amber, waiting purple, resolved green, closed grey. */
export function statusTone(status: string, category?: string): string {
  return STATUS_TONE[status] ?? (category ? CATEGORY_TONE[category] : undefined) ?? 'grey';
}

/** Priority colours: urgent red, high orange, normal teal, low slate (hues no status uses). */
export function priorityTone(priority: string): string {
  return PRIORITY_TONE[priority] ?? 'grey';
}

export function StatusBadge({ status, category, label }: { status: string; category?: string; label?: string }) {
  return (
    <span className={`badge tone-${statusTone(status, category)}`} data-status={status}>
      {label ?? titleCase(status)}
    </span>
  );
}

export function PriorityBadge({ priority }: { priority: string }) {
  return (
    <span className={`badge badge-priority tone-${priorityTone(priority)}`} data-priority={priority}>
      <span className="dot" aria-hidden="true" />
      {titleCase(priority)}
    </span>
  );
}

export function LabelChip({ name, onRemove }: { name: string; onRemove?: () => void }) {
  return (
    <span className="chip">
      {name}
      {onRemove && (
        <button type="button" className="chip-x" aria-label={`Remove label ${name}`} onClick={onRemove}>
          ×
        </button>
      )}
    </span>
  );
}

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function ErrorState({ error, retry, title }: { error: unknown; retry?: () => void; title?: string }) {
  const status = error instanceof ApiError ? error.status : 0;
  const heading =
    title ??
    (status === 404
      ? 'Not found.'
      : status === 403
        ? 'You do not have access to this.'
        : status === 0 && error instanceof TypeError
          ? 'Could not reach the server.'
          : status >= 500
            ? 'The server had a problem.'
            : 'This could not be loaded.');
  return (
    <div className="error-state" role="alert">
      <strong>{heading}</strong> {errorMessage(error)}
      {retry && status !== 404 && status !== 403 && (
        <button type="button" className="btn btn-small" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <strong>{title}</strong>
      {children && <div className="muted">{children}</div>}
    </div>
  );
}

export function Avatar({ name }: { name: string }) {
  const initials = name
    .split(/\s+/)
    .slice(0, 2)
    .map((p) => p[0]?.toUpperCase() ?? '')
    .join('');
  return (
    <span className="avatar" aria-hidden="true">
      {initials}
    </span>
  );
}
