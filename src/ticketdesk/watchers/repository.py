"""Queries for watchers: who follows which ticket."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.db import insert_ignoring_conflicts
from ticketdesk.models import TicketWatcher, User


def _users_in_workspace(workspace_id: uuid.UUID) -> Select[User]:
    """The tenant scope of every user lookup here: users of this one workspace."""
    return select(User).where(User.workspace_id == workspace_id)


async def find_user(
    session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID
) -> User | None:
    return await session.scalar(_users_in_workspace(workspace_id).where(User.id == user_id))


async def watching_users(session: AsyncSession, ticket_id: uuid.UUID) -> Sequence[User]:
    return (
        await session.scalars(
            select(User)
            .join(TicketWatcher, TicketWatcher.user_id == User.id)
            .where(TicketWatcher.ticket_id == ticket_id)
            .order_by(User.name, User.id)
        )
    ).all()


async def is_watching(session: AsyncSession, ticket_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    return await session.get(TicketWatcher, (ticket_id, user_id)) is not None


def add(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    ticket_id: uuid.UUID,
    user_id: uuid.UUID,
    created_at: datetime,
) -> None:
    session.add(
        TicketWatcher(
            ticket_id=ticket_id, user_id=user_id, workspace_id=workspace_id, created_at=created_at
        )
    )


async def remove(session: AsyncSession, ticket_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """True when the user was watching."""
    result = await session.execute(
        delete(TicketWatcher).where(
            TicketWatcher.ticket_id == ticket_id, TicketWatcher.user_id == user_id
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def watcher_ids(session: AsyncSession, ticket_id: uuid.UUID) -> set[uuid.UUID]:
    return set(
        await session.scalars(
            select(TicketWatcher.user_id).where(TicketWatcher.ticket_id == ticket_id)
        )
    )


async def watcher_ids_by_ticket(
    session: AsyncSession, ticket_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, set[uuid.UUID]]:
    """Every listed ticket's watchers in one query (a ticket nobody watches maps to no one)."""
    watchers: dict[uuid.UUID, set[uuid.UUID]] = {t: set() for t in ticket_ids}
    if ticket_ids:
        for ticket_id, user_id in await session.execute(
            select(TicketWatcher.ticket_id, TicketWatcher.user_id).where(
                TicketWatcher.ticket_id.in_(ticket_ids)
            )
        ):
            watchers[ticket_id].add(user_id)
    return watchers


async def copy_watchers(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    source_id: uuid.UUID,
    target_id: uuid.UUID,
    created_at: datetime,
) -> None:
    """The source's watchers also watch the target (those already watching it are kept)."""
    users = await watcher_ids(session, source_id)
    await insert_ignoring_conflicts(
        session,
        TicketWatcher,
        [
            {
                "ticket_id": target_id,
                "user_id": user_id,
                "workspace_id": workspace_id,
                "created_at": created_at,
            }
            for user_id in users
        ],
        ["ticket_id", "user_id"],
    )
