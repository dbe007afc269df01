"""Keyset pagination: opaque cursors that carry the last row's sort key."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime
from typing import Any

from ticketdesk.errors import ValidationFailed

CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,500}$"
DEFAULT_LIMIT = 25
MAX_LIMIT = 100


def encode_cursor(values: list[Any]) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return {"t": value.isoformat()}
        if isinstance(value, uuid.UUID):
            return {"u": str(value)}
        return value

    raw = json.dumps([plain(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


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
