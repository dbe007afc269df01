import type { Ticket } from '../api/client';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function span(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < MINUTE) return `${Math.max(0, Math.floor(abs / 1000))}s`;
  if (abs < HOUR) return `${Math.floor(abs / MINUTE)}m`;
  if (abs < DAY) {
    const h = Math.floor(abs / HOUR);
    const m = Math.floor((abs % HOUR) / MINUTE);
    return m ? `${h}h ${m}m` : `${h}h`;
  }
  const d = Math.floor(abs / DAY);
  const h = Math.floor((abs % DAY) / HOUR);
  return h ? `${d}d ${h}h` : `${d}d`;
}

/** "in 2h 5m" or "3h overdue" for an SLA due time. */
export function countdown(dueIso: string, now: number): { text: string; overdue: boolean } {
  const diff = Date.parse(dueIso) - now;
  if (diff < 0) return { text: `${span(diff)} overdue`, overdue: true };
  return { text: `in ${span(diff)}`, overdue: false };
}

/** "5m ago", "3h ago", "12d ago": one unit is enough for a glance. */
export function relative(iso: string, now: number = Date.now()): string {
  const diff = now - Date.parse(iso);
  if (diff < 45_000) return 'just now';
  return `${span(diff).split(' ')[0]} ago`;
}

export function absolute(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** The SLA target the agent is racing now: first response until answered, then resolution. */
export function nextDue(ticket: Ticket): string | null {
  if (ticket.status_category === 'solved' || ticket.status_category === 'closed') return null;
  if (ticket.sla.state === 'paused') return null;
  if (!ticket.sla.first_responded_at && ticket.sla.first_response_due_at) {
    return ticket.sla.first_response_due_at;
  }
  return ticket.sla.resolution_due_at ?? null;
}

export function titleCase(value: string): string {
  const text = value.replace(/[_-]+/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? '')
    .join('');
}
