"""What every room's reads and changes do alike: a 404 for a row that is not there, the
nulls a PATCH may not send, and the values it sets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from ticketdesk.errors import NotFound, ValidationFailed

T = TypeVar("T")


def ensure_found(row: T | None, detail: str, error: type[NotFound] = NotFound) -> T:
    """The row a lookup found, or the 404 that says what was not there."""
    if row is None:
        raise error(detail)
    return row


def refuse_nulls(data: BaseModel, names: Iterable[str]) -> None:
    """A 422 for the first of these fields that the body sends as null (omitting it is fine)."""
    for name in names:
        if name in data.model_fields_set and getattr(data, name) is None:
            raise ValidationFailed(f"`{name}` cannot be null.", loc=("body", name))


def set_values(row: object, values: Mapping[str, Any]) -> None:
    """Set each value on the row under its name (the fields a change gives)."""
    for name, value in values.items():
        setattr(row, name, value)
