import { describe, expect, it } from 'vitest';
import {
  describeMacroActions,
  emptyMacro,
  insertPlaceholder,
  macroFromRead,
  macroProblems,
  macroToBody,
  newMacroAction,
  renderPreview,
  sampleContext,
  unknownPlaceholders,
  type MacroRead,
} from './macroForm';

const names = (_field: string, value: unknown) => (value === 'solved' ? 'Solved' : String(value));

describe('the macro renderer', () => {
  const context = sampleContext({ name: 'Bob Agent', email: 'bob@example.com' }, 'Acme');

  it('fills placeholders with the sample ticket, the agent and the workspace', () => {
    const body = 'Hi {{ requester.first_name }}, about {{ticket.key}} ({{ ticket.labels }}): {{ agent.name }} at {{ workspace.name }}.';
    expect(renderPreview(body, context)).toBe('Hi Ada, about TKT-42 (shipping): Bob Agent at Acme.');
    expect(renderPreview('{{ ticket.custom_fields.order_id }}', context)).toBe('78932');
    // template syntax beyond a plain name is left to the server
    expect(renderPreview('{{ ticket.subject | upper }} {% if x %}', context)).toBe('{{ ticket.subject | upper }} {% if x %}');
  });

  it('finds placeholders a ticket does not have, as the server would refuse them', () => {
    expect(unknownPlaceholders('{{ requester.first_name }} {{ customer.name }} {{ ticket.requestor.email }}')).toEqual(['customer', 'ticket.requestor']);
    expect(unknownPlaceholders('{{ ticket.custom_fields.anything }} {{ ticket.subject|upper }}')).toEqual([]);
  });

  it('inserts a placeholder at the caret', () => {
    expect(insertPlaceholder('Hi ,', 3, 3, 'requester.first_name')).toEqual({ text: 'Hi {{ requester.first_name }},', caret: 29 });
  });
});

describe('the macro form', () => {
  it('goes to the API body and back', () => {
    const read: MacroRead = {
      id: 'm1',
      name: 'Refund issued',
      body: 'Hi {{ requester.first_name }}',
      visibility: 'public',
      actions: [
        { type: 'set_status', value: 'solved' },
        { type: 'assign', value: 'me' },
        { type: 'add_labels', value: ['refund'] },
      ],
      shared: false,
      owner_id: 'u1',
      created_at: '2026-12-01T00:00:00Z',
      updated_at: '2026-12-01T00:00:00Z',
    };
    const form = macroFromRead(read);
    expect(macroToBody(form)).toEqual({ name: 'Refund issued', body: 'Hi {{ requester.first_name }}', visibility: 'public', shared: false, actions: read.actions });
    expect(describeMacroActions(form.actions, names)).toBe('status → Solved, assign to me, add labels refund');
    expect(macroToBody({ ...form, body: '  ' }).body).toBeNull();
  });

  it('says what is missing before it is sent', () => {
    expect(macroProblems(emptyMacro(false))).toEqual({ name: 'Give the macro a name.', body: 'Write a reply or add a ticket change (or both).' });
    const labels = { ...newMacroAction('add_labels') };
    expect(macroProblems({ ...emptyMacro(true), name: 'x', body: '{{ nope }}', actions: [labels] })).toEqual({
      body: 'Unknown placeholder {{ nope }}.',
      'actions.0': 'Name at least one label.',
    });
    expect(newMacroAction('assign').value).toBe('me');
  });
});
