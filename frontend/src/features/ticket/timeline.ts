// The conversation of a ticket as one list in time: the description, the chat transcript's
// messages, public replies and internal notes.
import type { Comment, Schemas, Ticket } from '../../api/client';

export type ChatMessage = Schemas['MessageRead'];

export type TimelineItem =
  | { kind: 'description'; id: string; at: string; text: string }
  | { kind: 'chat'; id: string; at: string; message: ChatMessage }
  | { kind: 'comment'; id: string; at: string; comment: Comment };

const RANK: Record<TimelineItem['kind'], number> = { description: 0, chat: 1, comment: 2 };
/** An agent's public reply on a chat ticket is also appended to the chat: show it once. */
const ECHO_WINDOW_MS = 10 * 60_000;

/** The description a chat ticket gets by default is the transcript as text (conversations/service.py). */
export function isTranscriptText(description: string): boolean {
  return description.startsWith('Chat transcript\n');
}

export function buildTimeline(input: {
  ticket: Pick<Ticket, 'key' | 'description' | 'created_at'>;
  comments: Comment[];
  messages?: ChatMessage[] | null;
}): TimelineItem[] {
  const { ticket, comments } = input;
  const messages = input.messages ?? [];
  const items: TimelineItem[] = [];
  const description = ticket.description.trim();
  if (description && !(messages.length > 0 && isTranscriptText(description))) {
    items.push({ kind: 'description', id: `description-${ticket.key}`, at: ticket.created_at, text: ticket.description });
  }
  const replies = comments.filter((c) => c.visibility === 'public').map((c) => ({ body: c.body.trim(), at: Date.parse(c.created_at) }));
  for (const message of messages) {
    if (message.author === 'agent') {
      const sent = Date.parse(message.sent_at);
      const echo = replies.some((r) => r.body === message.body.trim() && Math.abs(r.at - sent) <= ECHO_WINDOW_MS);
      if (echo) continue;
    }
    items.push({ kind: 'chat', id: `chat-${message.id}`, at: message.sent_at, message });
  }
  for (const comment of comments) items.push({ kind: 'comment', id: comment.id, at: comment.created_at, comment });
  return items
    .map((item, index) => ({ item, index, t: Date.parse(item.at) }))
    .sort((a, b) => a.t - b.t || RANK[a.item.kind] - RANK[b.item.kind] || a.index - b.index)
    .map(({ item }) => item);
}
