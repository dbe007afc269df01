"""Who follows a ticket: adding and removing watchers, each with its event."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.auth.principal import Principal
from ticketdesk.db import utcnow
from ticketdesk.errors import NotFound
from ticketdesk.models import Ticket, User, Workspace
from ticketdesk.tickets import service as tickets
from ticketdesk.watchers import repository
from ticketdesk.watchers.schemas import WatcherRead


async def list_watchers(session: AsyncSession, ticket: Ticket) -> list[WatcherRead]:
    users = await repository.watching_users(session, ticket.id)
    return [WatcherRead.model_validate(user) for user in users]


def _record(
    session: AsyncSession,
    workspace: Workspace,
    ticket: Ticket,
    user: User,
    actor: events.Actor,
    type_: str,
) -> None:
    data = {
        "ticket": tickets.ticket_key(workspace, ticket),
        "user": {"id": user.id, "name": user.name},
    }
    events.record_ticket_event(session, ticket, type_, actor, data)


async def set_watching(
    session: AsyncSession,
    principal: Principal,
    workspace: Workspace,
    ticket: Ticket,
    user_id: uuid.UUID,
    *,
    watching: bool,
) -> None:
    """Idempotent both ways: an event (`ticket.watched` / `ticket.unwatched`) is written only
    when it changes something. Only an active user can start watching."""
    user = await repository.find_user(session, workspace.id, user_id)
    if user is None or (watching and not user.active):
        raise NotFound(f"No such {'active ' if watching else ''}user in this workspace.")
    if watching:
        if await repository.is_watching(session, ticket.id, user.id):
            return
        repository.add(session, workspace.id, ticket.id, user.id, utcnow())
    elif not await repository.remove(session, ticket.id, user.id):
        return
    event = "ticket.watched" if watching else "ticket.unwatched"
    _record(session, workspace, ticket, user, principal.actor(), event)
    await session.flush()


async def watcher_ids(session: AsyncSession, ticket_id: uuid.UUID) -> set[uuid.UUID]:
    return await repository.watcher_ids(session, ticket_id)


async def watcher_ids_by_ticket(
    session: AsyncSession, ticket_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, set[uuid.UUID]]:
    """Many tickets' watchers in one query (a bulk change notifies per ticket)."""
    return await repository.watcher_ids_by_ticket(session, ticket_ids)


async def copy_watchers(
    session: AsyncSession, workspace: Workspace, source: Ticket, target: Ticket, now: datetime
) -> None:
    """A merged ticket's watchers keep following the conversation on its target."""
    await repository.copy_watchers(session, workspace.id, source.id, target.id, now)
