"""Conversations: upsert by the widget's external id, append messages, spawn tickets.

An agent's public comment on a linked ticket is appended to the conversation as an agent
message (a comment observer); internal notes never are.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.attachments import service as attachments
from ticketdesk.comments import service as comments
from ticketdesk.config import Settings
from ticketdesk.conversations import repository
from ticketdesk.conversations.schemas import (
    VISITOR_FIELDS,
    ConversationRead,
    ConversationSummary,
    ConversationTicketCreate,
    ConversationUpsert,
    MessageIn,
    MessagePage,
    MessageRead,
    TicketLink,
    TranscriptRead,
    VisitorIn,
    VisitorRead,
)
from ticketdesk.crud import ensure_found
from ticketdesk.db import new_id, utcnow
from ticketdesk.errors import NotFound, ValidationFailed
from ticketdesk.models import (
    Conversation,
    ConversationMessage,
    ConversationTicket,
    Ticket,
    Workspace,
)
from ticketdesk.schemas import Page
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.schemas import RequesterIn, TicketCreate

MAX_MESSAGES_PER_CONVERSATION = 10_000


class ConversationNotFound(NotFound):
    title = "Conversation not found"


async def get_conversation(
    session: AsyncSession, workspace: Workspace, ref: str, *, for_update: bool = False
) -> Conversation:
    conversation = await repository.find_conversation(
        session, workspace.id, ref, for_update=for_update
    )
    return ensure_found(
        conversation, f"No conversation {ref!r} in this workspace.", ConversationNotFound
    )


def _record(
    session: AsyncSession,
    workspace: Workspace,
    type_: str,
    actor: events.Actor,
    data: dict[str, Any],
) -> None:
    """A conversation's event: in its workspace, on no ticket."""
    events.record(
        session, workspace_id=workspace.id, ticket_id=None, type=type_, actor=actor, data=data
    )


def _ids(conversation: Conversation) -> dict[str, Any]:
    return {"conversation_id": conversation.id, "external_id": conversation.external_id}


def fingerprint(author: str, body: str, sent_at: datetime | None) -> str:
    stamp = sent_at.astimezone(UTC).isoformat() if sent_at else ""
    return hashlib.sha256(f"{author}\x00{stamp}\x00{body}".encode()).hexdigest()


def _set_visitor(conversation: Conversation, visitor: VisitorIn) -> bool:
    changed = False
    for name in VISITOR_FIELDS:
        value = getattr(visitor, name)
        if value is not None and getattr(conversation, f"visitor_{name}") != value:
            setattr(conversation, f"visitor_{name}", value)
            changed = True
    return changed


async def upsert_conversation(
    session: AsyncSession, workspace: Workspace, data: ConversationUpsert, *, actor: events.Actor
) -> tuple[Conversation, bool]:
    """The conversation with this external id (created when new); True when created.

    Messages are appended unless the conversation already has them: a widget may post the
    whole transcript every time and nothing is duplicated (repeats count, so two "ok"s stay two).
    """
    now = utcnow()
    candidate = new_id()
    if data.external_id is not None:
        await repository.insert_unless_known(
            session,
            {
                "id": candidate,
                "workspace_id": workspace.id,
                "external_id": data.external_id,
                "channel": data.channel,
                "message_count": 0,
                "created_at": now,
                "updated_at": now,
            },
        )
        found = await repository.by_external_id(
            session, workspace.id, data.external_id, for_update=True
        )
        assert found is not None
        conversation = found
    else:
        conversation = Conversation(
            id=candidate,
            workspace_id=workspace.id,
            channel=data.channel,
            message_count=0,
            created_at=now,
            updated_at=now,
        )
        session.add(conversation)
        await session.flush()
    created = conversation.id == candidate
    visitor_changed = _set_visitor(conversation, data.visitor)
    if created:
        _record(session, workspace, "conversation.created", actor, _ids(conversation))
    existing = {} if created else await repository.fingerprint_counts(session, conversation.id)
    seen: dict[str, int] = {}
    fresh: list[MessageIn] = []
    for message in data.messages:
        key = fingerprint(message.author, message.body, message.sent_at)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > existing.get(key, 0):
            fresh.append(message)
    if fresh:
        await append_messages(session, workspace, conversation, fresh, actor=actor)
    elif visitor_changed:
        conversation.updated_at = now
        await session.flush()
    return conversation, created


