"""Conversation queries, always scoped to the caller's workspace."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.errors import ValidationFailed
from ticketdesk.models import (
    Conversation,
    ConversationMessage,
    ConversationTicket,
    Ticket,
    Workspace,
)
from ticketdesk.pagination import decode_cursor, encode_cursor


async def find_conversation(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    ref: str | uuid.UUID,
    *,
    for_update: bool = False,
) -> Conversation | None:
    try:
        conversation_id = ref if isinstance(ref, uuid.UUID) else uuid.UUID(ref)
    except ValueError:
        return None
    stmt = select(Conversation).where(
        Conversation.id == conversation_id, Conversation.workspace_id == workspace_id
    )
    if for_update:
        stmt = stmt.with_for_update()
    conversation: Conversation | None = await session.scalar(stmt)
    return conversation


async def by_external_id(
    session: AsyncSession, workspace_id: uuid.UUID, external_id: str, *, for_update: bool = False
) -> Conversation | None:
    stmt = select(Conversation).where(
        Conversation.workspace_id == workspace_id, Conversation.external_id == external_id
    )
    if for_update:
        stmt = stmt.with_for_update()
    conversation: Conversation | None = await session.scalar(stmt)
    return conversation


async def page_of_conversations(
    session: AsyncSession, workspace_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[Sequence[Conversation], str | None]:
    """Newest first, keyset on (created_at, id): stable while conversations are added."""
    stmt = select(Conversation).where(Conversation.workspace_id == workspace_id)
    if cursor:
        created_at, conversation_id = decode_cursor(cursor, 2)
        if not isinstance(created_at, datetime) or not isinstance(conversation_id, uuid.UUID):
            raise ValidationFailed(
                "The cursor is not valid; use `next_cursor` from a previous page.",
                loc=("query", "cursor"),
            )
        stmt = stmt.where(
            tuple_(Conversation.created_at, Conversation.id) < tuple_(created_at, conversation_id)
        )
    rows = (
        await session.scalars(
            stmt.order_by(Conversation.created_at.desc(), Conversation.id.desc()).limit(limit + 1)
        )
    ).all()
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor([last.created_at, last.id])


async def fingerprint_counts(session: AsyncSession, conversation_id: uuid.UUID) -> dict[str, int]:
    rows = await session.execute(
        select(ConversationMessage.fingerprint, func.count())
        .where(ConversationMessage.conversation_id == conversation_id)
        .group_by(ConversationMessage.fingerprint)
    )
    return {fingerprint: int(count) for fingerprint, count in rows}


async def messages(
    session: AsyncSession,
    conversation_id: uuid.UUID,
    *,
    after_position: int = 0,
    limit: int | None = None,
) -> Sequence[ConversationMessage]:
    stmt = (
        select(ConversationMessage)
        .where(
            ConversationMessage.conversation_id == conversation_id,
            ConversationMessage.position > after_position,
        )
        .order_by(ConversationMessage.position)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return (await session.scalars(stmt)).all()


async def message_position(
    session: AsyncSession, conversation_id: uuid.UUID, message_id: uuid.UUID
) -> int | None:
    position: int | None = await session.scalar(
        select(ConversationMessage.position).where(
            ConversationMessage.conversation_id == conversation_id,
            ConversationMessage.id == message_id,
        )
    )
    return position


async def linked_tickets(
    session: AsyncSession, workspace: Workspace, conversation_id: uuid.UUID
) -> list[dict[str, object]]:
    rows = await session.execute(
        select(Ticket.id, Ticket.number)
        .join(ConversationTicket, ConversationTicket.ticket_id == Ticket.id)
        .where(
            ConversationTicket.conversation_id == conversation_id,
            ConversationTicket.workspace_id == workspace.id,
        )
        .order_by(Ticket.number)
    )
    return [
        {"id": ticket_id, "key": f"{workspace.ticket_prefix}-{number}"}
        for ticket_id, number in rows
    ]


async def transcript_of(session: AsyncSession, ticket_id: uuid.UUID) -> ConversationTicket | None:
    link: ConversationTicket | None = await session.get(ConversationTicket, ticket_id)
    return link
