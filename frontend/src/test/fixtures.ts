import type { Ticket } from '../api/client';

export function makeTicket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    id: '00000000-0000-0000-0000-000000000001',
    key: 'TKT-1',
    number: 1,
    subject: 'Cannot log in',
    description: '',
    status: 'open',
    status_category: 'open',
    priority: 'normal',
    type: null,
    category: null,
    channel: 'email',
    requester: { id: 'r', email: 'pat@example.com', name: 'Pat' },
    assignee: null,
    team: null,
    labels: [],
    custom_fields: {},
    conversation_id: null,
    merged_into: null,
    sla: { first_response_due_at: null, next_response_due_at: null, resolution_due_at: null, first_responded_at: null, state: 'none' },
    csat: null,
    created_at: '2026-11-20T09:00:00Z',
    updated_at: '2026-11-20T09:00:00Z',
    resolved_at: null,
    closed_at: null,
    version: 1,
    ...overrides,
  };
}