async def append_messages(
    session: AsyncSession,
    workspace: Workspace,
    conversation: Conversation,
    messages: Sequence[MessageIn],
    *,
    actor: events.Actor,
    comment_id: uuid.UUID | None = None,
) -> list[ConversationMessage]:
    if not messages:
        return []
    if conversation.message_count + len(messages) > MAX_MESSAGES_PER_CONVERSATION:
        raise ValidationFailed(
            f"A conversation holds at most {MAX_MESSAGES_PER_CONVERSATION} messages; "
            "start a new conversation.",
            loc=("body", "messages"),
        )
    now = utcnow()
    last = await repository.take_positions(session, conversation.id, len(messages), now)
    conversation.message_count, conversation.updated_at = last, now
    first = last - len(messages) + 1
    rows = [
        ConversationMessage(
            id=new_id(),
            conversation_id=conversation.id,
            position=first + index,
            author=message.author,
            author_name=message.author_name,
            body=message.body,
            fingerprint=fingerprint(message.author, message.body, message.sent_at),
            comment_id=comment_id,
            sent_at=message.sent_at or now,
            created_at=now,
        )
        for index, message in enumerate(messages)
    ]
    session.add_all(rows)
    await session.flush()
    added = {
        "conversation_id": conversation.id,
        "message_ids": [row.id for row in rows],
        "authors": sorted({row.author for row in rows}),
    }
    _record(session, workspace, "conversation.messages_added", actor, added)
    return rows


async def add_message(
    session: AsyncSession,
    workspace: Workspace,
    conversation: Conversation,
    message: MessageIn,
    *,
    actor: events.Actor,
) -> MessageRead:
    (row,) = await append_messages(session, workspace, conversation, [message], actor=actor)
    return MessageRead.model_validate(row)


async def page_of_conversations(
    session: AsyncSession, workspace_id: uuid.UUID, limit: int, cursor: str | None
) -> Page[ConversationSummary]:
    """Newest first, one keyset page (messages not included)."""
    rows, next_cursor = await repository.page_of_conversations(session, workspace_id, limit, cursor)
    return Page[ConversationSummary](
        items=[ConversationSummary.from_conversation(c) for c in rows], next_cursor=next_cursor
    )


async def conversation_read(
    session: AsyncSession, workspace: Workspace, conversation: Conversation
) -> ConversationRead:
    """The conversation with every message and the tickets it opened."""
    rows = await repository.messages(session, conversation.id)
    linked = await repository.linked_tickets(session, workspace.id, conversation.id)
    return ConversationRead.from_conversation(
        conversation,
        [MessageRead.model_validate(m) for m in rows],
        [
            TicketLink(id=ticket_id, key=f"{workspace.ticket_prefix}-{number}")
            for ticket_id, number in linked
        ],
    )


