import type { User } from '../api/client';

/** The `@query` being typed just before the caret, if any. */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const match = /(^|\s)@([\w.+-]*)$/.exec(before);
  if (!match) return null;
  const query = match[2] ?? '';
  return { start: caret - query.length - 1, query };
}

export function mentionCandidates(users: User[], query: string, limit = 6): User[] {
  const q = query.toLowerCase();
  return users
    .filter((u) => u.active)
    .filter((u) => !q || u.name.toLowerCase().includes(q) || u.email.toLowerCase().startsWith(q))
    .slice(0, limit);
}

/** Replace the `@query` with the user's email (the API resolves `@email` mentions). */
export function insertMention(
  text: string,
  at: { start: number; query: string },
  user: User,
): { text: string; caret: number } {
  const token = `@${user.email} `;
  const end = at.start + 1 + at.query.length;
  return { text: text.slice(0, at.start) + token + text.slice(end), caret: at.start + token.length };
}
