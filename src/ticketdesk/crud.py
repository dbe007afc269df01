"""What every room's reads and changes do alike: a 404 for a row that is not there, the
columns every new row sets, where a new row goes in an ordered list, the nulls a PATCH may not
send, the values it sets, and archiving."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from ticketdesk.db import new_id, utcnow
from ticketdesk.errors import NotFound, ValidationFailed

T = TypeVar("T")


def ensure_found(row: T | None, detail: str, error: type[NotFound] = NotFound) -> T:
    """The row a lookup found, or the 404 that says what was not there."""
    if row is None:
        raise error(detail)
    return row


def new_row(workspace_id: uuid.UUID) -> dict[str, Any]:
    """The columns every new workspace row sets alike: a new id, the tenant, and one moment
    for created and updated (so a row never looks edited before its first change)."""
    now = utcnow()
    return {"id": new_id(), "workspace_id": workspace_id, "created_at": now, "updated_at": now}


def next_position(asked: int | None, last: int | None, *, cap: int | None = 10_000) -> int:
    """Where a new row goes in an ordered list: where the body asked, else after the last
    one (capped where the list's positions are bounded)."""
    if asked is not None:
        return asked
    if last is None:
        return 0
    return last + 1 if cap is None else min(last + 1, cap)


def refuse_nulls(data: BaseModel, names: Iterable[str]) -> None:
    """A 422 for the first of these fields that the body sends as null (omitting it is fine)."""
    for name in names:
        if name in data.model_fields_set and getattr(data, name) is None:
            raise ValidationFailed(f"`{name}` cannot be null.", loc=("body", name))


def set_values(row: object, values: Mapping[str, Any]) -> None:
    """Set each value on the row under its name (the fields a change gives)."""
    for name, value in values.items():
        setattr(row, name, value)


def set_sent(row: object, data: BaseModel, names: Iterable[str]) -> None:
    """Copy each of these fields the body sent (null included) onto the row."""
    sent = data.model_fields_set
    for name in names:
        if name in sent:
            setattr(row, name, getattr(data, name))


class Archivable(Protocol):
    archived_at: datetime | None
    updated_at: datetime


def set_archived(row: Archivable, archived: bool | None) -> None:
    """`archived: true` archives (keeping the first moment), `false` restores, null leaves it."""
    if archived is not None:
        row.archived_at = (row.archived_at or utcnow()) if archived else None


def archive(row: Archivable) -> bool:
    """Archive the row now unless it already is; whether anything changed."""
    if row.archived_at is not None:
        return False
    row.archived_at = row.updated_at = utcnow()
    return True