async def messages_after(
    session: AsyncSession, conversation: Conversation, after: uuid.UUID | None, limit: int
) -> MessagePage:
    """Messages newer than `after` (a message id), oldest first: how a widget polls."""
    position = 0
    if after is not None:
        found = await repository.message_position(session, conversation.id, after)
        if found is None:
            raise ValidationFailed(
                "`after` is not a message of this conversation.", loc=("query", "after")
            )
        position = found
    rows = list(
        await repository.messages(
            session, conversation.id, after_position=position, limit=limit + 1
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return MessagePage(
        items=[MessageRead.model_validate(m) for m in rows],
        next_cursor=str(rows[-1].id) if more else None,
    )


def transcript_text(conversation: Conversation, rows: Sequence[ConversationMessage]) -> str:
    lines = ["Chat transcript", ""]
    for name in VISITOR_FIELDS:
        value = getattr(conversation, f"visitor_{name}")
        if value:
            lines.append(f"{name.replace('_', ' ').capitalize()}: {value}")
    lines.append("")
    for message in rows:
        who = message.author_name or message.author
        stamp = message.sent_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        lines.append(f"[{stamp}] {who} ({message.author}):")
        lines.extend(f"  {line}" for line in message.body.splitlines() or [""])
    return "\n".join(lines)


def _default_subject(conversation: Conversation, rows: Sequence[ConversationMessage]) -> str:
    for message in rows:
        if message.author == "visitor":
            first_line = message.body.strip().splitlines()[0] if message.body.strip() else ""
            if first_line:
                return first_line[:120]
    who = conversation.visitor_name or conversation.visitor_email or "a visitor"
    return f"Chat with {who}"


async def create_ticket_from_conversation(
    session: AsyncSession,
    settings: Settings,
    workspace: Workspace,
    conversation: Conversation,
    data: ConversationTicketCreate,
    *,
    actor: events.Actor,
) -> Ticket:
    """Open a `chat` ticket holding the transcript and visitor info, linked both ways."""
    rows = await repository.messages(session, conversation.id)
    email = data.requester_email or conversation.visitor_email
    name = conversation.visitor_name if email == conversation.visitor_email else None
    text = transcript_text(conversation, rows)
    ticket = await tickets.create_ticket(
        session,
        workspace,
        TicketCreate(
            subject=data.subject or _default_subject(conversation, rows),
            description=data.description if data.description is not None else text[:100_000],
            # a handover without a priority leaves it empty: triage may give one
            **({"priority": data.priority} if "priority" in data.model_fields_set else {}),
            labels=data.labels,
            requester=RequesterIn(email=email, name=name) if email else None,
            type=data.type,
            category=data.category,
            custom_fields=data.custom_fields,
        ),
        actor=actor,
        channel="chat",
        conversation_id=conversation.id,
        autofill={
            "visitor.country": conversation.visitor_country,
            "visitor.device": conversation.visitor_device,
            "visitor.page_url": conversation.visitor_page_url,
        },
    )
    session.add(
        ConversationTicket(
            ticket_id=ticket.id,
            workspace_id=workspace.id,
            conversation_id=conversation.id,
            visitor=_visitor_snapshot(conversation),
            messages=[_snapshot(m) for m in rows],
            created_at=utcnow(),
        )
    )
    await session.flush()
    await attachments.add_attachment(
        session,
        settings,
        workspace,
        ticket,
        filename="chat-transcript.txt",
        content_type="text/plain",
        data=text.encode(),
        actor=actor,
    )
    return ticket


def _visitor_snapshot(conversation: Conversation) -> dict[str, Any]:
    return VisitorRead.from_conversation(conversation).model_dump()


def _snapshot(message: ConversationMessage) -> dict[str, Any]:
    """A message as a ticket keeps it in JSON (read back as a `MessageRead`)."""
    return {
        "id": str(message.id),
        "position": message.position,
        "author": message.author,
        "author_name": message.author_name,
        "body": message.body,
        "sent_at": message.sent_at.isoformat(),
        "created_at": message.created_at.isoformat(),
    }


async def delete_conversation(
    session: AsyncSession,
    workspace: Workspace,
    conversation: Conversation,
    *,
    actor: events.Actor,
) -> None:
    """Delete the conversation; its tickets keep the transcript as it stood at this moment."""
    rows = await repository.messages(session, conversation.id)
    await repository.freeze_transcripts(
        session, conversation.id, _visitor_snapshot(conversation), [_snapshot(m) for m in rows]
    )
    _record(session, workspace, "conversation.deleted", actor, _ids(conversation))
    await repository.delete_conversation(session, conversation.id)


async def transcript(session: AsyncSession, workspace: Workspace, ticket: Ticket) -> TranscriptRead:
    """The chat the ticket was opened from: live while the conversation exists, else as kept."""
    link = await repository.transcript_of(session, workspace.id, ticket.id)
    if link is None:
        raise NotFound("This ticket did not come from a conversation, so it has no transcript.")
    conversation = await repository.find_conversation(session, workspace.id, link.conversation_id)
    if conversation is not None:
        visitor = VisitorRead.from_conversation(conversation)
        rows = await repository.messages(session, conversation.id)
        messages = [MessageRead.model_validate(m) for m in rows]
    else:
        visitor = VisitorRead.model_validate(link.visitor)
        messages = [MessageRead.model_validate(m) for m in link.messages]
    return TranscriptRead(
        ticket=tickets.ticket_key(workspace, ticket),
        conversation_id=link.conversation_id,
        conversation_exists=conversation is not None,
        visitor=visitor,
        messages=messages,
    )


async def on_comment_added(session: AsyncSession, added: comments.CommentAdded) -> None:
    """An agent's public reply on a linked ticket goes to the conversation; notes never do."""
    ticket, comment = added.ticket, added.comment
    if ticket.conversation_id is None or comment.visibility != "public":
        return
    if not added.actor.is_agent:
        return
    conversation = await repository.find_conversation(
        session, added.workspace.id, ticket.conversation_id
    )
    if conversation is None:
        return
    await append_messages(
        session,
        added.workspace,
        conversation,
        [
            MessageIn.model_construct(
                author="agent",
                body=comment.body,
                author_name=(added.actor.name or "")[:100] or None,
                sent_at=None,
            )
        ],
        actor=added.actor,
        comment_id=comment.id,
    )
