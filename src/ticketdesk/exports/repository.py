"""Queries for the CSV export."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from ticketdesk.db import dialect_name
from ticketdesk.models import Ticket


async def custom_field_keys(session: AsyncSession, stmt: Select[Any], limit: int) -> list[str]:
    """Up to `limit` distinct custom field names used by the tickets `stmt` selects.

    `stmt` comes from the tickets service, already scoped to the caller's workspace."""
    rows = stmt.with_only_columns(Ticket.custom_fields).order_by(None).subquery()
    if dialect_name(session) == "postgresql":
        key = func.jsonb_object_keys(rows.c.custom_fields).label("key")
        query = select(key).where(func.jsonb_typeof(rows.c.custom_fields) == "object")
    else:
        each = func.json_each(rows.c.custom_fields).table_valued("key")
        query = (
            select(each.c.key)
            .select_from(rows)
            .join(each, true())
            .where(func.json_type(rows.c.custom_fields) == "object")
        )
    keys = (await session.scalars(query.distinct().limit(limit))).all()
    return [str(k) for k in keys]


def without_description(stmt: Select[Ticket]) -> Select[Ticket]:
    """The export never shows descriptions: they are not read (the longest column)."""
    return stmt.options(defer(Ticket.description))
