// @mentions by name. The server resolves `@Full Name`, `@email` and `@handle` in internal notes
// (notifications/observers.py); the composer writes `@Full Name` so the posted note reads as a
// name, and chips show who will be notified. Older notes with `@email` are shown by name too.
import type { User } from '../../api/client';

/** Replace the `@query` being typed with `@Full Name `. */
export function insertNameMention(
  text: string,
  at: { start: number; query: string },
  user: Pick<User, 'name'>,
): { text: string; caret: number } {
  const token = `@${user.name} `;
  const end = at.start + 1 + at.query.length;
  return { text: text.slice(0, at.start) + token + text.slice(end), caret: at.start + token.length };
}

const boundary = (ch: string | undefined) => ch === undefined || !/[\p{L}\p{N}_]/u.test(ch);

function mentionsAt(lowered: string, token: string): boolean {
  let at = lowered.indexOf(token);
  while (at !== -1) {
    const before = lowered[at - 1];
    if ((before === undefined || !/[\p{L}\p{N}_@.+-]/u.test(before)) && boundary(lowered[at + token.length])) return true;
    at = lowered.indexOf(token, at + 1);
  }
  return false;
}

/** The users a note names (`@Full Name` or `@email`), in the order of `users`. */
export function mentionedUsers<U extends Pick<User, 'id' | 'name' | 'email'>>(body: string, users: U[]): U[] {
  if (!body.includes('@')) return [];
  const lowered = body.toLowerCase();
  return users.filter((u) => mentionsAt(lowered, `@${u.email.toLowerCase()}`) || (u.name.trim() && mentionsAt(lowered, `@${u.name.toLowerCase()}`)));
}

/** Remove every mention of `user` from the text (the chip's ×), leaving the words around it. */
export function removeMention(body: string, user: Pick<User, 'name' | 'email'>): string {
  let out = body;
  for (const token of [`@${user.email}`, `@${user.name}`]) {
    const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`${escaped} ?`, 'gi'), '');
  }
  return out;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;');
}

/**
 * The server's sanitized comment HTML with each `@email` / `@Full Name` of a known user shown
 * as a name chip. Only text between tags is touched, and never inside code.
 */
export function decorateMentions(html: string, users: Pick<User, 'name' | 'email'>[]): string {
  if (!html.includes('@') || users.length === 0) return html;
  const tokens = users
    .flatMap((u) => [
      { raw: escapeHtml(`@${u.email}`), user: u },
      ...(u.name.trim() ? [{ raw: escapeHtml(`@${u.name}`), user: u }] : []),
    ])
    .sort((a, b) => b.raw.length - a.raw.length);
  const pattern = new RegExp(
    `(^|[^\\p{L}\\p{N}_@.+-])(${tokens.map((t) => t.raw.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?![\\p{L}\\p{N}_])`,
    'giu',
  );
  let inCode = 0;
  return html
    .split(/(<[^>]*>)/)
    .map((part) => {
      if (part.startsWith('<')) {
        if (/^<(code|pre)\b/i.test(part)) inCode += 1;
        else if (/^<\/(code|pre)>/i.test(part)) inCode = Math.max(0, inCode - 1);
        return part;
      }
      if (inCode || !part.includes('@')) return part;
      return part.replace(pattern, (_m, lead: string, raw: string) => {
        const user = tokens.find((t) => t.raw.toLowerCase() === raw.toLowerCase())!.user;
        return `${lead}<span class="mention" title="${escapeHtml(user.email)}">@${escapeHtml(user.name)}</span>`;
      });
    })
    .join('');
}
