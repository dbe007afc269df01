"""Shapes of a ticket imported with its history."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from ticketdesk.schemas import CommentBody, Email, Input
from ticketdesk.tickets.schemas import TicketCreate

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:?\d{2})?$"
)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def _rfc3339(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise ValueError("must be an RFC 3339 timestamp such as 2026-11-21T09:30:00Z")
    return value


def _since_1970(value: datetime) -> datetime:
    value = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if value < EARLIEST:
        raise ValueError("must be 1970 or later")
    return value


# RFC 3339 only (no epoch numbers), UTC when no offset is given, not before 1970
# (same rules as ticketdesk.schemas.Timestamp on newer main; switch to it when merged)
HistoryTimestamp = Annotated[datetime, BeforeValidator(_rfc3339), AfterValidator(_since_1970)]


class ImportComment(Input):
    body: CommentBody
    visibility: Literal["public", "internal"] = "public"
    author_email: Email | None = None
    created_at: HistoryTimestamp


class TicketImport(TicketCreate):
    created_at: HistoryTimestamp
    comments: Annotated[list[ImportComment], Field(max_length=1000)] = []
