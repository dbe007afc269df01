"""Workspace queries (a workspace is its own tenant scope: read by its id)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.models import Workspace


async def get_workspace(session: AsyncSession, workspace_id: uuid.UUID) -> Workspace | None:
    """The caller's workspace: in the identity map since the principal's lookup, so no SQL."""
    return await session.get(Workspace, workspace_id)


async def slug_taken(session: AsyncSession, slug: str) -> bool:
    return bool(await session.scalar(select(Workspace.id).where(Workspace.slug == slug)))


def add_workspace(session: AsyncSession, workspace: Workspace) -> None:
    session.add(workspace)
