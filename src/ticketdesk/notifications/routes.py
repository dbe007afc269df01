"""HTTP for a user's in-app notifications."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ticketdesk.auth.principal import Reader
from ticketdesk.deps import SessionDep
from ticketdesk.errors import Forbidden, problems
from ticketdesk.notifications import service
from ticketdesk.notifications.schemas import MarkedRead, NotificationPage, NotificationRead
from ticketdesk.pagination import DEFAULT_LIMIT, MAX_LIMIT

router = APIRouter(prefix="/notifications", tags=["notifications"])


async def _user(principal: Reader) -> uuid.UUID:
    if principal.user_id is None:
        raise Forbidden("Notifications belong to users; an API token has none.")
    return principal.user_id


UserId = Annotated[uuid.UUID, Depends(_user)]


@router.get("", operation_id="notifications:list", responses=problems(401, 403, 422))
async def list_notifications(
    session: SessionDep,
    user_id: UserId,
    unread: Annotated[bool, Query(description="only unread ones")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> NotificationPage:
    """Your notifications, unread first and then newest first, with the unread count."""
    return await service.list_notifications(
        session, user_id, unread_only=unread, limit=limit, cursor=cursor
    )


@router.post(
    "/read-all", operation_id="notifications:read_all", responses=problems(401, 403, 409, 422)
)
async def mark_all_read(session: SessionDep, user_id: UserId) -> MarkedRead:
    """Mark every unread notification of yours read."""
    return await service.mark_all_read(session, user_id)


@router.post(
    "/{notification_id}/read",
    operation_id="notifications:read",
    responses=problems(401, 403, 404, 409, 422),
)
async def mark_read(
    notification_id: uuid.UUID, session: SessionDep, user_id: UserId
) -> NotificationRead:
    """Mark one notification read (another user's answers 404)."""
    return await service.mark_read(session, user_id, notification_id)
