"""notify(): the one way any room tells agents something (mentions, assignment, SLA, …)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.db import new_id, utcnow
from ticketdesk.events import _jsonable
from ticketdesk.models import Notification, User


async def notify(
    session: AsyncSession,
    *,
    workspace_id: uuid.UUID,
    user_ids: Iterable[uuid.UUID],
    kind: str,
    data: dict[str, Any],
    ticket_id: uuid.UUID | None = None,
    exclude: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """Notify active users of this workspace (others are ignored); returns who was notified."""
    wanted = {u for u in user_ids if u != exclude}
    if not wanted:
        return []
    recipients = list(
        await session.scalars(
            select(User.id).where(
                User.workspace_id == workspace_id, User.id.in_(wanted), User.active.is_(True)
            )
        )
    )
    if recipients:
        now = utcnow()
        await session.execute(
            insert(Notification),
            [
                {
                    "id": new_id(),
                    "workspace_id": workspace_id,
                    "user_id": user_id,
                    "ticket_id": ticket_id,
                    "kind": kind,
                    "data": _jsonable(data),
                    "created_at": now,
                    "read_at": None,
                }
                for user_id in recipients
            ],
        )
    return recipients
