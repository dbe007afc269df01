"""Saved views: personal ones for their owner, shared ones for the whole workspace."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.auth.principal import Principal
from ticketdesk.crud import ensure_found, new_row, next_position, refuse_nulls, set_values
from ticketdesk.db import utcnow
from ticketdesk.errors import Forbidden, ValidationFailed
from ticketdesk.models import SavedView
from ticketdesk.tickets.filters import CUSTOM_PREFIX, SORTS, custom_field_filters, ticket_filters
from ticketdesk.views import repository
from ticketdesk.views.schemas import ViewCreate, ViewFilters, ViewOwner, ViewRead, ViewUpdate

MAX_VIEWS_PER_USER = 200


def _user_id(principal: Principal) -> uuid.UUID:
    if principal.user_id is None:
        raise Forbidden("Saved views belong to users; an API token has none.")
    return principal.user_id


def _stored_filters(filters: ViewFilters) -> dict[str, str]:
    """Check the filters as `GET /tickets` would, and keep them as its query strings."""
    raw = filters.model_dump(exclude_none=True)
    named = {k: v for k, v in raw.items() if not k.startswith(CUSTOM_PREFIX)}
    try:
        custom = custom_field_filters((k, v) for k, v in raw.items() if k.startswith(CUSTOM_PREFIX))
        ticket_filters(**named, custom=custom)
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


def _view_read(view: SavedView, owner_name: str, principal: Principal) -> ViewRead:
    return ViewRead(
        id=view.id,
        name=view.name,
        filters=view.filters,
        sort=view.sort,
        shared=view.shared,
        pinned=view.pinned,
        position=view.position,
        owner=ViewOwner(id=view.owner_id, name=owner_name),
        mine=view.owner_id == principal.user_id,
        created_at=view.created_at,
        updated_at=view.updated_at,
    )


async def list_views(session: AsyncSession, principal: Principal) -> list[ViewRead]:
    """Pinned first, then by position: what the SPA's sidebar shows."""
    user_id = _user_id(principal)
    rows = await repository.visible_views(session, principal.workspace_id, user_id)
    return [_view_read(view, owner, principal) for view, owner in rows]


async def _get_view(
    session: AsyncSession, principal: Principal, view_id: uuid.UUID
) -> tuple[SavedView, str]:
    user_id = _user_id(principal)
    found = await repository.find_view(session, principal.workspace_id, user_id, view_id)
    return ensure_found(found, "No such view.")


async def get_view(session: AsyncSession, principal: Principal, view_id: uuid.UUID) -> ViewRead:
    view, owner = await _get_view(session, principal, view_id)
    return _view_read(view, owner, principal)


def _check_may_share(principal: Principal) -> None:
    if not principal.has_role("agent"):
        raise Forbidden("Only agents and admins can share views with the workspace.")


async def create_view(session: AsyncSession, principal: Principal, data: ViewCreate) -> ViewRead:
    user_id = _user_id(principal)
    if data.shared:
        _check_may_share(principal)
    if await repository.count_owned(session, user_id) >= MAX_VIEWS_PER_USER:
        raise ValidationFailed(f"At most {MAX_VIEWS_PER_USER} views per user.")
    last = await repository.last_position(session, principal.workspace_id, user_id)
    position = next_position(data.position, last or 0, cap=100_000)
    view = SavedView(
        **new_row(principal.workspace_id),
        owner_id=user_id,
        name=data.name,
        filters=_stored_filters(data.filters),
        sort=_check_sort(data.sort),
        shared=data.shared,
        pinned=data.pinned,
        position=position,
    )
    repository.add(session, view)
    await session.flush()
    return _view_read(view, principal.name, principal)


def _check_may_edit(principal: Principal, view: SavedView) -> None:
    if view.owner_id != principal.user_id and not principal.has_role("admin"):
        raise Forbidden("Only the view's owner or an admin can change a shared view.")


async def update_view(
    session: AsyncSession, principal: Principal, view_id: uuid.UUID, data: ViewUpdate
) -> ViewRead:
    view, owner_name = await _get_view(session, principal, view_id)
    _check_may_edit(principal, view)
    refuse_nulls(data, ("name", "filters", "sort", "shared", "pinned", "position"))
    if data.shared:
        _check_may_share(principal)
    values = data.model_dump(exclude_none=True, exclude={"filters"})
    if data.filters is not None:
        values["filters"] = _stored_filters(data.filters)
    if data.sort is not None:
        _check_sort(data.sort)
    set_values(view, values)
    view.updated_at = utcnow()
    await session.flush()
    return _view_read(view, owner_name, principal)


async def delete_view(session: AsyncSession, principal: Principal, view_id: uuid.UUID) -> None:
    view, _ = await _get_view(session, principal, view_id)
    _check_may_edit(principal, view)
    await repository.delete(session, view)
    await session.flush()
