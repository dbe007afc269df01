import type { Ticket } from '../api/client';

const COLUMNS: [string, (t: Ticket) => string][] = [
  ['key', (t) => t.key],
  ['subject', (t) => t.subject],
  ['status', (t) => t.status],
  ['priority', (t) => t.priority],
  ['type', (t) => t.type ?? ''],
  ['category', (t) => t.category ?? ''],
  ['channel', (t) => t.channel],
  ['requester', (t) => t.requester?.email ?? ''],
  ['assignee', (t) => t.assignee?.email ?? ''],
  ['team', (t) => t.team?.name ?? ''],
  ['labels', (t) => t.labels.join(' ')],
  ['created_at', (t) => t.created_at],
  ['updated_at', (t) => t.updated_at],
];

export function csvCell(value: string): string {
  // Neutralise spreadsheet formulas and quote anything with separators.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function ticketsToCsv(tickets: Ticket[]): string {
  const rows = [COLUMNS.map(([name]) => name).join(',')];
  for (const ticket of tickets) rows.push(COLUMNS.map(([, get]) => csvCell(get(ticket))).join(','));
  return `${rows.join('\r\n')}\r\n`;
}

export function download(filename: string, text: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
