"""Conversation queries, always scoped to the caller's workspace."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, delete, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.db import insert_ignoring_conflicts
from ticketdesk.errors import ValidationFailed
from ticketdesk.models import Conversation, ConversationMessage, ConversationTicket, Ticket
from ticketdesk.pagination import decode_cursor, encode_cursor

Ts = TypeVarTuple("Ts")


def _in_workspace(
    stmt: Select[*Ts],
    workspace_id: uuid.UUID,
    model: type[Conversation] | type[ConversationTicket] = Conversation,
) -> Select[*Ts]:
    """The one place a query here is limited to the caller's workspace (messages are reached
    through their conversation, so they need no scope of their own)."""
    return stmt.where(model.workspace_id == workspace_id)


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
    return await _one(session, workspace_id, Conversation.id == conversation_id, for_update)


async def by_external_id(
    session: AsyncSession, workspace_id: uuid.UUID, external_id: str, *, for_update: bool = False
) -> Conversation | None:
    return await _one(session, workspace_id, Conversation.external_id == external_id, for_update)


async def _one(
    session: AsyncSession, workspace_id: uuid.UUID, where: ColumnElement[bool], for_update: bool
) -> Conversation | None:
    stmt = _in_workspace(select(Conversation).where(where), workspace_id)
    if for_update:
        stmt = stmt.with_for_update()
    conversation: Conversation | None = await session.scalar(stmt)
    return conversation


async def page_of_conversations(
    session: AsyncSession, workspace_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[Sequence[Conversation], str | None]:
    """Newest first, keyset on (created_at, id): stable while conversations are added."""
    stmt = _in_workspace(select(Conversation), workspace_id)
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
    session: AsyncSession, workspace_id: uuid.UUID, conversation_id: uuid.UUID
) -> list[tuple[uuid.UUID, int]]:
    """(id, number) of the tickets the conversation opened, by number."""
    stmt = (
        select(Ticket.id, Ticket.number)
        .join(ConversationTicket, ConversationTicket.ticket_id == Ticket.id)
        .where(ConversationTicket.conversation_id == conversation_id)
    )
    rows = await session.execute(
        _in_workspace(stmt, workspace_id, ConversationTicket).order_by(Ticket.number)
    )
    return [(ticket_id, number) for ticket_id, number in rows]


async def transcript_of(
    session: AsyncSession, workspace_id: uuid.UUID, ticket_id: uuid.UUID
) -> ConversationTicket | None:
    stmt = select(ConversationTicket).where(ConversationTicket.ticket_id == ticket_id)
    link: ConversationTicket | None = await session.scalar(
        _in_workspace(stmt, workspace_id, ConversationTicket)
    )
    return link


async def insert_unless_known(session: AsyncSession, values: dict[str, Any]) -> None:
    """Create the conversation unless its workspace already has one with its external id."""
    await insert_ignoring_conflicts(
        session, Conversation, [values], ["workspace_id", "external_id"]
    )


async def take_positions(
    session: AsyncSession, conversation_id: uuid.UUID, count: int, now: datetime
) -> int:
    """Reserve `count` message positions; the last one. An atomic increment hands them out,
    so concurrent appends never share one."""
    result = await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(message_count=Conversation.message_count + count, updated_at=now)
        .returning(Conversation.message_count)
        .execution_options(synchronize_session=False)
    )
    return int(result.scalar_one())


async def freeze_transcripts(
    session: AsyncSession,
    conversation_id: uuid.UUID,
    visitor: dict[str, Any],
    messages: list[dict[str, Any]],
) -> None:
    """Store the transcript as it stands now with every ticket the conversation opened."""
    await session.execute(
        update(ConversationTicket)
        .where(ConversationTicket.conversation_id == conversation_id)
        .values(visitor=visitor, messages=messages)
    )


async def delete_conversation(session: AsyncSession, conversation_id: uuid.UUID) -> None:
    await session.execute(delete(Conversation).where(Conversation.id == conversation_id))
