"""Keyset pagination: opaque cursors that carry the last row's sort key."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from ticketdesk.errors import ValidationFailed

CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,500}$"
DEFAULT_LIMIT = 25
MAX_LIMIT = 100

T = TypeVar("T")


def encode_cursor(values: list[Any]) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return {"t": value.isoformat()}
        if isinstance(value, uuid.UUID):
            return {"u": str(value)}
        return value

    raw = json.dumps([plain(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def keyset_page(
    rows: Sequence[T], limit: int, sort_key: Callable[[T], list[Any]]
) -> tuple[Sequence[T], str | None]:
    """The page in `limit + 1` fetched rows, and the cursor after its last row when more follow."""
    if len(rows) <= limit:
        return rows, None
    page = rows[:limit]
    return page, encode_cursor(sort_key(page[-1]))


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != size:
            raise ValueError
        out: list[Any] = []
        for value in values:
            if isinstance(value, dict) and "t" in value:
                out.append(datetime.fromisoformat(value["t"]))
            elif isinstance(value, dict) and "u" in value:
                out.append(uuid.UUID(value["u"]))
            elif value is None or isinstance(value, int | str):
                out.append(value)
            else:
                raise ValueError
        return out
    except (ValueError, TypeError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationFailed(
            "The cursor is not valid; use `next_cursor` from a previous page.",
            loc=("query", "cursor"),
        ) from exc
