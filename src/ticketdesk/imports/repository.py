"""Import queries: the workspace users that imported comments name by email."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.models import User


def _in_workspace(model: type[User], workspace_id: uuid.UUID) -> ColumnElement[bool]:
    """The tenant scope of every query here."""
    return model.workspace_id == workspace_id


async def users_by_email(
    session: AsyncSession, workspace_id: uuid.UUID, emails: Collection[str]
) -> Sequence[User]:
    stmt = select(User).where(_in_workspace(User, workspace_id), User.email.in_(emails))
    return (await session.scalars(stmt)).all()
