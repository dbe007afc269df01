"""Saved views: personal ones for their owner, shared ones for the whole workspace."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.auth.principal import Principal
from ticketdesk.db import new_id, utcnow
from ticketdesk.errors import Forbidden, NotFound, ValidationFailed
from ticketdesk.models import SavedView, User
from ticketdesk.tickets.filters import SORTS, ticket_filters
from ticketdesk.views.schemas import ViewCreate, ViewFilters, ViewUpdate

MAX_VIEWS_PER_USER = 200


def _user_id(principal: Principal) -> uuid.UUID:
    if principal.user_id is None:
        raise Forbidden("Saved views belong to users; an API token has none.")
    return principal.user_id


def _stored_filters(filters: ViewFilters) -> dict[str, str]:
    """Check the filters as `GET /tickets` would, and keep them as its query strings."""
    raw = filters.model_dump(exclude_none=True)
    try:
        ticket_filters(**raw)
    except ValidationFailed as exc:
        loc = ("body", "filters", *(exc.errors[0]["loc"][1:] if exc.errors else ()))
        raise ValidationFailed(exc.detail, loc=loc) from exc
    return {k: v.isoformat() if hasattr(v, "isoformat") else str(v) for k, v in raw.items()}


def _check_sort(sort: str) -> str:
    if sort not in SORTS:
        raise ValidationFailed(
            f"Unknown sort; use one of: {', '.join(SORTS)}.", loc=("body", "sort")
        )
    return sort


def _visible(principal: Principal, user_id: uuid.UUID) -> Any:
    return (SavedView.workspace_id == principal.workspace_id) & or_(
        SavedView.owner_id == user_id, SavedView.shared.is_(True)
    )


async def list_views(session: AsyncSession, principal: Principal) -> Sequence[Any]:
    """Pinned first, then by position: what the SPA's sidebar shows."""
    user_id = _user_id(principal)
    return (
        await session.execute(
            select(SavedView, User.name)
            .join(User, User.id == SavedView.owner_id)
            .where(_visible(principal, user_id))
            .order_by(
                SavedView.pinned.desc(),
                SavedView.position,
                SavedView.created_at,
                SavedView.id,
            )
        )
    ).all()


async def get_view(
    session: AsyncSession, principal: Principal, view_id: uuid.UUID
) -> tuple[SavedView, str]:
    user_id = _user_id(principal)
    row = (
        await session.execute(
            select(SavedView, User.name)
            .join(User, User.id == SavedView.owner_id)
            .where(SavedView.id == view_id, _visible(principal, user_id))
        )
    ).first()
    if row is None:
        raise NotFound("No such view.")
    return row[0], row[1]


def _check_may_share(principal: Principal) -> None:
    if not principal.has_role("agent"):
        raise Forbidden("Only agents and admins can share views with the workspace.")


async def create_view(session: AsyncSession, principal: Principal, data: ViewCreate) -> SavedView:
    user_id = _user_id(principal)
    if data.shared:
        _check_may_share(principal)
    count = await session.scalar(
        select(func.count()).select_from(SavedView).where(SavedView.owner_id == user_id)
    )
    if (count or 0) >= MAX_VIEWS_PER_USER:
        raise ValidationFailed(f"At most {MAX_VIEWS_PER_USER} views per user.")
    position = data.position
    if position is None:
        last = await session.scalar(
            select(func.max(SavedView.position)).where(_visible(principal, user_id))
        )
        position = min((last or 0) + 1, 100_000)
    now = utcnow()
    view = SavedView(
        id=new_id(),
        workspace_id=principal.workspace_id,
        owner_id=user_id,
        name=data.name,
        filters=_stored_filters(data.filters),
        sort=_check_sort(data.sort),
        shared=data.shared,
        pinned=data.pinned,
        position=position,
        created_at=now,
        updated_at=now,
    )
    session.add(view)
    await session.flush()
    return view


def _check_may_edit(principal: Principal, view: SavedView) -> None:
    if view.owner_id != principal.user_id and not principal.has_role("admin"):
        raise Forbidden("Only the view's owner or an admin can change a shared view.")


async def update_view(
    session: AsyncSession, principal: Principal, view_id: uuid.UUID, data: ViewUpdate
) -> tuple[SavedView, str]:
    view, owner_name = await get_view(session, principal, view_id)
    _check_may_edit(principal, view)
    fields = data.model_fields_set
    for name in ("name", "filters", "sort", "shared", "pinned", "position"):
        if name in fields and getattr(data, name) is None:
            raise ValidationFailed(f"`{name}` cannot be null.", loc=("body", name))
    if data.shared:
        _check_may_share(principal)
    if data.name is not None:
        view.name = data.name
    if data.filters is not None:
        view.filters = _stored_filters(data.filters)
    if data.sort is not None:
        view.sort = _check_sort(data.sort)
    if data.shared is not None:
        view.shared = data.shared
    if data.pinned is not None:
        view.pinned = data.pinned
    if data.position is not None:
        view.position = data.position
    view.updated_at = utcnow()
    await session.flush()
    return view, owner_name


async def delete_view(session: AsyncSession, principal: Principal, view_id: uuid.UUID) -> None:
    view, _ = await get_view(session, principal, view_id)
    _check_may_edit(principal, view)
    await session.delete(view)
    await session.flush()


def view_read(view: SavedView, owner_name: str, principal: Principal) -> dict[str, Any]:
    return {
        "id": view.id,
        "name": view.name,
        "filters": view.filters,
        "sort": view.sort,
        "shared": view.shared,
        "pinned": view.pinned,
        "position": view.position,
        "owner": {"id": view.owner_id, "name": owner_name},
        "mine": view.owner_id == principal.user_id,
        "created_at": view.created_at,
        "updated_at": view.updated_at,
    }
