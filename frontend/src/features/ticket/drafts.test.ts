import { afterEach, describe, expect, it } from 'vitest';
import { MAX_DRAFTS, clearDraft, loadDraft, saveDraft } from './drafts';

describe('composer drafts', () => {
  afterEach(() => localStorage.clear());

  it('keeps a draft per ticket until it is cleared', () => {
    saveDraft('TKT-1', 'Hello Pat', 'public', 10);
    saveDraft('TKT-2', 'a note', 'internal', 11);
    expect(loadDraft('TKT-1')).toEqual({ body: 'Hello Pat', mode: 'public', savedAt: 10 });
    expect(loadDraft('TKT-2')?.mode).toBe('internal');
    clearDraft('TKT-1');
    expect(loadDraft('TKT-1')).toBeNull();
    expect(loadDraft('TKT-2')?.body).toBe('a note');
  });

  it('forgets a draft emptied to blanks, and ignores what it cannot read', () => {
    saveDraft('TKT-1', 'x', 'public');
    saveDraft('TKT-1', '   ', 'public');
    expect(loadDraft('TKT-1')).toBeNull();
    localStorage.setItem('ticketdesk.draft.TKT-3', '{not json');
    expect(loadDraft('TKT-3')).toBeNull();
  });

  it('keeps only the newest drafts', () => {
    for (let i = 0; i <= MAX_DRAFTS; i++) saveDraft(`TKT-${i}`, `draft ${i}`, 'public', 1000 + i);
    expect(loadDraft('TKT-0')).toBeNull();
    expect(loadDraft(`TKT-${MAX_DRAFTS}`)?.body).toBe(`draft ${MAX_DRAFTS}`);
    expect(Object.keys(localStorage).filter((k) => k.startsWith('ticketdesk.draft.'))).toHaveLength(MAX_DRAFTS);
  });
});
