"""The rules of labels: unique lowercase names in a workspace, found by prefix."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.auth.principal import Principal
from ticketdesk.db import new_id
from ticketdesk.errors import Conflict
from ticketdesk.labels import repository
from ticketdesk.labels.schemas import LabelCreate
from ticketdesk.models import Label


async def list_labels(
    session: AsyncSession, principal: Principal, *, prefix: str | None, limit: int
) -> Sequence[Label]:
    """The workspace's labels by name; `prefix` narrows them (case-insensitively)."""
    wanted = prefix.strip().lower() if prefix else None
    return await repository.list_labels(session, principal.workspace_id, prefix=wanted, limit=limit)


async def create_label(session: AsyncSession, principal: Principal, data: LabelCreate) -> Label:
    if await repository.name_taken(session, principal.workspace_id, data.name):
        raise Conflict(f"The label {data.name!r} exists already.")
    label = Label(
        id=new_id(), workspace_id=principal.workspace_id, name=data.name, color=data.color
    )
    repository.add_label(session, label)
    await session.flush()
    return label
