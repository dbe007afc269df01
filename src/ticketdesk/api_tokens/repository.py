"""API token queries, each scoped to one workspace by _in_workspace()."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeVarTuple

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.models import ApiToken

Ts = TypeVarTuple("Ts")


def _in_workspace(stmt: Select[*Ts], workspace_id: uuid.UUID) -> Select[*Ts]:
    """The tenant scope: every API token query goes through here."""
    return stmt.where(ApiToken.workspace_id == workspace_id)


async def list_api_tokens(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[ApiToken]:
    stmt = _in_workspace(select(ApiToken), workspace_id).order_by(
        ApiToken.created_at.desc(), ApiToken.id
    )
    return (await session.scalars(stmt)).all()


async def get_api_token(
    session: AsyncSession, workspace_id: uuid.UUID, token_id: uuid.UUID
) -> ApiToken | None:
    stmt = _in_workspace(select(ApiToken), workspace_id).where(ApiToken.id == token_id)
    return await session.scalar(stmt)


def add_api_token(session: AsyncSession, api_token: ApiToken) -> None:
    session.add(api_token)
