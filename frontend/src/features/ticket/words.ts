// Times said in words for the ticket workspace: SLA clocks ("First response due in 2 h 10 min",
// "Breached 3 h ago") and server sentences whose raw RFC 3339 timestamps are made readable.
import type { Ticket } from '../../api/client';
import { absolute } from '../../lib/format';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "45 min", "2 h 10 min", "3 d 4 h", "less than a minute": two units at most. */
export function durationWords(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < MINUTE) return 'less than a minute';
  if (abs < HOUR) return `${Math.floor(abs / MINUTE)} min`;
  if (abs < DAY) {
    const h = Math.floor(abs / HOUR);
    const m = Math.floor((abs % HOUR) / MINUTE);
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  const d = Math.floor(abs / DAY);
  const h = Math.floor((abs % DAY) / HOUR);
  return h ? `${d} d ${h} h` : `${d} d`;
}

/** Whole minutes of a target as words: 60 → "1 h", 1440 → "1 d", 90 → "1 h 30 min". */
export function minutesWords(minutes: number): string {
  return durationWords(minutes * MINUTE);
}

export type ClockTone = 'ok' | 'warn' | 'bad' | 'done' | 'idle';
export type ClockWords = { metric: string; text: string; tone: ClockTone; at: string | null };

const METRIC_LABEL = { first_response: 'First response', next_response: 'Next response', resolution: 'Resolution' } as const;
export type Metric = keyof typeof METRIC_LABEL;

/**
 * One SLA clock of a ticket in words. `at_risk` (80 % of the target gone) is the ticket's
 * state; a clock within the last fifth of an hour-scale target is flagged too.
 */
export function clockWords(
  metric: Metric,
  due: string | null | undefined,
  done: string | null | undefined,
  state: Ticket['sla']['state'],
  now: number,
): ClockWords {
  const label = METRIC_LABEL[metric];
  if (done) {
    const late = due ? Date.parse(done) - Date.parse(due) : 0;
    return late > MINUTE
      ? { metric, text: `${label} met ${durationWords(late)} late`, tone: 'bad', at: done }
      : { metric, text: `${label} met`, tone: 'done', at: done };
  }
  if (!due) return { metric, text: `No ${label.toLowerCase()} target`, tone: 'idle', at: null };
  if (state === 'paused') return { metric, text: `${label} paused while waiting on the customer`, tone: 'idle', at: due };
  const left = Date.parse(due) - now;
  if (left <= 0) return { metric, text: `${label} breached ${durationWords(left)} ago`, tone: 'bad', at: due };
  return {
    metric,
    text: `${label} due in ${durationWords(left)}`,
    tone: state === 'at_risk' || state === 'breached' ? 'warn' : 'ok',
    at: due,
  };
}

/** The clocks a ticket shows: first response, next response (when set), resolution. */
export function ticketClocks(ticket: Pick<Ticket, 'sla' | 'resolved_at' | 'status_category'>, now: number): ClockWords[] {
  const { sla } = ticket;
  const finished = ticket.status_category === 'solved' || ticket.status_category === 'closed';
  const clocks = [clockWords('first_response', sla.first_response_due_at, sla.first_responded_at, sla.state, now)];
  if (sla.next_response_due_at && !finished) clocks.push(clockWords('next_response', sla.next_response_due_at, null, sla.state, now));
  clocks.push(clockWords('resolution', sla.resolution_due_at, ticket.resolved_at, sla.state, now));
  return clocks;
}

// 2026-11-21T09:30:00.123456+00:00, 2026-11-21T09:30:00Z, 2026-11-21 09:30:00
const TIMESTAMP = /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\b/g;

/** A server sentence with every raw timestamp replaced by a local, minute-precise date. */
export function humanizeTimestamps(text: string): string {
  return text.replace(TIMESTAMP, (raw) => {
    const ms = Date.parse(raw.includes('T') ? raw : raw.replace(' ', 'T'));
    return Number.isNaN(ms) ? raw : absolute(new Date(ms).toISOString());
  });
}

export type ClockExplanation = {
  metric: Metric;
  state: 'running' | 'paused' | 'met' | 'breached' | 'stopped';
  target_minutes: number;
  started_at: string;
  due_at?: string | null;
  completed_at?: string | null;
  remaining_minutes: number;
};

/** "Why these times?" for one clock, from the explanation's fields (never its raw timestamps). */
export function explainClock(clock: ClockExplanation, counting: string, now: number): string {
  const label = METRIC_LABEL[clock.metric];
  const head = `${label}: ${minutesWords(clock.target_minutes)} of ${counting}, counted from ${absolute(clock.started_at)}`;
  switch (clock.state) {
    case 'met':
      return `${head}. Met on ${absolute(clock.completed_at)}.`;
    case 'breached':
      if (clock.completed_at) return `${head}. Answered late, on ${absolute(clock.completed_at)}.`;
      return `${head}. Due ${absolute(clock.due_at)}: breached ${durationWords(now - Date.parse(clock.due_at ?? ''))} ago.`;
    case 'paused':
      return `${head}. Paused; ${minutesWords(clock.remaining_minutes)} left once it resumes.`;
    case 'stopped':
      return `${head}. The ticket was solved first, so it no longer applies.`;
    default:
      return clock.due_at
        ? `${head}. Due ${absolute(clock.due_at)}, in ${durationWords(Date.parse(clock.due_at) - now)}.`
        : `${head}.`;
  }
}
